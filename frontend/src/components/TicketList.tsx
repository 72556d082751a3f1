import { describeError } from '../api/errors';
import { useTickets } from '../api/queries/useTickets';
import type { Ticket, TicketFilters } from '../api/types';
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
  /** Staff see who asked for each ticket. */
  showRequester?: boolean;
}

export function TicketList({ filters, onOpenTicket, onClearFilters, showRequester = false }: TicketListProps) {
  const query = useTickets(filters);
  const filtered = Object.values(filters).some(Boolean);

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
    return (
<LoadError title="Tickets could not be loaded" error={query.error} onRetry={query.refetch} />
    );
  }

  const tickets = query.data.tickets;

  if (tickets.length === 0) {
    return (
      <div className="rounded-xl border border-dashed border-slate-300 bg-white px-6 py-12 text-center">
        <p className="font-medium text-slate-900">{filtered ? 'No tickets match these filters' : 'No tickets yet'}</p>
        <p className="mt-1 text-sm text-slate-500">
          {filtered ? 'Try another search or clear the filters.' : 'Submit the first one with the form.'}
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
            <TicketCard ticket={ticket} onOpen={onOpenTicket} showRequester={showRequester} />
          </li>
        ))}
      </ul>

      <LoadMore query={query} what="tickets" />
    </div>
  );
}
