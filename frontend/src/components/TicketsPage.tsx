import { isStaff, type User } from '../api/types';
import { apiFiltersFor, listFilters, useListView, type ListFilters } from '../hooks/useListView';
import { ACTIVE_STATUSES, DEFAULT_QUEUE, queueNamed } from '../lib/queues';
import { openTicketFromList } from '../routes';
import { FilterBar, type NarrowingFilter } from './FilterBar';
import { KeyboardShortcutsButton } from './KeyboardShortcuts';
import { QueueNav, viewInQueue } from './QueueNav';
import { StatsDashboard } from './StatsDashboard';
import { TicketForm } from './TicketForm';
import { TicketList } from './TicketList';

// A requester has few tickets, each one theirs: a search and where each one stands is enough.
const REQUESTER_FILTERS: readonly NarrowingFilter[] = ['status'];

function requesterFilters({ status, search }: ListFilters): ListFilters {
  return { ...(status ? { status } : {}), ...(search ? { search } : {}) };
}

/** The queues, the list and its statistics for staff; a requester's own tickets for a requester. Both can file one. */
export function TicketsPage({ user }: { user: User }) {
  const staff = isStaff(user);
  const [view, setView] = useListView();
  const filters = staff ? listFilters(view) : requesterFilters(view);
  const queue = staff ? queueNamed(view.queue ?? DEFAULT_QUEUE) : null;
  const narrowsStatus = queue?.filters.status === ACTIVE_STATUSES;

  // The filter bar's choices apply within the queue, which stays.
  const setFilters = (next: ListFilters, options?: { push?: boolean }) =>
    setView(staff ? { ...next, queue: view.queue } : next, options);

  const list = (
    <div className="min-w-0 space-y-4">
      <FilterBar
        filters={filters}
        onChange={setFilters}
        narrowBy={staff ? undefined : REQUESTER_FILTERS}
        anyStatusLabel={narrowsStatus ? 'Open or in progress' : 'All'}
      />
      <TicketList
        filters={staff ? apiFiltersFor(view) : filters}
        filtered={Object.values(filters).some(Boolean)}
        queueLabel={queue && queue.name !== DEFAULT_QUEUE ? queue.label : undefined}
        onOpenTicket={(ticket) => openTicketFromList(ticket.id)}
        onClearFilters={() => setFilters({}, { push: true })}
        staffView={staff}
      />
    </div>
  );

  return (
    <main className="mx-auto max-w-7xl space-y-6 px-4 py-6 sm:px-6">
      {staff && <StatsDashboard />}

      <div className="grid items-start gap-6 lg:grid-cols-[minmax(0,380px)_minmax(0,1fr)]">
        <div className="lg:sticky lg:top-6">
          <TicketForm />
        </div>

        <section aria-labelledby="tickets-heading" className="min-w-0 space-y-4">
          <div className="flex items-center justify-between gap-3">
            <h2 id="tickets-heading" className="text-lg font-semibold text-slate-900">
              {staff ? 'Tickets' : 'My tickets'}
            </h2>
            <KeyboardShortcutsButton />
          </div>
          {staff ? (
            <div className="grid items-start gap-4 md:grid-cols-[10.5rem_minmax(0,1fr)]">
              <QueueNav view={view} onSelect={(name) => setView(viewInQueue(view, name), { push: true })} />
              {list}
            </div>
          ) : (
            list
          )}
        </section>
      </div>
    </main>
  );
}
