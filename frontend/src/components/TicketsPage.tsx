import { useState } from 'react';

import { isStaff, type Ticket, type TicketFilters, type User } from '../api/types';
import { useUrlFilters } from '../hooks/useUrlFilters';
import { CloseTicketModal } from './CloseTicketModal';
import { FilterBar, type NarrowingFilter } from './FilterBar';
import { StatsDashboard } from './StatsDashboard';
import { TicketForm } from './TicketForm';
import { TicketList } from './TicketList';
import { TicketStatusModal } from './TicketStatusModal';

// A requester has few tickets, each one theirs: a search and where each one stands is enough.
const REQUESTER_FILTERS: readonly NarrowingFilter[] = ['status'];

function requesterFilters({ status, search }: TicketFilters): TicketFilters {
  return { ...(status ? { status } : {}), ...(search ? { search } : {}) };
}

/** The queue and its statistics for staff; a requester's own tickets for a requester. Both can file one. */
export function TicketsPage({ user }: { user: User }) {
  const staff = isStaff(user);
  const [urlFilters, setFilters] = useUrlFilters();
  const filters = staff ? urlFilters : requesterFilters(urlFilters);
  const [openTicket, setOpenTicket] = useState<Ticket | null>(null);
  const TicketModal = staff ? TicketStatusModal : CloseTicketModal;

  return (
    <main className="mx-auto max-w-7xl space-y-6 px-4 py-6 sm:px-6">
      {staff && <StatsDashboard />}

      <div className="grid items-start gap-6 lg:grid-cols-[minmax(0,400px)_minmax(0,1fr)]">
        <div className="lg:sticky lg:top-6">
          <TicketForm />
        </div>

        <section aria-labelledby="tickets-heading" className="min-w-0 space-y-4">
          <h2 id="tickets-heading" className="text-lg font-semibold text-slate-900">
            {staff ? 'Tickets' : 'My tickets'}
          </h2>
          <FilterBar filters={filters} onChange={setFilters} narrowBy={staff ? undefined : REQUESTER_FILTERS} />
          <TicketList
            filters={filters}
            onOpenTicket={setOpenTicket}
            onClearFilters={() => setFilters({})}
            showRequester={staff}
          />
        </section>
      </div>

      {openTicket && <TicketModal ticket={openTicket} onClose={() => setOpenTicket(null)} />}
    </main>
  );
}
