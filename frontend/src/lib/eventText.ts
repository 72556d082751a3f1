import {
  CATEGORY_LABELS,
  PRIORITY_LABELS,
  SLA_TARGET_LABELS,
  STATUS_LABELS,
  type TicketEvent,
} from '../api/types';
import { formatExact } from './time';

/** Who did it, as a sentence's subject. */
export function actorName(event: Pick<TicketEvent, 'actor_kind' | 'actor_name'>): string {
  if (event.actor_kind === 'system') return 'System';
  if (event.actor_kind === 'classifier') return 'Classifier';
  return event.actor_name || 'Someone';
}

/** A value of the vocabulary as words in a sentence ("in progress"); an unknown one as given. */
function valueWords(labels: Record<string, string>, value: string | null): string {
  if (value === null) return 'none';
  return (labels[value] ?? value.replaceAll('_', ' ')).toLowerCase();
}

const FIELD_CHANGES: Record<string, { field: string; labels: Record<string, string> }> = {
  status_changed: { field: 'status', labels: STATUS_LABELS },
  priority_changed: { field: 'priority', labels: PRIORITY_LABELS },
  category_changed: { field: 'category', labels: CATEGORY_LABELS },
};

const DUE_CHANGES: Record<string, string> = {
  first_response_due_changed: 'First response',
  resolution_due_changed: 'Resolution',
};

function assigneeSentence({ from_name, to_name, from, to }: TicketEvent): string {
  const toName = to_name ?? (to ? `account #${to}` : null);
  const fromName = from_name ?? (from ? `account #${from}` : null);
  if (toName && fromName) return `Reassigned from ${fromName} to ${toName}`;
  if (toName) return `Assigned to ${toName}`;
  return fromName ? `Unassigned from ${fromName}` : 'Unassigned';
}

/**
 * One line of a ticket's history in words: "Alex Agent changed status open → in progress",
 * "System moved status resolved → open", "Classifier set priority high", "Assigned to Ada",
 * "SLA first response breached". A kind this build does not know is still said plainly.
 */
export function describeEvent(event: TicketEvent): string {
  const who = actorName(event);
  const change = FIELD_CHANGES[event.kind];
  if (change) {
    const to = valueWords(change.labels, event.to);
    if (event.from === null) return `${who} set ${change.field} ${to}`;
    const verb = event.actor_kind === 'system' ? 'moved' : 'changed';
    return `${who} ${verb} ${change.field} ${valueWords(change.labels, event.from)} → ${to}`;
  }
  const due = DUE_CHANGES[event.kind];
  if (due) {
    return event.to ? `${due} due ${event.from ? 'moved' : 'set'} to ${formatExact(event.to)}` : `${due} target stopped`;
  }
  switch (event.kind) {
    case 'created':
      return event.actor_kind === 'user' ? `${who} opened the ticket` : 'Ticket opened';
    case 'assignee_changed': {
      const sentence = assigneeSentence(event);
      return event.actor_kind === 'user' ? `${sentence} by ${who}` : sentence;
    }
    case 'comment_added':
      return event.visibility === 'internal' ? `${who} added an internal note` : `${who} replied`;
    case 'sla_breached':
      return `SLA ${valueWords(SLA_TARGET_LABELS, event.to)} breached`;
    case 'marked_duplicate':
      return `${who} marked this a duplicate of #${event.to}`;
    case 'duplicate_merged':
      return `${who} merged #${event.to} into this ticket`;
    default:
      return `${who}: ${event.kind.replaceAll('_', ' ')}`;
  }
}
