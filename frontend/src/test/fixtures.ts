import type { Role, Ticket, User } from '../api/types';

/** One account of each role, as the mock API starts with them; all share TEST_PASSWORD. */
export const TEST_USERS: Record<Role, User> = {
  agent: makeUser({ id: 1, email: 'alex@example.com', name: 'Alex Agent', role: 'agent' }),
  requester: makeUser({ id: 2, email: 'rita@example.com', name: 'Rita Requester', role: 'requester' }),
  admin: makeUser({ id: 3, email: 'ada@example.com', name: 'Ada Admin', role: 'admin' }),
};

export const TEST_PASSWORD = 'correct horse battery';

export function makeUser(overrides: Partial<User> & Pick<User, 'id' | 'email'>): User {
  return { name: overrides.email, role: 'requester', disabled: false, created_at: '2026-01-01T00:00:00Z', ...overrides };
}

let nextId = 1;

/** A ticket of Rita Requester's unless said otherwise. */
export function makeTicket(overrides: Partial<Ticket> = {}): Ticket {
  const id = overrides.id ?? nextId++;
  const created = overrides.created_at ?? new Date(Date.UTC(2026, 0, 1, 12, 0, id)).toISOString();
  const requester = TEST_USERS.requester;
  return {
    id,
    title: `Ticket ${id}`,
    description: `Description of ticket ${id}`,
    category: 'general',
    priority: 'medium',
    status: 'open',
    created_at: created,
    updated_at: created,
    requester_id: requester.id,
    requester_email: requester.email,
    requester_name: requester.name,
    ...overrides,
  };
}
