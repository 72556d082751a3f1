import type { Classification, Comment, InboundMail, OutboxMail, Role, Ticket, TicketEvent, User } from '../api/types';

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
    assignee_id: null,
    first_response_due_at: null,
    resolution_due_at: null,
    first_responded_at: null,
    resolved_at: null,
    sla: null,
    sla_target: null,
    sla_due_at: null,
    classified_by: null,
    confidence: null,
    sentiment: null,
    language: null,
    needs_triage: false,
    duplicate_of: null,
    ...overrides,
  };
}

let nextCommentId = 1;

/** A public reply by Rita Requester on ticket 1 unless said otherwise. */
export function makeComment(overrides: Partial<Comment> = {}): Comment {
  const id = overrides.id ?? nextCommentId++;
  const author = TEST_USERS.requester;
  return {
    id,
    ticket_id: 1,
    author_id: author.id,
    author_name: author.name,
    author_is_staff: false,
    body: `Comment ${id}`,
    visibility: 'public',
    via: 'web',
    created_at: new Date(Date.UTC(2026, 0, 2, 12, 0, id)).toISOString(),
    ...overrides,
  };
}

let nextEventId = 1;

/** Something Alex Agent did on ticket 1, by default a status change from open to in progress. */
export function makeEvent(overrides: Partial<TicketEvent> = {}): TicketEvent {
  const id = overrides.id ?? nextEventId++;
  const actor = TEST_USERS.agent;
  return {
    id,
    ticket_id: 1,
    kind: 'status_changed',
    actor_kind: 'user',
    actor_id: actor.id,
    actor_name: actor.name,
    from: 'open',
    to: 'in_progress',
    from_name: null,
    to_name: null,
    comment_id: null,
    visibility: 'public',
    created_at: new Date(Date.UTC(2026, 0, 2, 12, 0, id)).toISOString(),
    ...overrides,
  };
}

let nextOutboxId = 1;

/** An "Agent replied" mail to Rita Requester about ticket 1 that failed three times unless said otherwise. */
export function makeOutboxMail(overrides: Partial<OutboxMail> = {}): OutboxMail {
  const id = overrides.id ?? nextOutboxId++;
  const created = new Date(Date.UTC(2026, 0, 3, 12, 0, id)).toISOString();
  return {
    id,
    ticket_id: 1,
    template: 'agent_replied',
    to_address: TEST_USERS.requester.email,
    status: 'failed',
    attempts: 3,
    last_error: '550 5.1.1 mailbox unavailable',
    created_at: created,
    next_attempt_at: created,
    sent_at: null,
    ...overrides,
  };
}

let nextInboundId = 1;

/** A new request from someone unknown, held because its sender could not be verified, unless said otherwise. */
export function makeInboundMail(overrides: Partial<InboundMail> = {}): InboundMail {
  const id = overrides.id ?? nextInboundId++;
  return {
    id,
    from_address: 'sam@customer.example',
    from_name: 'Sam Customer',
    subject: `Question ${id}`,
    body: `Hello,\n\nquestion number ${id}.\n\nSam`,
    received_at: new Date(Date.UTC(2026, 0, 3, 12, 0, id)).toISOString(),
    status: 'held',
    reason: 'unverified_sender',
    ticket_id: null,
    ...overrides,
  };
}

/** The language model's confident answer for an English, neutral text unless said otherwise. */
export function makeClassification(overrides: Partial<Classification> = {}): Classification {
  return {
    suggested_category: 'technical',
    suggested_priority: 'high',
    source: 'llm',
    confidence: { category: 'high', priority: 'high' },
    sentiment: 'neutral',
    language: 'en',
    ...overrides,
  };
}
