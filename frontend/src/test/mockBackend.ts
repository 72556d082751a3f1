// An in-memory stand-in for the Helpdesk API, close enough to the server's contract (its
// routes, bodies, statuses and headers, as the project README's API section lists them) that
// components can be tested against real HTTP round trips through the real API modules.
import { http, HttpResponse } from 'msw';

import {
  CATEGORIES,
  COMMENT_MAX_CHARS,
  PRIORITIES,
  SENDER_NAME_MAX_CHARS,
  SLA_MAX_MINUTES,
  type Agent,
  type AuthSession,
  type Comment,
  type InboundMail,
  type InboundStatus,
  type Invitation,
  type MailSettings,
  type MailSettingsChanges,
  type NewComment,
  type NewTicket,
  type OutboxMail,
  type OutboxStatus,
  type QueueCounts,
  type SignInMethods,
  type SlaPolicy,
  type Status,
  type Ticket,
  type TicketEvent,
  type TicketPatch,
  type TicketStats,
  type User,
  type UserChanges,
} from '../api/types';
import { makeClassification, makeComment, makeEvent, makeTicket, makeUser, TEST_PASSWORD, TEST_USERS } from './fixtures';

export interface RecordedRequest {
  method: string;
  url: URL;
  headers: Headers;
  body: unknown;
}

interface IdempotentCreate {
  body: string;
  ticket: Ticket;
}

export const DEFAULT_SLA_POLICY: SlaPolicy = {
  low: { first_response_minutes: 4320, resolution_minutes: 10080 },
  medium: { first_response_minutes: 1440, resolution_minutes: 4320 },
  high: { first_response_minutes: 240, resolution_minutes: 1440 },
  critical: { first_response_minutes: 60, resolution_minutes: 240 },
};

/** The stored mail settings; the counts and the reply address example are worked out when asked. */
type StoredMailSettings = Pick<MailSettings, 'support_address' | 'sender_name' | 'transport'>;

export const DEFAULT_MAIL_SETTINGS: StoredMailSettings = {
  support_address: 'support@example.com',
  sender_name: 'Helpdesk',
  transport: 'smtp',
};

const DEFAULT_METHODS: SignInMethods = { builtin: true, signup: false, public_submission: false, oidc: null };

/** Requests without an account (creates and classifications together) one client may send a minute. */
export const PUBLIC_REQUESTS_PER_MINUTE = 5;

export const db = {
  tickets: [] as Ticket[],
  /** Every ticket's thread, internal notes included; the handlers filter by who asks. */
  comments: [] as Comment[],
  events: [] as TicketEvent[],
  slaPolicy: DEFAULT_SLA_POLICY,
  mailSettings: DEFAULT_MAIL_SETTINGS,
  outbox: [] as OutboxMail[],
  inbound: [] as InboundMail[],
  /** Staff who get a mail about every new ticket. */
  newTicketSubscribers: new Set<number>(),
  /** The tokens of the unsubscribe links mailed out, and whose they are. */
  unsubscribeTokens: new Map<string, number>(),
  users: [] as User[],
  requests: [] as RecordedRequest[],
  /** Creates by Idempotency-Key, answered again for a repeat of the same body. */
  idempotentCreates: new Map<string, IdempotentCreate>(),
  classification: makeClassification(),
  /** The writing assistance: off unless a test configures a language model. */
  assist: { available: false, failing: false, draft: 'Thanks for reporting this.', summary: 'The printer jams.' },
  methods: DEFAULT_METHODS,
  /** Access tokens the API accepts, and whose they are. */
  accessTokens: new Map<string, number>(),
  /** Whose refresh cookie the browser holds, if anyone's. */
  refreshCookie: null as number | null,
  /** What is left of this minute's allowance for requests without an account. */
  publicRequestsLeft: PUBLIC_REQUESTS_PER_MINUTE,
  reset() {
    this.tickets = [];
    this.comments = [];
    this.events = [];
    this.slaPolicy = DEFAULT_SLA_POLICY;
    this.mailSettings = DEFAULT_MAIL_SETTINGS;
    this.outbox = [];
    this.inbound = [];
    this.newTicketSubscribers = new Set();
    this.unsubscribeTokens = new Map();
    this.users = Object.values(TEST_USERS).map((user) => ({ ...user }));
    this.requests = [];
    this.idempotentCreates = new Map();
    this.classification = makeClassification();
    this.assist = { available: false, failing: false, draft: 'Thanks for reporting this.', summary: 'The printer jams.' };
    this.methods = DEFAULT_METHODS;
    this.accessTokens = new Map();
    this.refreshCookie = null;
    this.publicRequestsLeft = PUBLIC_REQUESTS_PER_MINUTE;
  },
  /** A new sign-in for `user`: an access token, and the refresh cookie the browser now holds. */
  startSession(user: User): AuthSession {
    this.refreshCookie = user.id;
    const access_token = `token-${user.id}-${this.accessTokens.size + 1}-${Math.random().toString(36).slice(2)}`;
    this.accessTokens.set(access_token, user.id);
    return { access_token, token_type: 'Bearer', expires_in: 900, user };
  },
  /** Every access token given out so far expires, as after 15 minutes; the refresh cookie stays. */
  expireAccessTokens() {
    this.accessTokens.clear();
  },
  requestsTo(method: string, pathname: string) {
    return this.requests.filter((r) => r.method === method && r.url.pathname === pathname);
  },
  /** A line of a ticket's history, numbered after the ones already there. */
  addEvent(event: Partial<TicketEvent> & Pick<TicketEvent, 'ticket_id' | 'kind'>): TicketEvent {
    const added = makeEvent({ id: this.events.length + 1, created_at: new Date().toISOString(), ...event });
    this.events.push(added);
    return added;
  },
};

export function problem(status: number, title: string, detail?: string, errors?: Record<string, string[]>) {
  return HttpResponse.json(
    { type: 'about:blank', title, status, ...(detail ? { detail } : {}), ...(errors ? { errors } : {}) },
    { status, headers: { 'Content-Type': 'application/problem+json' } },
  );
}

export async function record(request: Request): Promise<RecordedRequest> {
  const text = request.method === 'GET' ? '' : await request.clone().text();
  const entry = { method: request.method, url: new URL(request.url), headers: request.headers, body: text ? JSON.parse(text) : undefined };
  db.requests.push(entry);
  return entry;
}

function unauthorized(detail = 'Sign in to do this: send a valid access token (Authorization: Bearer …).') {
  const response = problem(401, 'Unauthorized', detail);
  response.headers.set('WWW-Authenticate', 'Bearer realm="helpdesk"');
  return response;
}

/** The caller, or the 401 the API answers a request without a valid token with. */
function caller(request: Request): User | Response {
  const token = /^Bearer (.+)$/.exec(request.headers.get('Authorization') ?? '')?.[1];
  const userId = token ? db.accessTokens.get(token) : undefined;
  const user = db.users.find((u) => u.id === userId && !u.disabled);
  return user ?? unauthorized();
}

/**
 * For the routes open to visitors where `PUBLIC_SUBMISSION` is on: the caller, null for a visitor
 * still within the allowance (which this call spends), or the 401 or 429 the API answers.
 */
function callerOrVisitor(request: Request): User | null | Response {
  if (request.headers.has('Authorization') || !db.methods.public_submission) return caller(request);
  if (db.publicRequestsLeft <= 0) {
    const response = problem(429, 'Too Many Requests', 'Too many submissions from your address. Retry in a minute.');
    response.headers.set('Retry-After', '60');
    return response;
  }
  db.publicRequestsLeft -= 1;
  return null;
}

type Requester = Pick<User, 'email' | 'name'> & { id: number | null };

const EMAIL = /^[^@\s]+@[^@\s]+$/;

/** Who a visitor's ticket is for, as the API checks it: both fields, and an address. */
function visitorRequester({ requester_email: email, requester_name: name }: NewTicket): Requester | Response {
  if (!email || !name) {
    const required = ['is required without an account'];
    return problem(400, 'Bad Request', 'The request has invalid fields.', { requester_email: required, requester_name: required });
  }
  if (!EMAIL.test(email.trim())) {
    return problem(400, 'Bad Request', 'The request has invalid fields.', {
      requester_email: ['must be an email address such as ada@example.com'],
    });
  }
  return { id: null, email: email.trim(), name: name.trim() };
}

const isStaff = (user: User) => user.role !== 'requester';
const ACTIVE: readonly Status[] = ['open', 'in_progress'];
const isActive = (ticket: Ticket) => ACTIVE.includes(ticket.status);

/** What the API shows a requester of a ticket: no service-level targets and no triage (but duplicates). */
function asSeenBy(user: User | null, ticket: Ticket): Ticket {
  if (user && isStaff(user)) return ticket;
  return {
    ...ticket,
    first_response_due_at: null,
    resolution_due_at: null,
    sla: null,
    sla_target: null,
    sla_due_at: null,
    classified_by: null,
    confidence: null,
    sentiment: null,
    language: null,
    needs_triage: null,
  };
}

/** The triage members of a new ticket: the classifier's when it set a label, else a person's. */
function triageOf({ category, priority }: NewTicket): Pick<Ticket, 'classified_by' | 'confidence' | 'sentiment' | 'language' | 'needs_triage'> {
  const { source, confidence, sentiment, language } = db.classification;
  if (category && priority) return { classified_by: 'person', confidence: null, sentiment, language, needs_triage: false };
  const needsTriage = (!category && confidence.category === 'low') || (!priority && confidence.priority === 'low');
  return { classified_by: source, confidence, sentiment, language, needs_triage: needsTriage };
}

/** The actor fields of an event done by `user` (a visitor's create is the system's). */
function actor(user: User | null): Pick<TicketEvent, 'actor_kind' | 'actor_id' | 'actor_name'> {
  return user
    ? { actor_kind: 'user', actor_id: user.id, actor_name: user.name }
    : { actor_kind: 'system', actor_id: null, actor_name: null };
}

/**
 * A page of `items` by offset, with a `Link` to the next one that keeps the query, as the
 * server's keyset cursors do.
 */
function paged<T>(items: T[], url: URL, defaultLimit = 50) {
  const params = url.searchParams;
  const limit = Number(params.get('limit') ?? defaultLimit);
  const offset = Number(params.get('cursor') ?? 0);
  const headers = new Headers();
  if (offset + limit < items.length) {
    const next = new URLSearchParams(params);
    next.set('cursor', String(offset + limit));
    headers.set('Link', `<${url.pathname}?${next}>; rel="next"`);
  }
  return HttpResponse.json(items.slice(offset, offset + limit), { headers });
}

const staffAccounts = () => db.users.filter((u) => isStaff(u) && !u.disabled);
/** Staff see every ticket; a requester their own, and those their own were merged into. */
const visibleTo = (user: User) => (ticket: Ticket) =>
  isStaff(user) ||
  ticket.requester_id === user.id ||
  db.tickets.some((own) => own.requester_id === user.id && own.duplicate_of === ticket.id);
const forbidden = (detail: string) => problem(403, 'Forbidden', detail);
const taken = () => problem(409, 'Conflict', 'A value of this request is already taken.', { email: ['is already registered'] });

const newestFirst = (a: Ticket, b: Ticket) => b.created_at.localeCompare(a.created_at) || b.id - a.id;
const etagOf = (ticket: Ticket) => `"${ticket.id}-${ticket.updated_at}"`;

function countBy<K extends string>(keys: readonly K[], pick: (t: Ticket) => string): Record<K, number> {
  return Object.fromEntries(keys.map((key) => [key, db.tickets.filter((t) => pick(t) === key).length])) as Record<K, number>;
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, member: unknown) =>
    member && typeof member === 'object' && !Array.isArray(member)
      ? Object.fromEntries(Object.entries(member).sort(([a], [b]) => a.localeCompare(b)))
      : member,
  );
}

/**
 * POST /api/tickets/, recorded. A repeated Idempotency-Key with the same body is answered with
 * the first ticket (and `Idempotent-Replayed: true`) and creates nothing; with another body, 422.
 */
async function handleCreate(request: Request) {
  const { body, headers } = await record(request);
  const user = callerOrVisitor(request);
  if (user instanceof Response) return user;
  const key = headers.get('Idempotency-Key');
  const earlier = key ? db.idempotentCreates.get(key) : undefined;
  if (earlier) {
    if (earlier.body !== canonicalJson(body)) {
      return problem(422, 'Unprocessable Content', 'This Idempotency-Key was already used for a different request.');
    }
    return created(earlier.ticket, { 'Idempotent-Replayed': 'true' });
  }
  const input = body as NewTicket;
  if (user && input.requester_email && !isStaff(user)) {
    return forbidden('Only agents can file a ticket for someone else; leave out requester_email.');
  }
  const requester = !user
    ? visitorRequester(input)
    : input.requester_email
      ? accountFor(input.requester_email, input.requester_name)
      : user;
  if (requester instanceof Response) return requester;
  const ticket = makeTicket({
    title: input.title,
    description: input.description,
    category: input.category ?? db.classification.suggested_category,
    priority: input.priority ?? db.classification.suggested_priority,
    created_at: new Date().toISOString(),
    requester_id: requester.id,
    requester_email: requester.email,
    requester_name: requester.name,
    ...triageOf(input),
  });
  db.tickets.push(ticket);
  db.addEvent({ ticket_id: ticket.id, kind: 'created', ...actor(user), from: null, to: null });
  if (key) db.idempotentCreates.set(key, { body: canonicalJson(body), ticket });
  return created(asSeenBy(user, ticket));
}

/** A create that reaches the API, which makes the ticket, but whose answer never arrives. */
export function createWithLostAnswer(options?: { once?: boolean }) {
  return http.post(
    '/api/tickets/',
    async ({ request }) => {
      await handleCreate(request);
      return HttpResponse.error();
    },
    options,
  );
}

function accountFor(email: string, name?: string): User {
  const known = db.users.find((u) => u.email.toLowerCase() === email.toLowerCase());
  if (known) return known;
  const account = makeUser({ id: Math.max(...db.users.map((u) => u.id)) + 1, email, name: name ?? email });
  db.users.push(account);
  return account;
}

function created(ticket: Ticket, headers: Record<string, string> = {}) {
  return HttpResponse.json(ticket, { status: 201, headers: { Location: `/api/tickets/${ticket.id}/`, ...headers } });
}

export const handlers = [
  http.get('/api/tickets/stats/', async ({ request }) => {
    await record(request);
    const user = caller(request);
    if (user instanceof Response) return user;
    if (!isStaff(user)) return forbidden('Only agents see the statistics.');
    const stats: TicketStats = {
      total_tickets: db.tickets.length,
      open_tickets: db.tickets.filter((t) => t.status === 'open').length,
      avg_tickets_per_day: db.tickets.length,
      priority_breakdown: countBy(PRIORITIES, (t) => t.priority),
      category_breakdown: countBy(CATEGORIES, (t) => t.category),
      open_by_assignee: staffAccounts()
        .map((u) => ({ assignee_id: u.id, assignee_name: u.name, tickets: db.tickets.filter((t) => isActive(t) && t.assignee_id === u.id).length }))
        .filter((load) => load.tickets > 0),
      unassigned_open: db.tickets.filter((t) => isActive(t) && t.assignee_id === null).length,
      sla_breached: db.tickets.filter((t) => t.sla === 'breached').length,
      needs_triage: db.tickets.filter((t) => isActive(t) && t.needs_triage).length,
      median_first_response_minutes: null,
      median_resolution_minutes: null,
    };
    return HttpResponse.json(stats);
  }),

  http.post('/api/tickets/classify/', async ({ request }) => {
    await record(request);
    const user = callerOrVisitor(request);
    if (user instanceof Response) return user;
    return HttpResponse.json(db.classification);
  }),

  http.get('/api/tickets/queues/', async ({ request }) => {
    await record(request);
    const user = caller(request);
    if (user instanceof Response) return user;
    if (!isStaff(user)) return forbidden('Only agents work the queues.');
    const active = db.tickets.filter(isActive);
    const counts: QueueCounts = {
      mine: active.filter((t) => t.assignee_id === user.id).length,
      unassigned: active.filter((t) => t.assignee_id === null).length,
      due_soon: active.filter((t) => t.sla === 'due_soon').length,
      breached: active.filter((t) => t.sla === 'breached').length,
      needs_triage: active.filter((t) => t.needs_triage).length,
      all: db.tickets.length,
    };
    return HttpResponse.json(counts);
  }),

  http.get('/api/tickets/', async ({ request }) => {
    const { url } = await record(request);
    const user = caller(request);
    if (user instanceof Response) return user;
    const params = url.searchParams;
    if (!isStaff(user)) {
      const staffOnly = ['assignee', 'sla', 'needs_triage'].filter((key) => params.has(key));
      if (staffOnly.length > 0) {
        return problem(400, 'Bad Request', 'The request has invalid fields.', Object.fromEntries(staffOnly.map((key) => [key, ['is a filter for agents and admins']])));
      }
    }
    const search = params.get('search')?.toLowerCase();
    const statuses = params.get('status')?.split(',');
    const assignee = params.get('assignee');
    const sla = params.get('sla');
    const needsTriage = params.get('needs_triage');
    const matching = db.tickets
      .filter(visibleTo(user))
      .filter((t) => ['category', 'priority'].every((key) => !params.get(key) || t[key as keyof Ticket] === params.get(key)))
      .filter((t) => !statuses || statuses.includes(t.status))
      .filter((t) => !assignee || t.assignee_id === (assignee === 'me' ? user.id : assignee === 'none' ? null : Number(assignee)))
      .filter((t) => !sla || t.sla === sla)
      .filter((t) => !needsTriage || t.needs_triage === (needsTriage === 'true'))
      .filter((t) => !search || `${t.title} ${t.description}`.toLowerCase().includes(search))
      .sort(sla ? (a, b) => (a.sla_due_at ?? '').localeCompare(b.sla_due_at ?? '') || a.id - b.id : newestFirst)
      .map((t) => asSeenBy(user, t));
    return paged(matching, url);
  }),

  http.post('/api/tickets/', async ({ request }) => handleCreate(request)),

  // Before `/api/tickets/:id/`, which would take `similar` and `assist` for ids.
  ...triageHandlers(),

  http.get('/api/tickets/:id/', async ({ request, params }) => {
    await record(request);
    const user = caller(request);
    if (user instanceof Response) return user;
    const ticket = db.tickets.filter(visibleTo(user)).find((t) => t.id === Number(params.id));
    if (!ticket) return problem(404, 'Not Found', 'No ticket with that id.');
    return HttpResponse.json(asSeenBy(user, ticket), { headers: { ETag: etagOf(ticket) } });
  }),

  http.patch('/api/tickets/:id/', async ({ request, params }) => {
    const { body, headers } = await record(request);
    const user = caller(request);
    if (user instanceof Response) return user;
    const index = db.tickets.findIndex((t) => t.id === Number(params.id) && visibleTo(user)(t));
    if (index < 0) return problem(404, 'Not Found', 'No ticket with that id.');
    if (!isStaff(user) && JSON.stringify(body) !== JSON.stringify({ status: 'closed' })) {
      return forbidden('You can only close your own tickets.');
    }
    const current = db.tickets[index];
    const ifMatch = headers.get('If-Match');
    if (ifMatch && ifMatch !== etagOf(current)) return problem(412, 'Precondition Failed', 'The ticket has changed.');
    const patch = body as TicketPatch;
    if (patch.assignee_id !== undefined && patch.assignee_id !== null && !staffAccounts().some((u) => u.id === patch.assignee_id)) {
      return problem(400, 'Bad Request', 'The request has invalid fields.', { assignee_id: ['must be an enabled agent or admin'] });
    }
    const relabelled = isStaff(user) && (patch.category !== undefined || patch.priority !== undefined);
    const updated: Ticket = {
      ...current,
      ...patch,
      ...(relabelled ? { classified_by: 'person', needs_triage: false } : {}),
      updated_at: later(current.updated_at),
    };
    db.tickets[index] = updated;
    recordChanges(user, current, updated);
    return HttpResponse.json(asSeenBy(user, updated), { headers: { ETag: etagOf(updated) } });
  }),

  ...conversationHandlers(),
  ...staffHandlers(),
  ...authHandlers(),
  ...userHandlers(),
  ...mailHandlers(),
];

/** Now, or just after `previous` when the clock has not moved on: each version has its own tag. */
function later(previous: string): string {
  const now = new Date();
  const after = new Date(new Date(previous).getTime() + 1);
  return (now > after ? now : after).toISOString();
}

const CHANGE_KINDS = { status: 'status_changed', category: 'category_changed', priority: 'priority_changed' } as const;

/** The history lines a change makes, as the server writes them. */
function recordChanges(user: User | null, before: Ticket, after: Ticket) {
  const who = user ? actor(user) : actor(null);
  for (const [field, kind] of Object.entries(CHANGE_KINDS) as [keyof typeof CHANGE_KINDS, string][]) {
    if (before[field] !== after[field]) db.addEvent({ ticket_id: after.id, kind, ...who, from: before[field], to: after[field] });
  }
  if (before.assignee_id !== after.assignee_id) {
    const name = (id: number | null) => db.users.find((u) => u.id === id)?.name ?? null;
    db.addEvent({
      ticket_id: after.id,
      kind: 'assignee_changed',
      ...who,
      from: before.assignee_id === null ? null : String(before.assignee_id),
      to: after.assignee_id === null ? null : String(after.assignee_id),
      from_name: name(before.assignee_id),
      to_name: name(after.assignee_id),
    });
  }
}

/** Words of three letters or more, for a rough likeness of two titles. */
function wordsOf(text: string): Set<string> {
  return new Set(text.toLowerCase().match(/\p{L}{3,}/gu) ?? []);
}

/** Up to 5 tickets `user` may see whose titles share the most words with `text`, most similar first. */
function similarTo(user: User, text: string, except?: number) {
  const words = wordsOf(text);
  return db.tickets
    .filter(visibleTo(user))
    .filter((t) => t.id !== except)
    .map((t) => {
      const theirs = wordsOf(t.title);
      const shared = [...words].filter((word) => theirs.has(word)).length;
      const similarity = shared / (new Set([...words, ...theirs]).size || 1);
      return { id: t.id, title: t.title, status: t.status, created_at: t.created_at, similarity };
    })
    .filter((result) => result.similarity > 0)
    .sort((a, b) => b.similarity - a.similarity || b.id - a.id)
    .slice(0, 5);
}

/** Similar tickets, merging a duplicate, and the writing assistance (staff, with a language model). */
function triageHandlers() {
  const notFound = () => problem(404, 'Not Found', 'No ticket with that id.');
  const staffTicket = (request: Request, id: unknown) => {
    const user = caller(request);
    if (user instanceof Response) return user;
    if (!isStaff(user)) return forbidden('Only agents may do this.');
    return db.tickets.find((t) => t.id === Number(id)) ?? notFound();
  };
  const modelSilent = () => problem(503, 'Service Unavailable', 'The language model did not answer; write the reply yourself.');
  return [
    http.get('/api/tickets/similar/', async ({ request }) => {
      const { url } = await record(request);
      const user = caller(request);
      if (user instanceof Response) return user;
      const text = url.searchParams.get('q')?.trim() ?? '';
      return HttpResponse.json({ results: [...text].length < 3 ? [] : similarTo(user, text) });
    }),

    http.get('/api/tickets/assist/', async ({ request }) => {
      await record(request);
      const user = caller(request);
      if (user instanceof Response) return user;
      if (!isStaff(user)) return forbidden('Only agents may do this.');
      return HttpResponse.json({ available: db.assist.available });
    }),

    http.get('/api/tickets/:id/similar/', async ({ request, params }) => {
      await record(request);
      const user = caller(request);
      if (user instanceof Response) return user;
      const ticket = db.tickets.filter(visibleTo(user)).find((t) => t.id === Number(params.id));
      if (!ticket) return notFound();
      return HttpResponse.json({ results: similarTo(user, ticket.title, ticket.id) });
    }),

    http.post('/api/tickets/:id/merge/', async ({ request, params }) => {
      const { body } = await record(request);
      const user = caller(request);
      if (user instanceof Response) return user;
      if (!isStaff(user)) return forbidden('Only agents merge tickets.');
      const ticket = db.tickets.find((t) => t.id === Number(params.id));
      if (!ticket) return notFound();
      const { into } = (body ?? {}) as { into?: unknown };
      if (typeof into !== 'number' || !Number.isInteger(into) || into < 1) {
        return problem(422, 'Unprocessable Content', 'The request has invalid fields.', { into: ['must be a ticket id'] });
      }
      if (into === ticket.id) {
        return problem(422, 'Unprocessable Content', 'The request has invalid fields.', { into: ['must be another ticket'] });
      }
      const target = db.tickets.find((t) => t.id === into);
      if (!target) return notFound();
      if (ticket.duplicate_of !== null) return problem(409, 'Conflict', `#${ticket.id} is already a duplicate of #${ticket.duplicate_of}.`);
      if (target.duplicate_of !== null) return problem(409, 'Conflict', `#${into} is itself a duplicate of #${target.duplicate_of}.`);
      const merged: Ticket = { ...ticket, status: 'closed', duplicate_of: into, updated_at: later(ticket.updated_at) };
      db.tickets[db.tickets.indexOf(ticket)] = merged;
      recordChanges(user, ticket, merged);
      for (const [on, text] of [
        [ticket.id, `Closed as a duplicate of #${into}.`],
        [into, `#${ticket.id} was merged into this ticket.`],
      ] as const) {
        db.comments.push(
          makeComment({
            id: db.comments.length + 1,
            ticket_id: on,
            author_id: user.id,
            author_name: user.name,
            author_is_staff: true,
            body: text,
            created_at: new Date().toISOString(),
          }),
        );
      }
      return HttpResponse.json(merged);
    }),

    http.post('/api/tickets/:id/reply-draft/', async ({ request, params }) => {
      await record(request);
      const ticket = staffTicket(request, params.id);
      if (ticket instanceof Response) return ticket;
      if (!db.assist.available || db.assist.failing) return modelSilent();
      return HttpResponse.json({ draft: db.assist.draft });
    }),

    http.post('/api/tickets/:id/summary/', async ({ request, params }) => {
      await record(request);
      const ticket = staffTicket(request, params.id);
      if (ticket instanceof Response) return ticket;
      if (!db.assist.available || db.assist.failing) return modelSilent();
      return HttpResponse.json({ summary: db.assist.summary });
    }),
  ];
}

/** Comments and events: requesters get the public ones of their own tickets only. */
function conversationHandlers() {
  const ticketFor = (user: User, id: unknown) => db.tickets.filter(visibleTo(user)).find((t) => t.id === Number(id));
  const readable = (user: User) => (item: { visibility: string }) => isStaff(user) || item.visibility === 'public';
  const notFound = () => problem(404, 'Not Found', 'No ticket with that id.');
  return [
    http.get('/api/tickets/:id/comments/', async ({ request, params }) => {
      const { url } = await record(request);
      const user = caller(request);
      if (user instanceof Response) return user;
      const ticket = ticketFor(user, params.id);
      if (!ticket) return notFound();
      return paged(db.comments.filter((c) => c.ticket_id === ticket.id).filter(readable(user)).sort((a, b) => a.id - b.id), url);
    }),

    http.post('/api/tickets/:id/comments/', async ({ request, params }) => {
      const { body } = await record(request);
      const user = caller(request);
      if (user instanceof Response) return user;
      const ticket = ticketFor(user, params.id);
      if (!ticket) return notFound();
      const { body: text, visibility = 'public' } = body as NewComment;
      if (typeof text !== 'string' || !text.trim()) {
        return problem(400, 'Bad Request', 'The request has invalid fields.', { body: ['must not be blank'] });
      }
      if ([...text].length > COMMENT_MAX_CHARS) {
        return problem(400, 'Bad Request', 'The request has invalid fields.', { body: [`must be at most ${COMMENT_MAX_CHARS} characters`] });
      }
      if (visibility === 'internal' && !isStaff(user)) return forbidden('Internal notes are for agents and admins; leave out visibility to reply.');
      if (!isStaff(user) && ticket.status === 'closed') {
        return problem(409, 'Conflict', 'This ticket is closed: open a new ticket to follow up.');
      }
      const comment = makeComment({
        id: db.comments.length + 1,
        ticket_id: ticket.id,
        author_id: user.id,
        author_name: user.name,
        author_is_staff: isStaff(user),
        body: text,
        visibility,
        created_at: new Date().toISOString(),
      });
      db.comments.push(comment);
      db.addEvent({ ticket_id: ticket.id, kind: 'comment_added', ...actor(user), from: null, to: null, comment_id: comment.id, visibility });
      const index = db.tickets.indexOf(ticket);
      const nextStatus: Status | null =
        visibility !== 'public' ? null
        : !isStaff(user) && ticket.status === 'resolved' ? 'open'
        : isStaff(user) && ticket.status === 'open' ? 'in_progress'
        : null;
      const firstResponse = isStaff(user) && visibility === 'public' && !ticket.first_responded_at;
      if (nextStatus || firstResponse) {
        const updated: Ticket = {
          ...ticket,
          status: nextStatus ?? ticket.status,
          first_responded_at: firstResponse ? comment.created_at : ticket.first_responded_at,
          updated_at: later(ticket.updated_at),
        };
        db.tickets[index] = updated;
        recordChanges(null, ticket, updated);
      }
      return HttpResponse.json(comment, { status: 201 });
    }),

    http.get('/api/tickets/:id/events/', async ({ request, params }) => {
      const { url } = await record(request);
      const user = caller(request);
      if (user instanceof Response) return user;
      const ticket = ticketFor(user, params.id);
      if (!ticket) return notFound();
      return paged(db.events.filter((e) => e.ticket_id === ticket.id).filter(readable(user)).sort((a, b) => a.id - b.id), url);
    }),
  ];
}

/** Routes for agents and admins: who can be assigned, and the service-level targets. */
function staffHandlers() {
  const staff = (request: Request) => {
    const user = caller(request);
    if (user instanceof Response || isStaff(user)) return user;
    return forbidden('Only agents may do this.');
  };
  return [
    http.get('/api/agents/', async ({ request }) => {
      await record(request);
      const user = staff(request);
      if (user instanceof Response) return user;
      const agents: Agent[] = staffAccounts()
        .map(({ id, name, email, role }) => ({ id, name, email, role }))
        .sort((a, b) => a.name.localeCompare(b.name));
      return HttpResponse.json(agents);
    }),

    http.get('/api/sla-policy/', async ({ request }) => {
      await record(request);
      const user = staff(request);
      return user instanceof Response ? user : HttpResponse.json(db.slaPolicy);
    }),

    http.put('/api/sla-policy/', async ({ request }) => {
      const { body } = await record(request);
      const user = staff(request);
      if (user instanceof Response) return user;
      if (user.role !== 'admin') return forbidden('Only admins change the targets.');
      const policy = body as SlaPolicy;
      const errors: Record<string, string[]> = {};
      for (const priority of PRIORITIES) {
        const targets = policy[priority];
        for (const key of ['first_response_minutes', 'resolution_minutes'] as const) {
          const minutes = targets?.[key];
          if (!Number.isInteger(minutes) || minutes < 1 || minutes > SLA_MAX_MINUTES) {
            errors[`${priority}.${key}`] = ['must be a whole number of minutes from 1 to 525600 (a year)'];
          }
        }
        if (targets && targets.first_response_minutes > targets.resolution_minutes) {
          errors[`${priority}.resolution_minutes`] = ['must be at least first_response_minutes'];
        }
      }
      if (Object.keys(errors).length > 0) return problem(400, 'Bad Request', 'The request has invalid fields.', errors);
      db.slaPolicy = policy;
      return HttpResponse.json(policy);
    }),
  ];
}

function authHandlers() {
  const signedIn = (user: User, status = 200) => HttpResponse.json(db.startSession(user), { status });
  return [
    http.get('/api/auth/methods', () => HttpResponse.json(db.methods)),

    http.post('/api/auth/login', async ({ request }) => {
      const { body } = await record(request);
      const { email, password } = body as { email: string; password: string };
      const user = db.users.find((u) => u.email === email && !u.disabled);
      if (!user || password !== TEST_PASSWORD) return unauthorized('The email or password is incorrect.');
      return signedIn(user);
    }),

    http.post('/api/auth/refresh', async ({ request }) => {
      await record(request);
      const user = db.users.find((u) => u.id === db.refreshCookie && !u.disabled);
      if (!user) {
        db.refreshCookie = null;
        return unauthorized('unknown or expired refresh token');
      }
      return signedIn(user);
    }),

    http.post('/api/auth/logout', async ({ request }) => {
      await record(request);
      db.refreshCookie = null;
      return new HttpResponse(null, { status: 204 });
    }),

    http.post('/api/auth/signup', async ({ request }) => {
      const { body } = await record(request);
      if (!db.methods.signup) return forbidden('Sign-up is off here: ask an admin for an account.');
      const { email, name } = body as { email: string; name: string };
      if (db.users.some((u) => u.email === email)) {
        return taken();
      }
      return signedIn(accountFor(email, name), 201);
    }),

    http.get('/api/me', async ({ request }) => {
      await record(request);
      const user = caller(request);
      return user instanceof Response ? user : HttpResponse.json({ ...user, notify_new_tickets: db.newTicketSubscribers.has(user.id) });
    }),
  ];
}

/** The admin-only account routes; an admin cannot disable or demote themself (409). */
function userHandlers() {
  const admin = (request: Request) => {
    const user = caller(request);
    if (user instanceof Response || user.role === 'admin') return user;
    return forbidden('Only admins manage accounts.');
  };
  return [
    http.get('/api/users/', async ({ request }) => {
      const { url } = await record(request);
      const user = admin(request);
      if (user instanceof Response) return user;
      const after = Number(url.searchParams.get('after') ?? 0);
      return HttpResponse.json(db.users.filter((u) => u.id > after).slice(0, 100));
    }),

    http.post('/api/users/', async ({ request }) => {
      const { body } = await record(request);
      const user = admin(request);
      if (user instanceof Response) return user;
      const invitation = body as Invitation;
      if (db.users.some((u) => u.email === invitation.email)) return taken();
      const account = accountFor(invitation.email, invitation.name);
      account.role = invitation.role ?? 'requester';
      return HttpResponse.json(account, { status: 201 });
    }),

    http.patch('/api/users/:id/', async ({ request, params }) => {
      const { body } = await record(request);
      const user = admin(request);
      if (user instanceof Response) return user;
      const index = db.users.findIndex((u) => u.id === Number(params.id));
      if (index < 0) return problem(404, 'Not Found', 'There is no such account.');
      const changed = { ...db.users[index], ...(body as UserChanges) };
      if (changed.id === user.id && (changed.role !== 'admin' || changed.disabled)) {
        return problem(409, 'Conflict', 'You cannot disable or demote your own account: another admin can.');
      }
      db.users[index] = changed;
      return HttpResponse.json(changed);
    }),
  ];
}

/** The email channel: settings and failed mail for admins, held mail and own notifications for staff. */
function mailHandlers() {
  const staff = (request: Request) => {
    const user = caller(request);
    if (user instanceof Response || isStaff(user)) return user;
    return forbidden('Only agents may do this.');
  };
  const admin = (request: Request) => {
    const user = caller(request);
    if (user instanceof Response || user.role === 'admin') return user;
    return forbidden('Only admins manage email.');
  };
  const invalid = (errors: Record<string, string[]>) =>
    problem(422, 'Unprocessable Content', 'The request has invalid fields.', errors);
  const settings = (): MailSettings => {
    const { support_address } = db.mailSettings;
    const [local, domain] = support_address?.split('@') ?? [];
    return {
      ...db.mailSettings,
      reply_address_example: support_address ? `${local}+<token>@${domain}` : null,
      queued: db.outbox.filter((mail) => mail.status === 'queued').length,
      failed: db.outbox.filter((mail) => mail.status === 'failed').length,
    };
  };
  const latestFirst = <T extends { id: number }>(a: T, b: T) => b.id - a.id;
  const heldMail = (id: unknown) => db.inbound.find((mail) => mail.id === Number(id));
  const notHeld = () => problem(409, 'Conflict', 'Only held mail can be accepted or discarded.');

  return [
    http.get('/api/mail/settings/', async ({ request }) => {
      await record(request);
      const user = admin(request);
      return user instanceof Response ? user : HttpResponse.json(settings());
    }),

    http.put('/api/mail/settings/', async ({ request }) => {
      const { body } = await record(request);
      const user = admin(request);
      if (user instanceof Response) return user;
      const { support_address, sender_name } = body as MailSettingsChanges;
      const errors: Record<string, string[]> = {};
      if (support_address !== null && !EMAIL.test(support_address)) errors.support_address = ['must be an email address'];
      if (!sender_name.trim()) errors.sender_name = ['must not be blank'];
      else if ([...sender_name].length > SENDER_NAME_MAX_CHARS) errors.sender_name = ['must be at most 100 characters'];
      else if (/\p{Cc}/u.test(sender_name)) errors.sender_name = ['must not contain control characters'];
      if (Object.keys(errors).length > 0) return invalid(errors);
      db.mailSettings = { ...db.mailSettings, support_address, sender_name };
      return HttpResponse.json(settings());
    }),

    http.get('/api/mail/outbox/', async ({ request }) => {
      const { url } = await record(request);
      const user = admin(request);
      if (user instanceof Response) return user;
      const status = (url.searchParams.get('status') ?? 'failed') as OutboxStatus;
      return HttpResponse.json(db.outbox.filter((mail) => mail.status === status).sort(latestFirst).slice(0, 100));
    }),

    http.post('/api/mail/outbox/:id/retry/', async ({ request, params }) => {
      await record(request);
      const user = admin(request);
      if (user instanceof Response) return user;
      const mail = db.outbox.find((m) => m.id === Number(params.id));
      if (!mail) return problem(404, 'Not Found', 'There is no such mail.');
      if (mail.status !== 'failed') return problem(409, 'Conflict', 'Only a failed mail can be retried.');
      Object.assign(mail, { status: 'queued', next_attempt_at: new Date().toISOString() });
      return HttpResponse.json(mail);
    }),

    http.get('/api/mail/inbound/', async ({ request }) => {
      const { url } = await record(request);
      const user = staff(request);
      if (user instanceof Response) return user;
      const status = (url.searchParams.get('status') ?? 'held') as InboundStatus;
      return HttpResponse.json(db.inbound.filter((mail) => mail.status === status).sort(latestFirst).slice(0, 100));
    }),

    http.post('/api/mail/inbound/:id/accept/', async ({ request, params }) => {
      await record(request);
      const user = staff(request);
      if (user instanceof Response) return user;
      const mail = heldMail(params.id);
      if (!mail) return problem(404, 'Not Found', 'There is no such mail.');
      if (mail.status !== 'held') return notHeld();
      const requester = accountFor(mail.from_address, mail.from_name ?? undefined);
      const ticket = makeTicket({
        title: mail.subject,
        description: mail.body ?? '',
        created_at: new Date().toISOString(),
        requester_id: requester.id,
        requester_email: requester.email,
        requester_name: requester.name,
      });
      db.tickets.push(ticket);
      db.addEvent({ ticket_id: ticket.id, kind: 'created', ...actor(null), from: null, to: null });
      Object.assign(mail, { status: 'released', ticket_id: ticket.id });
      return HttpResponse.json(mail);
    }),

    http.post('/api/mail/inbound/:id/discard/', async ({ request, params }) => {
      await record(request);
      const user = staff(request);
      if (user instanceof Response) return user;
      const mail = heldMail(params.id);
      if (!mail) return problem(404, 'Not Found', 'There is no such mail.');
      if (mail.status !== 'held') return notHeld();
      mail.status = 'discarded';
      return HttpResponse.json(mail);
    }),

    http.put('/api/me/notifications/', async ({ request }) => {
      const { body } = await record(request);
      const user = staff(request);
      if (user instanceof Response) return user;
      const { new_tickets } = body as { new_tickets: unknown };
      if (typeof new_tickets !== 'boolean') return invalid({ new_tickets: ['must be true or false'] });
      if (new_tickets) db.newTicketSubscribers.add(user.id);
      else db.newTicketSubscribers.delete(user.id);
      return HttpResponse.json({ new_tickets });
    }),

    http.post('/api/mail/unsubscribe/', async ({ request }) => {
      const { body } = await record(request);
      const userId = db.unsubscribeTokens.get((body as { token?: string }).token ?? '');
      if (userId === undefined) return problem(404, 'Not Found', 'This unsubscribe link is unknown.');
      db.newTicketSubscribers.delete(userId);
      return HttpResponse.json({ unsubscribed: true });
    }),
  ];
}
