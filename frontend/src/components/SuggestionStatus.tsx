import { CATEGORY_LABELS, PRIORITY_LABELS, type Classification, type Confidence } from '../api/types';
import { Spinner } from './ui/Spinner';

interface SuggestionStatusProps {
  id: string;
  loading: boolean;
  suggestion: Classification | null;
  error: string | null;
}

/** Under the form's selects: whether a category and priority are being suggested, and by whom. */
export function SuggestionStatus({ id, loading, suggestion, error }: SuggestionStatusProps) {
  let content = null;
  if (loading) {
    content = (
      <span className="flex items-center gap-2 text-indigo-700">
        <Spinner /> Suggesting a category and priority…
      </span>
    );
  } else if (error) {
    content = (
      <span className="text-amber-800">
        Couldn’t suggest a category and priority: {error} Choose them yourself, or leave “Auto-detect” and the
        server will classify the ticket.
      </span>
    );
  } else if (suggestion) {
    const fromModel = suggestion.source === 'llm';
    content = (
      <span className="flex flex-wrap items-center gap-x-2 gap-y-1 text-slate-600">
        <span
          className={`rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${
            fromModel ? 'bg-indigo-50 text-indigo-700 ring-indigo-200' : 'bg-slate-100 text-slate-700 ring-slate-300'
          }`}
        >
          {fromModel ? 'Suggested by AI model' : 'Suggested by rules (fallback)'}
        </span>
        <span>
          {CATEGORY_LABELS[suggestion.suggested_category]}
          <LowConfidence confidence={suggestion.confidence?.category} /> ·{' '}
          {PRIORITY_LABELS[suggestion.suggested_priority]}
          <LowConfidence confidence={suggestion.confidence?.priority} /> — you can change either.
        </span>
      </span>
    );
  }
  return (
    <div id={id} aria-live="polite" className="min-h-5 text-sm">
      {content}
    </div>
  );
}

/** After a suggested label the classifier was unsure of: worth a look before submitting. */
function LowConfidence({ confidence }: { confidence: Confidence | undefined }) {
  if (confidence !== 'low') return null;
  return (
    <>
      {' '}
      <span className="rounded bg-amber-50 px-1 text-xs font-medium text-amber-800 ring-1 ring-inset ring-amber-300">
        low confidence
      </span>
    </>
  );
}
