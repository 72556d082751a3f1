import { useId, useState } from 'react';

import { useLikelyDuplicates } from '../api/queries/useSimilarTickets';
import type { SimilarTicket, Ticket } from '../api/types';
import { MergeTicketModal } from './MergeTicketModal';
import { SimilarTicketList } from './SimilarTicketList';
import { Spinner } from './ui/Spinner';
import { cardClass, secondaryButtonClass } from './ui/styles';

/** For staff: the tickets most like this one, and a way to close it as a duplicate of one of them. */
export function LikelyDuplicates({ ticket }: { ticket: Ticket }) {
  const headingId = useId();
  const duplicates = useLikelyDuplicates(ticket.id);
  const [mergeInto, setMergeInto] = useState<SimilarTicket | null>(null);

  return (
    <section aria-labelledby={headingId} className={`${cardClass} p-4`}>
      <h3 id={headingId} className="text-sm font-semibold text-slate-900">
        Likely duplicates
      </h3>
      <div className="mt-2">
        {duplicates.isPending ? (
          <p aria-busy="true" className="flex items-center gap-2 text-sm text-slate-500">
            <Spinner /> Looking for similar tickets…
          </p>
        ) : duplicates.isError ? (
          <p className="text-sm text-rose-700">Similar tickets could not be loaded.</p>
        ) : duplicates.data.length === 0 ? (
          <p className="text-sm text-slate-500">No similar tickets.</p>
        ) : (
          <SimilarTicketList
            tickets={duplicates.data}
            label="Likely duplicates"
            action={(similar) => (
              <button
                type="button"
                onClick={() => setMergeInto(similar)}
                className={`${secondaryButtonClass} w-full px-2.5 py-1 text-xs sm:w-auto`}
              >
                Mark this ticket as a duplicate of #{similar.id}
              </button>
            )}
          />
        )}
      </div>
      {mergeInto && <MergeTicketModal ticket={ticket} into={mergeInto} onClose={() => setMergeInto(null)} />}
    </section>
  );
}
