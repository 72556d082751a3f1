import type { SlaState, Ticket } from '../api/types';
import { useNow } from '../hooks/useNow';
import { slaStanding } from '../lib/sla';
import { formatExact } from '../lib/time';
import { badgeBase } from './Badges';

const SLA_COLORS: Record<SlaState, string> = {
  ok: 'bg-emerald-50 text-emerald-800 ring-emerald-300',
  due_soon: 'bg-amber-50 text-amber-900 ring-amber-400',
  breached: 'bg-rose-600 text-white ring-rose-700',
};

/** How the state reads without its colour. */
const SLA_STATE_WORDS: Record<SlaState, string> = {
  ok: 'on track',
  due_soon: 'due soon',
  breached: 'breached',
};

/**
 * The running service-level target: "Response due in 3h", "Resolution overdue by 2h", coloured
 * by how it stands. Nothing when no target runs (and requesters are never sent one).
 */
export function SlaBadge({ ticket }: { ticket: Pick<Ticket, 'sla' | 'sla_target' | 'sla_due_at'> }) {
  const now = useNow(30_000);
  const standing = slaStanding(ticket, now);
  if (!standing) return null;
  return (
    <span
      className={`${badgeBase} ${SLA_COLORS[standing.state]}`}
      title={`SLA ${SLA_STATE_WORDS[standing.state]}: due ${formatExact(standing.dueAt)}`}
    >
      <span className="sr-only">SLA {SLA_STATE_WORDS[standing.state]}: </span>
      {standing.state === 'ok' ? <ClockIcon /> : <WarningIcon />}
      {standing.text}
    </span>
  );
}

function ClockIcon() {
  return (
    <svg className="h-3 w-3" viewBox="0 0 20 20" fill="currentColor" aria-hidden="true">
      <path
        fillRule="evenodd"
        d="M10 18a8 8 0 1 0 0-16 8 8 0 0 0 0 16Zm.75-13a.75.75 0 0 0-1.5 0v5c0 .2.08.39.22.53l3 3a.75.75 0 1 0 1.06-1.06l-2.78-2.78V5Z"
        clipRule="evenodd"
      />
    </svg>
  );
}

function WarningIcon() {
  return (
    <svg className="h-3 w-3" viewBox="0 0 20 20" fill="currentColor" aria-hidden="true">
      <path
        fillRule="evenodd"
        d="M8.49 2.5a1.75 1.75 0 0 1 3.02 0l6.25 10.83A1.75 1.75 0 0 1 16.25 16H3.75a1.75 1.75 0 0 1-1.51-2.67L8.49 2.5ZM10 6a.75.75 0 0 1 .75.75v3.5a.75.75 0 0 1-1.5 0v-3.5A.75.75 0 0 1 10 6Zm0 8a1 1 0 1 0 0-2 1 1 0 0 0 0 2Z"
        clipRule="evenodd"
      />
    </svg>
  );
}
