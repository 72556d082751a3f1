import type { QueueCounts, Status, TicketFilters } from '../api/types';

/** Work still to do: what the queue counts and the personal queues cover. */
export const ACTIVE_STATUSES: readonly Status[] = ['open', 'in_progress'];

export type QueueName = keyof QueueCounts;

export interface Queue {
  name: QueueName;
  label: string;
  /** What the queue asks the list for; the filter bar's choices are added (its status replacing these). */
  filters: TicketFilters;
}

/** The staff's queues, in the order the sidebar shows them; `all` is the list without a queue. */
export const QUEUES: readonly Queue[] = [
  { name: 'mine', label: 'Mine', filters: { assignee: 'me', status: ACTIVE_STATUSES } },
  { name: 'unassigned', label: 'Unassigned', filters: { assignee: 'none', status: ACTIVE_STATUSES } },
  { name: 'needs_triage', label: 'Needs triage', filters: { needs_triage: true, status: ACTIVE_STATUSES } },
  { name: 'due_soon', label: 'Due soon', filters: { sla: 'due_soon' } },
  { name: 'breached', label: 'Breached', filters: { sla: 'breached' } },
  { name: 'all', label: 'All', filters: {} },
];

export const DEFAULT_QUEUE = 'all' satisfies QueueName;

export function isQueueName(value: unknown): value is QueueName {
  return QUEUES.some((queue) => queue.name === value);
}

export function queueNamed(name: QueueName): Queue {
  return QUEUES.find((queue) => queue.name === name) ?? QUEUES[QUEUES.length - 1];
}
