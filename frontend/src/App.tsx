import { useState } from 'react';

import type { Ticket } from './api/types';
import { FilterBar } from './components/FilterBar';
import { StatsDashboard } from './components/StatsDashboard';
import { TicketForm } from './components/TicketForm';
import { TicketList } from './components/TicketList';
import { TicketStatusModal } from './components/TicketStatusModal';
import { useUrlFilters } from './hooks/useUrlFilters';

export function App() {
  const [filters, setFilters] = useUrlFilters();
  const [openTicket, setOpenTicket] = useState<Ticket | null>(null);

  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-7xl items-center gap-3 px-4 py-3 sm:px-6">
          <img src="/favicon.svg" alt="" className="h-8 w-8" />
          <div>
            <h1 className="text-lg font-bold leading-tight tracking-tight text-slate-900">Helpdesk</h1>
            <p className="text-xs text-slate-500">Support tickets, triaged.</p>
          </div>
        </div>
      </header>

      <main className="mx-auto max-w-7xl space-y-6 px-4 py-6 sm:px-6">
        <StatsDashboard />

        <div className="grid items-start gap-6 lg:grid-cols-[minmax(0,400px)_minmax(0,1fr)]">
          <div className="lg:sticky lg:top-6">
            <TicketForm />
          </div>

          <section aria-labelledby="tickets-heading" className="min-w-0 space-y-4">
            <h2 id="tickets-heading" className="text-lg font-semibold text-slate-900">
              Tickets
            </h2>
            <FilterBar filters={filters} onChange={setFilters} />
            <TicketList filters={filters} onOpenTicket={setOpenTicket} onClearFilters={() => setFilters({})} />
          </section>
        </div>
      </main>

      {openTicket && <TicketStatusModal ticket={openTicket} onClose={() => setOpenTicket(null)} />}
    </div>
  );
}
