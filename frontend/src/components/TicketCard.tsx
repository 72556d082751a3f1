import type { MouseEvent, Ref } from 'react';

import type { Ticket } from '../api/types';
import { ticketPath } from '../routes';
import { CategoryBadge, PriorityBadge, StatusBadge } from './Badges';
import { RelativeTime } from './RelativeTime';
import { SlaBadge } from './SlaBadge';
import { NeedsTriageBadge } from './TriageBadges';

const PREVIEW_CHARS = 220;

function preview(description: string): string {
  const oneLine = description.replace(/\s+/g, ' ').trim();
  return oneLine.length > PREVIEW_CHARS ? `${oneLine.slice(0, PREVIEW_CHARS).trimEnd()}…` : oneLine;
}

/** For staff, who work everyone's tickets: who asked, who works it, and how its target stands. */
export interface StaffDetails {
  /** The assignee's name; null when unassigned; undefined while the names load. */
  assigneeName: string | null | undefined;
}

interface TicketCardProps {
  ticket: Ticket;
  onOpen: (ticket: Ticket) => void;
  staff?: StaffDetails;
  /** The list's keyboard selection (j/k). */
  selected?: boolean;
  onFocus?: () => void;
  linkRef?: Ref<HTMLAnchorElement>;
}

export function TicketCard({ ticket, onOpen, staff, selected = false, onFocus, linkRef }: TicketCardProps) {
  function follow(event: MouseEvent<HTMLAnchorElement>) {
    // A new tab or window (modifier keys, middle button) is the browser's business.
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    onOpen(ticket);
  }

  return (
    <article
      aria-labelledby={`ticket-${ticket.id}-title`}
      aria-current={selected || undefined}
      className={`group relative rounded-xl border bg-white p-4 shadow-sm transition hover:border-indigo-300 hover:shadow-md focus-within:border-indigo-500 focus-within:ring-2 focus-within:ring-indigo-500/60 ${
        selected ? 'border-indigo-400 ring-2 ring-indigo-500/40' : 'border-slate-200'
      }`}
    >
      <div className="flex items-start justify-between gap-3">
        <h3 id={`ticket-${ticket.id}-title`} className="min-w-0 text-base font-semibold text-slate-900">
          {/* The link's box is stretched over the card, so the whole card is one click target. */}
          <a
            ref={linkRef}
            href={ticketPath(ticket.id)}
            onClick={follow}
            onFocus={onFocus}
            className="break-words after:absolute after:inset-0 after:rounded-xl after:content-[''] focus:outline-none group-hover:text-indigo-700"
          >
            {ticket.title}
          </a>
        </h3>
        <span className="shrink-0 text-xs tabular-nums text-slate-400">#{ticket.id}</span>
      </div>
      <p className="mt-1 line-clamp-2 break-words text-sm text-slate-600">{preview(ticket.description)}</p>
      <div className="mt-3 flex flex-wrap items-center gap-1.5">
        <StatusBadge status={ticket.status} />
        <PriorityBadge priority={ticket.priority} />
        <CategoryBadge category={ticket.category} />
        {staff && <SlaBadge ticket={ticket} />}
        {staff && ticket.needs_triage && <NeedsTriageBadge />}
        {staff && ticket.requester_email && (
          <span className="min-w-0 truncate text-xs text-slate-500" title={ticket.requester_email}>
            From {ticket.requester_name || ticket.requester_email}
          </span>
        )}
        {staff && <AssigneeLabel assigneeId={ticket.assignee_id} name={staff.assigneeName} />}
        <span className="ml-auto text-xs text-slate-500">
          <RelativeTime iso={ticket.created_at} />
        </span>
      </div>
    </article>
  );
}

function AssigneeLabel({ assigneeId, name }: { assigneeId: number | null; name: string | null | undefined }) {
  if (assigneeId === null) return <span className="text-xs italic text-slate-500">Unassigned</span>;
  return (
    <span className="min-w-0 truncate text-xs text-slate-600">
      <span aria-hidden="true">· </span>Assigned to {name ?? `#${assigneeId}`}
    </span>
  );
}
