import { describe, expect, it } from 'vitest';

import { makeEvent } from '../test/fixtures';
import { describeEvent } from './eventText';
import { formatExact } from './time';

describe('describeEvent', () => {
  it('says which ticket a merge joined, on both sides', () => {
    expect(describeEvent(makeEvent({ kind: 'marked_duplicate', from: null, to: '41' }))).toBe(
      'Alex Agent marked this a duplicate of #41',
    );
    expect(describeEvent(makeEvent({ kind: 'duplicate_merged', from: null, to: '42' }))).toBe(
      'Alex Agent merged #42 into this ticket',
    );
  });

  it('says who changed what, from and to, in the words of the UI', () => {
    expect(describeEvent(makeEvent({ kind: 'status_changed', from: 'open', to: 'in_progress' }))).toBe(
      'Alex Agent changed status open → in progress',
    );
    expect(
      describeEvent(makeEvent({ kind: 'status_changed', actor_kind: 'system', actor_id: null, actor_name: null, from: 'resolved', to: 'open' })),
    ).toBe('System moved status resolved → open');
    expect(
      describeEvent(makeEvent({ kind: 'priority_changed', actor_kind: 'classifier', actor_id: null, actor_name: null, from: null, to: 'high' })),
    ).toBe('Classifier set priority high');
    expect(describeEvent(makeEvent({ kind: 'category_changed', from: 'general', to: 'billing' }))).toBe(
      'Alex Agent changed category general → billing',
    );
  });

  it('names assignees', () => {
    const assigned = { kind: 'assignee_changed', from: null, to: '3', from_name: null, to_name: 'Ada Admin' };
    expect(describeEvent(makeEvent(assigned))).toBe('Assigned to Ada Admin by Alex Agent');
    expect(describeEvent(makeEvent({ ...assigned, actor_kind: 'system', actor_name: null, actor_id: null }))).toBe('Assigned to Ada Admin');
    expect(describeEvent(makeEvent({ kind: 'assignee_changed', from: '3', to: '1', from_name: 'Ada Admin', to_name: 'Alex Agent' }))).toBe(
      'Reassigned from Ada Admin to Alex Agent by Alex Agent',
    );
    expect(describeEvent(makeEvent({ kind: 'assignee_changed', from: '3', to: null, from_name: 'Ada Admin', to_name: null }))).toBe(
      'Unassigned from Ada Admin by Alex Agent',
    );
  });

  it('tells replies, notes, breaches and due times apart', () => {
    expect(describeEvent(makeEvent({ kind: 'comment_added', from: null, to: null, comment_id: 4 }))).toBe('Alex Agent replied');
    expect(describeEvent(makeEvent({ kind: 'comment_added', from: null, to: null, comment_id: 5, visibility: 'internal' }))).toBe(
      'Alex Agent added an internal note',
    );
    const breach = { kind: 'sla_breached', actor_kind: 'system' as const, actor_id: null, actor_name: null, from: null };
    expect(describeEvent(makeEvent({ ...breach, to: 'first_response' }))).toBe('SLA first response breached');
    expect(describeEvent(makeEvent({ ...breach, to: 'resolution' }))).toBe('SLA resolution breached');
    const due = '2026-03-02T09:00:00Z';
    expect(describeEvent(makeEvent({ kind: 'resolution_due_changed', actor_kind: 'system', from: '2026-03-01T09:00:00Z', to: due }))).toBe(
      `Resolution due moved to ${formatExact(due)}`,
    );
    expect(describeEvent(makeEvent({ kind: 'created', from: null, to: null, actor_name: 'Rita Requester' }))).toBe(
      'Rita Requester opened the ticket',
    );
  });

  it('still says something for a kind it does not know', () => {
    expect(describeEvent(makeEvent({ kind: 'merged_into', from: null, to: '9' }))).toBe('Alex Agent: merged into');
  });
});
