import type { Ticket } from '../api/types';
import { CategoryBadge, PriorityBadge, StatusBadge } from './Badges';
import { RelativeTime } from './RelativeTime';
import { SlaBadge } from './SlaBadge';
import { TriageBadges } from './TriageBadges';

interface TicketHeaderProps {
  ticket: Ticket;
  /** Staff see the requester's address, the running target and how the ticket was triaged. */
  staff: boolean;
}

/** What the ticket is, who asked and when, and where it stands. */
export function TicketHeader({ ticket, staff }: TicketHeaderProps) {
  const requester = ticket.requester_name || ticket.requester_email;
  return (
    <header className="space-y-2">
      <p className="text-xs font-medium uppercase tracking-wide text-slate-500">Ticket #{ticket.id}</p>
      <h2 className="break-words text-xl font-semibold text-slate-900 sm:text-2xl">{ticket.title}</h2>
      <p className="text-sm text-slate-600">
        {requester ? (
          <>
            From <span className="font-medium text-slate-800">{requester}</span>
            {staff && ticket.requester_name && ticket.requester_email && (
              <span className="text-slate-500"> &lt;{ticket.requester_email}&gt;</span>
            )}
            {' · '}
          </>
        ) : null}
        <RelativeTime iso={ticket.created_at} prefix="opened " />
      </p>
      <div className="flex flex-wrap items-center gap-1.5">
        <StatusBadge status={ticket.status} />
        <PriorityBadge priority={ticket.priority} />
        <CategoryBadge category={ticket.category} />
        {staff && <SlaBadge ticket={ticket} />}
        {staff && <TriageBadges ticket={ticket} />}
      </div>
    </header>
  );
}
