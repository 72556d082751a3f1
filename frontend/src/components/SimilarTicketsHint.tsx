import { useId } from 'react';

import { useSimilarTickets } from '../api/queries/useSimilarTickets';
import { useDebouncedValue } from '../hooks/useDebouncedValue';
import { SimilarTicketList } from './SimilarTicketList';

/** Long enough to let a word be finished before asking. */
export const SIMILAR_DEBOUNCE_MS = 300;

/**
 * "Is this your problem?": while a signed-in user writes a title, the tickets they can see with
 * the most similar titles, so a known problem is followed rather than reported again. Nothing
 * is shown while there are none.
 */
export function SimilarTicketsHint({ title }: { title: string }) {
  const headingId = useId();
  const text = useDebouncedValue(title, SIMILAR_DEBOUNCE_MS);
  const similar = useSimilarTickets(text);
  const tickets = similar.data ?? [];
  const count = tickets.length;

  return (
    <>
      <p aria-live="polite" className="sr-only">
        {count > 0 ? `${count} similar ${count === 1 ? 'ticket' : 'tickets'} found, listed under the title.` : ''}
      </p>
      {count > 0 && (
        <section aria-labelledby={headingId} className="rounded-lg border border-indigo-100 bg-indigo-50/50 px-3 py-2">
          <h3 id={headingId} className="text-sm font-semibold text-slate-800">
            Is this your problem?
          </h3>
          <p className="text-xs text-slate-600">These tickets look similar — following one may be quicker than a new one.</p>
          <SimilarTicketList tickets={tickets} label="Similar tickets" />
        </section>
      )}
    </>
  );
}
