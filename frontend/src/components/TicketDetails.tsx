import type { Ticket } from '../api/types';
import { CategoryBadge, PriorityBadge, StatusBadge } from './Badges';
import { RelativeTime } from './RelativeTime';

/** What a dialog about one ticket is given: the ticket as listed, and how to close the dialog. */
export interface TicketModalProps {
  ticket: Ticket;
  onClose: () => void;
}

interface TicketDetailsProps {
  ticket: Ticket;
  /** The id of the title, which names the dialog showing it. */
  titleId: string;
  /** Who asked: for staff, who work everyone's tickets. */
  showRequester?: boolean;
}

/** A ticket as a whole, at the top of its dialog. */
export function TicketDetails({ ticket, titleId, showRequester = false }: TicketDetailsProps) {
  return (
    <div className="border-b border-slate-200 px-5 pb-4 pt-5">
      <p className="text-xs font-medium uppercase tracking-wide text-slate-500">Ticket #{ticket.id}</p>
      <h2 id={titleId} className="mt-1 break-words text-lg font-semibold text-slate-900">
        {ticket.title}
      </h2>
      <div className="mt-2 flex flex-wrap items-center gap-1.5">
        <StatusBadge status={ticket.status} />
        <PriorityBadge priority={ticket.priority} />
        <CategoryBadge category={ticket.category} />
        <span className="text-xs text-slate-500">
          <RelativeTime iso={ticket.created_at} prefix="Opened " />
        </span>
      </div>
      {showRequester && ticket.requester_email && (
        <p className="mt-2 break-words text-sm text-slate-600">
          From {ticket.requester_name || ticket.requester_email}
          {ticket.requester_name && <span className="text-slate-500"> &lt;{ticket.requester_email}&gt;</span>}
        </p>
      )}
      <p className="mt-3 max-h-40 overflow-y-auto whitespace-pre-wrap break-words text-sm text-slate-700">
        {ticket.description}
      </p>
    </div>
  );
}
