import { describe, expect, it } from 'vitest';

import { formatDuration, slaStanding } from './sla';

const now = new Date('2026-03-01T12:00:00Z');
const minutes = (n: number) => new Date(now.getTime() + n * 60_000).toISOString();

describe('formatDuration', () => {
  it('says whole units, rounded down', () => {
    expect(formatDuration(30_000)).toBe('<1m');
    expect(formatDuration(59 * 60_000)).toBe('59m');
    expect(formatDuration(3 * 3_600_000 + 59 * 60_000)).toBe('3h');
    expect(formatDuration(-2 * 3_600_000)).toBe('2h');
    expect(formatDuration(26 * 3_600_000)).toBe('1d 2h');
    expect(formatDuration(48 * 3_600_000)).toBe('2d');
  });
});

describe('slaStanding', () => {
  it('says how long is left on the running target, or how long it is overdue', () => {
    expect(slaStanding({ sla: 'ok', sla_target: 'first_response', sla_due_at: minutes(180) }, now)?.text).toBe('Response due in 3h');
    expect(slaStanding({ sla: 'due_soon', sla_target: 'resolution', sla_due_at: minutes(45) }, now)?.text).toBe(
      'Resolution due in 45m',
    );
    expect(slaStanding({ sla: 'breached', sla_target: 'resolution', sla_due_at: minutes(-125) }, now)?.text).toBe(
      'Resolution overdue by 2h',
    );
    expect(slaStanding({ sla: 'breached', sla_target: 'first_response', sla_due_at: minutes(0) }, now)?.text).toBe(
      'Response overdue by <1m',
    );
  });

  it('is nothing when no target runs', () => {
    expect(slaStanding({ sla: null, sla_target: null, sla_due_at: null }, now)).toBeNull();
    expect(slaStanding({ sla: null, sla_target: 'resolution', sla_due_at: minutes(5) }, now)).toBeNull();
  });
});
