import type { ReactNode } from 'react';

import type { SimilarTicket } from '../api/types';
import { ticketPath } from '../routes';
import { StatusBadge } from './Badges';
import { AppLink } from './ui/AppLink';

interface SimilarTicketListProps {
  tickets: SimilarTicket[];
  label: string;
  /** Beside each ticket, e.g. a button that acts on it. */
  action?: (ticket: SimilarTicket) => ReactNode;
}

/** Tickets like another or like some text: each a link with its number and status. */
export function SimilarTicketList({ tickets, label, action }: SimilarTicketListProps) {
  return (
    <ul aria-label={label} className="divide-y divide-slate-100">
      {tickets.map((ticket) => (
        <li key={ticket.id} className="flex flex-wrap items-center gap-x-2 gap-y-1 py-1.5 text-sm">
          <AppLink to={ticketPath(ticket.id)} className="min-w-0 flex-1 break-words font-medium text-indigo-700 hover:underline">
            {ticket.title} <span className="font-normal tabular-nums text-slate-500">#{ticket.id}</span>
          </AppLink>
          <StatusBadge status={ticket.status} />
          {action?.(ticket)}
        </li>
      ))}
    </ul>
  );
}
