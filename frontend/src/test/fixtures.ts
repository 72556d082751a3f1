import type { Ticket } from '../api/types';

let nextId = 1;

export function makeTicket(overrides: Partial<Ticket> = {}): Ticket {
  const id = overrides.id ?? nextId++;
  const created = overrides.created_at ?? new Date(Date.UTC(2026, 0, 1, 12, 0, id)).toISOString();
  return {
    id,
    title: `Ticket ${id}`,
    description: `Description of ticket ${id}`,
    category: 'general',
    priority: 'medium',
    status: 'open',
    created_at: created,
    updated_at: created,
    ...overrides,
  };
}
