import { useEffect, useRef, useState } from 'react';

import { describeError } from '../api/errors';
import { useAgents } from '../api/queries/useAgents';
import { useTickets } from '../api/queries/useTickets';
import type { Ticket, TicketFilters } from '../api/types';
import { isInteractiveTarget, useKeyboardShortcuts } from '../hooks/useKeyboardShortcuts';
import { rememberedSelection } from '../routes';
import { TicketCard } from './TicketCard';
import { ErrorAlert } from './ui/Alert';
import { LoadError } from './ui/LoadError';
import { LoadMore } from './ui/LoadMore';
import { Spinner } from './ui/Spinner';
import { secondaryButtonClass } from './ui/styles';

interface TicketListProps {
  filters: TicketFilters;
  onOpenTicket: (ticket: Ticket) => void;
  onClearFilters: () => void;
  /** The filter bar narrows the list (so "Clear filters" helps when nothing matches). */
  filtered?: boolean;
  /** The queue the list is, for its empty state; none for all tickets. */
  queueLabel?: string;
  /** Staff see who asked, who works each ticket and how its target stands. */
  staffView?: boolean;
}

export function TicketList({
  filters,
  onOpenTicket,
  onClearFilters,
  filtered = Object.values(filters).some(Boolean),
  queueLabel,
  staffView = false,
}: TicketListProps) {
  const query = useTickets(filters);
  const agents = useAgents({ enabled: staffView });
  const tickets = query.data?.tickets ?? [];
  const selection = useKeyboardSelection(tickets, {
    hasMore: query.hasNextPage,
    loadMore: () => void query.fetchNextPage(),
    open: onOpenTicket,
  });

  if (query.isPending) {
    return (
      <div aria-busy="true" aria-live="polite" className="space-y-3">
        <span className="sr-only">Loading tickets…</span>
        {[0, 1, 2].map((row) => (
          <div key={row} className="h-28 animate-pulse rounded-xl border border-slate-200 bg-white" aria-hidden="true" />
        ))}
      </div>
    );
  }

  if (query.isError && !query.data) {
    return <LoadError title="Tickets could not be loaded" error={query.error} onRetry={query.refetch} />;
  }

  if (tickets.length === 0) {
    return (
      <div className="rounded-xl border border-dashed border-slate-300 bg-white px-6 py-12 text-center">
        <p className="font-medium text-slate-900">
          {filtered ? 'No tickets match these filters' : queueLabel ? `Nothing in ${queueLabel}` : 'No tickets yet'}
        </p>
        <p className="mt-1 text-sm text-slate-500">
          {filtered
            ? 'Try another search or clear the filters.'
            : queueLabel
              ? 'No active ticket is in this queue right now.'
              : 'Submit the first one with the form.'}
        </p>
        {filtered && (
          <button type="button" onClick={onClearFilters} className={`${secondaryButtonClass} mt-4`}>
            Clear filters
          </button>
        )}
      </div>
    );
  }

  const refreshing = query.isFetching && !query.isFetchingNextPage;

  return (
    <div className="space-y-3">
      <div className="flex items-center justify-between text-sm text-slate-500">
        <span aria-live="polite">
          {tickets.length} {tickets.length === 1 ? 'ticket' : 'tickets'}
          {query.hasNextPage ? ' shown' : ''}
        </span>
        {refreshing && (
          <span className="flex items-center gap-1.5">
            <Spinner className="h-3.5 w-3.5" /> Updating…
          </span>
        )}
      </div>

      {query.isError && !query.isFetchNextPageError && (
        <ErrorAlert title="Could not refresh the tickets">{describeError(query.error)}</ErrorAlert>
      )}

      <ul className="space-y-3" aria-label="Tickets">
        {tickets.map((ticket) => (
          <li key={ticket.id}>
            <TicketCard
              ticket={ticket}
              onOpen={onOpenTicket}
              selected={ticket.id === selection.selectedId}
              onFocus={() => selection.select(ticket.id)}
              linkRef={selection.linkRef(ticket.id)}
              staff={
                staffView
                  ? { assigneeName: ticket.assignee_id === null ? null : agents.data?.byId.get(ticket.assignee_id)?.name }
                  : undefined
              }
            />
          </li>
        ))}
      </ul>

      <p aria-live="polite" className="sr-only">
        {selection.announcement}
      </p>

      <LoadMore query={query} what="tickets" />
    </div>
  );
}

interface SelectionOptions {
  hasMore: boolean;
  loadMore: () => void;
  open: (ticket: Ticket) => void;
}

/**
 * `j`/`k` move a selection through the list (focusing the ticket's link, so its ring shows and a
 * screen reader says where it is, and the move is announced with its position), `Enter` opens
 * the selected ticket. Coming back from a ticket selects it again.
 */
function useKeyboardSelection(tickets: Ticket[], { hasMore, loadMore, open }: SelectionOptions) {
  const [selectedId, setSelectedId] = useState<number | null>(rememberedSelection);
  const [announcement, setAnnouncement] = useState('');
  const links = useRef(new Map<number, HTMLAnchorElement>());
  const [focusRequest, setFocusRequest] = useState(0);
  const index = tickets.findIndex((ticket) => ticket.id === selectedId);

  // Back from a ticket's page: focus the ticket it was, once the list shows it.
  const restoring = useRef(selectedId !== null);
  useEffect(() => {
    if (restoring.current && index >= 0) {
      restoring.current = false;
      links.current.get(tickets[index].id)?.focus();
    }
  }, [index, tickets]);

  useEffect(() => {
    if (focusRequest > 0 && selectedId !== null) links.current.get(selectedId)?.focus();
  }, [focusRequest, selectedId]);

  function moveTo(next: number) {
    const ticket = tickets[next];
    setSelectedId(ticket.id);
    setFocusRequest((count) => count + 1);
    const of = hasMore ? `${tickets.length} shown` : `${tickets.length}`;
    setAnnouncement(`Ticket ${next + 1} of ${of}: ${ticket.title}`);
  }

  useKeyboardShortcuts(
    {
      j: (event) => {
        if (tickets.length === 0) return;
        event.preventDefault();
        if (index < 0) moveTo(0);
        else if (index < tickets.length - 1) moveTo(index + 1);
        else if (hasMore) {
          setAnnouncement('Loading more tickets…');
          loadMore();
        } else setAnnouncement('Last ticket');
      },
      k: (event) => {
        if (tickets.length === 0) return;
        event.preventDefault();
        if (index > 0) moveTo(index - 1);
        else if (index < 0) moveTo(0);
        else setAnnouncement('First ticket');
      },
      Enter: (event) => {
        // A focused link or button acts on Enter itself.
        if (index < 0 || isInteractiveTarget(event.target)) return;
        event.preventDefault();
        open(tickets[index]);
      },
    },
    tickets.length > 0,
  );

  return {
    selectedId: index >= 0 ? selectedId : null,
    announcement,
    select: (id: number) => setSelectedId(id),
    linkRef: (id: number) => (element: HTMLAnchorElement | null) => {
      if (element) links.current.set(id, element);
      else links.current.delete(id);
    },
  };
}
