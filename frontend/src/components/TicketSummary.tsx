import { useId } from 'react';

import { errorDetail } from '../api/errors';
import { useAssistAvailability, useTicketSummary } from '../api/queries/useAssist';
import { ErrorAlert } from './ui/Alert';
import { Spinner } from './ui/Spinner';
import { cardClass, secondaryButtonClass } from './ui/styles';

/**
 * Staff, where a language model is configured: the ticket in at most 100 words, made when asked
 * and kept only on this page. Absent when no model is configured.
 */
export function TicketSummary({ ticketId }: { ticketId: number }) {
  const headingId = useId();
  const available = useAssistAvailability();
  const summary = useTicketSummary(ticketId);
  if (!available.data) return null;

  function summarize() {
    if (!summary.isPending) summary.mutate();
  }

  return (
    <section aria-labelledby={headingId} className={`${cardClass} space-y-2 p-4`}>
      <div className="flex items-center justify-between gap-2">
        <h3 id={headingId} className="text-sm font-semibold text-slate-900">
          Summary
        </h3>
        <button type="button" onClick={summarize} aria-busy={summary.isPending} className={`${secondaryButtonClass} px-3 py-1 text-xs`}>
          {summary.isPending && <Spinner className="h-3.5 w-3.5" />}
          {summary.isPending ? 'Summarizing…' : summary.data ? 'Summarize again' : 'Summarize'}
        </button>
      </div>
      <div aria-live="polite" className="empty:hidden">
        {summary.data && !summary.isPending && (
          <p className="whitespace-pre-wrap break-words rounded-lg bg-slate-50 px-3 py-2 text-sm text-slate-800">{summary.data}</p>
        )}
      </div>
      {summary.isError && <ErrorAlert title="No summary">{errorDetail(summary.error)}</ErrorAlert>}
    </section>
  );
}
