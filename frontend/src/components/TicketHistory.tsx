import { useTicketEvents } from '../api/queries/useTicketEvents';
import type { TicketEvent } from '../api/types';
import { describeEvent } from '../lib/eventText';
import { RelativeTime } from './RelativeTime';
import { LoadError } from './ui/LoadError';
import { LoadMore } from './ui/LoadMore';
import { Spinner } from './ui/Spinner';
import { cardClass } from './ui/styles';

const DOT_COLORS: Record<TicketEvent['actor_kind'], string> = {
  user: 'bg-indigo-500',
  system: 'bg-slate-400',
  classifier: 'bg-violet-500',
};

/** Everything that happened to the ticket, oldest first: who changed what, and when. */
export function TicketHistory({ ticketId }: { ticketId: number }) {
  const events = useTicketEvents(ticketId);

  return (
    <section aria-labelledby="history-heading" className={`${cardClass} p-4`}>
      <h3 id="history-heading" className="text-sm font-semibold text-slate-900">
        History
      </h3>
      {events.isPending ? (
        <p aria-busy="true" className="mt-3 flex items-center gap-2 text-sm text-slate-500">
          <Spinner /> Loading history…
        </p>
      ) : events.isError && !events.data ? (
        <div className="mt-3">
          <LoadError title="History could not be loaded" error={events.error} onRetry={events.refetch} />
        </div>
      ) : (
        <ol aria-label="History" className="mt-3 space-y-3 border-l border-slate-200 pl-4">
          {events.data.map((event) => (
            <HistoryEntry key={event.id} event={event} />
          ))}
        </ol>
      )}
      <div className="mt-3">
        <LoadMore query={events} what="history" />
      </div>
    </section>
  );
}

function HistoryEntry({ event }: { event: TicketEvent }) {
  const breach = event.kind === 'sla_breached';
  return (
    <li className="relative text-sm">
      <span
        className={`absolute -left-[1.3rem] top-1.5 h-2 w-2 rounded-full ring-2 ring-white ${breach ? 'bg-rose-600' : DOT_COLORS[event.actor_kind]}`}
        aria-hidden="true"
      />
      <p className={breach ? 'font-medium text-rose-800' : 'text-slate-700'}>
        {describeEvent(event)}
        {event.visibility === 'internal' && event.kind !== 'comment_added' && (
          <span className="ml-1.5 rounded bg-amber-100 px-1 text-xs font-medium text-amber-900">Internal</span>
        )}
      </p>
      <p className="text-xs text-slate-500">
        <RelativeTime iso={event.created_at} />
      </p>
    </li>
  );
}
