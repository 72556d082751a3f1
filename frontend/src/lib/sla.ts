import type { SlaState, SlaTarget, Ticket } from '../api/types';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** "45m", "3h", "2d 4h": whole units, rounded down, so a deadline never looks further off than it is. */
export function formatDuration(ms: number): string {
  const span = Math.abs(ms);
  if (span < MINUTE_MS) return '<1m';
  if (span < HOUR_MS) return `${Math.floor(span / MINUTE_MS)}m`;
  if (span < DAY_MS) return `${Math.floor(span / HOUR_MS)}h`;
  const days = Math.floor(span / DAY_MS);
  const hours = Math.floor((span % DAY_MS) / HOUR_MS);
  return hours ? `${days}d ${hours}h` : `${days}d`;
}

/** "45m", "3h 20m", "2d 4h": a span of minutes to the minute (under a day), for targets and medians. */
export function formatMinutes(minutes: number): string {
  const whole = Math.round(minutes);
  if (whole < 60) return `${whole}m`;
  const days = Math.floor(whole / 1440);
  const hours = Math.floor((whole % 1440) / 60);
  const rest = whole % 60;
  if (days) return hours ? `${days}d ${hours}h` : `${days}d`;
  return rest ? `${hours}h ${rest}m` : `${hours}h`;
}

const TARGET_WORD: Record<SlaTarget, string> = { first_response: 'Response', resolution: 'Resolution' };

export interface SlaStanding {
  state: SlaState;
  target: SlaTarget;
  dueAt: string;
  /** "Response due in 3h", "Resolution overdue by 2h". */
  text: string;
}

/** Where the ticket's running target stands at `now`; null when none runs (or the viewer may not see it). */
export function slaStanding(ticket: Pick<Ticket, 'sla' | 'sla_target' | 'sla_due_at'>, now: Date): SlaStanding | null {
  const { sla: state, sla_target: target, sla_due_at: dueAt } = ticket;
  if (!state || !target || !dueAt) return null;
  const left = new Date(dueAt).getTime() - now.getTime();
  const word = TARGET_WORD[target];
  const text = left > 0 ? `${word} due in ${formatDuration(left)}` : `${word} overdue by ${formatDuration(left)}`;
  return { state, target, dueAt, text };
}
