import type { Classifier, Confidence, Sentiment, Ticket } from '../api/types';
import { badgeBase } from './Badges';

const CLASSIFIER_LABELS: Record<Classifier, string> = {
  llm: 'Labelled by AI',
  fallback: 'Labelled by rules',
  person: 'Labelled by a person',
};

const CONFIDENCE_COLORS: Record<Confidence, string> = {
  high: '',
  medium: 'bg-sky-50 text-sky-800 ring-sky-300',
  low: 'bg-amber-50 text-amber-900 ring-amber-400',
};

const SENTIMENT_BADGES: Partial<Record<Sentiment, { label: string; color: string }>> = {
  negative: { label: 'Negative tone', color: 'bg-rose-50 text-rose-800 ring-rose-300' },
  positive: { label: 'Positive tone', color: 'bg-emerald-50 text-emerald-800 ring-emerald-300' },
};

const plain = 'bg-white text-slate-700 ring-slate-300';

/** `pt-BR` → "Portuguese (Brazil)", where the browser knows the names; the tag itself otherwise. */
function languageName(tag: string): string {
  try {
    return new Intl.DisplayNames(undefined, { type: 'language' }).of(tag) ?? tag;
  } catch {
    return tag;
  }
}

/** A flag for tickets whose labels a person should check. */
export function NeedsTriageBadge() {
  return <span className={`${badgeBase} bg-amber-100 text-amber-900 ring-amber-400`}>Needs triage</span>;
}

/**
 * For staff: how the labels were set and how sure the classifier was (only when not sure), the
 * tone when it is not neutral and the language when it is not English — each only when known.
 */
export function TriageBadges({ ticket }: { ticket: Pick<Ticket, 'classified_by' | 'confidence' | 'sentiment' | 'language' | 'needs_triage'> }) {
  const { classified_by, confidence, sentiment, language, needs_triage } = ticket;
  const sentimentBadge = sentiment ? SENTIMENT_BADGES[sentiment] : undefined;
  const unsure = confidence && classified_by !== 'person' ? (['category', 'priority'] as const).filter((label) => confidence[label] !== 'high') : [];
  return (
    <>
      {needs_triage && <NeedsTriageBadge />}
      {classified_by && <span className={`${badgeBase} ${plain}`}>{CLASSIFIER_LABELS[classified_by]}</span>}
      {confidence &&
        unsure.map((label) => (
          <span key={label} className={`${badgeBase} ${CONFIDENCE_COLORS[confidence[label]]}`}>
            {label === 'category' ? 'Category' : 'Priority'}: {confidence[label]} confidence
          </span>
        ))}
      {sentimentBadge && <span className={`${badgeBase} ${sentimentBadge.color}`}>{sentimentBadge.label}</span>}
      {language && language.toLowerCase() !== 'en' && !language.toLowerCase().startsWith('en-') && (
        <span className={`${badgeBase} ${plain}`} title={`Language: ${language}`}>
          <span className="sr-only">Language: </span>
          {languageName(language)}
        </span>
      )}
    </>
  );
}
