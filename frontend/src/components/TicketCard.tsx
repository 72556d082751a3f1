import type { Ticket } from '../api/types';
import { CategoryBadge, PriorityBadge, StatusBadge } from './Badges';
import { RelativeTime } from './RelativeTime';

const PREVIEW_CHARS = 220;

function preview(description: string): string {
  const oneLine = description.replace(/\s+/g, ' ').trim();
  return oneLine.length > PREVIEW_CHARS ? `${oneLine.slice(0, PREVIEW_CHARS).trimEnd()}…` : oneLine;
}

interface TicketCardProps {
  ticket: Ticket;
  onOpen: (ticket: Ticket) => void;
  /** Who asked: for staff, who work everyone's tickets. */
  showRequester?: boolean;
}

export function TicketCard({ ticket, onOpen, showRequester = false }: TicketCardProps) {
  return (
    <article
      aria-labelledby={`ticket-${ticket.id}-title`}
      className="group relative rounded-xl border border-slate-200 bg-white p-4 shadow-sm transition hover:border-indigo-300 hover:shadow-md focus-within:border-indigo-400 focus-within:ring-2 focus-within:ring-indigo-500/30"
    >
      <div className="flex items-start justify-between gap-3">
        <h3 id={`ticket-${ticket.id}-title`} className="min-w-0 text-base font-semibold text-slate-900">
          {/* The button's box is stretched over the card, so the whole card is one click target. */}
          <button
            type="button"
            onClick={() => onOpen(ticket)}
            aria-haspopup="dialog"
            className="break-words text-left after:absolute after:inset-0 after:rounded-xl after:content-[''] focus:outline-none group-hover:text-indigo-700"
          >
            {ticket.title}
          </button>
        </h3>
        <span className="shrink-0 text-xs tabular-nums text-slate-400">#{ticket.id}</span>
      </div>
      <p className="mt-1 line-clamp-2 break-words text-sm text-slate-600">{preview(ticket.description)}</p>
      <div className="mt-3 flex flex-wrap items-center gap-1.5">
        <StatusBadge status={ticket.status} />
        <PriorityBadge priority={ticket.priority} />
        <CategoryBadge category={ticket.category} />
        {showRequester && ticket.requester_email && (
          <span className="min-w-0 truncate text-xs text-slate-500" title={ticket.requester_email}>
            From {ticket.requester_name || ticket.requester_email}
          </span>
        )}
        <span className="ml-auto text-xs text-slate-500">
          <RelativeTime iso={ticket.created_at} />
        </span>
      </div>
    </article>
  );
}
