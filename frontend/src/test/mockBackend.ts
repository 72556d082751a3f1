// An in-memory stand-in for the Helpdesk API, close enough to the server's contract (its
// routes, bodies, statuses and headers, as the project README's API section lists them) that
// components can be tested against real HTTP round trips through the real API modules.
import { http, HttpResponse } from 'msw';

import {
  CATEGORIES,
  PRIORITIES,
  type AuthSession,
  type Classification,
  type Invitation,
  type NewTicket,
  type SignInMethods,
  type Ticket,
  type TicketPatch,
  type TicketStats,
  type User,
  type UserChanges,
} from '../api/types';
import { makeTicket, makeUser, TEST_PASSWORD, TEST_USERS } from './fixtures';

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

const DEFAULT_METHODS: SignInMethods = { builtin: true, signup: false, public_submission: false, oidc: null };

/** Requests without an account (creates and classifications together) one client may send a minute. */
export const PUBLIC_REQUESTS_PER_MINUTE = 5;

export const db = {
  tickets: [] as Ticket[],
  users: [] as User[],
  requests: [] as RecordedRequest[],
  /** Creates by Idempotency-Key, answered again for a repeat of the same body. */
  idempotentCreates: new Map<string, IdempotentCreate>(),
  classification: { suggested_category: 'technical', suggested_priority: 'high', source: 'llm' } as Classification,
  methods: DEFAULT_METHODS,
  /** Access tokens the API accepts, and whose they are. */
  accessTokens: new Map<string, number>(),
  /** Whose refresh cookie the browser holds, if anyone's. */
  refreshCookie: null as number | null,
  /** What is left of this minute's allowance for requests without an account. */
  publicRequestsLeft: PUBLIC_REQUESTS_PER_MINUTE,
  reset() {
    this.tickets = [];
    this.users = Object.values(TEST_USERS).map((user) => ({ ...user }));
    this.requests = [];
    this.idempotentCreates = new Map();
    this.classification = { suggested_category: 'technical', suggested_priority: 'high', source: 'llm' };
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
const visibleTo = (user: User) => (ticket: Ticket) => isStaff(user) || ticket.requester_id === user.id;
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
  });
  db.tickets.push(ticket);
  if (key) db.idempotentCreates.set(key, { body: canonicalJson(body), ticket });
  return created(ticket);
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
    };
    return HttpResponse.json(stats);
  }),

  http.post('/api/tickets/classify/', async ({ request }) => {
    await record(request);
    const user = callerOrVisitor(request);
    if (user instanceof Response) return user;
    return HttpResponse.json(db.classification);
  }),

  http.get('/api/tickets/', async ({ request }) => {
    const { url } = await record(request);
    const user = caller(request);
    if (user instanceof Response) return user;
    const params = url.searchParams;
    const search = params.get('search')?.toLowerCase();
    const matching = db.tickets
      .filter(visibleTo(user))
      .filter((t) => ['category', 'priority', 'status'].every((key) => !params.get(key) || t[key as keyof Ticket] === params.get(key)))
      .filter((t) => !search || `${t.title} ${t.description}`.toLowerCase().includes(search))
      .sort(newestFirst);
    const limit = Number(params.get('limit') ?? 50);
    const offset = Number(params.get('cursor') ?? 0);
    const page = matching.slice(offset, offset + limit);
    const headers = new Headers();
    if (offset + limit < matching.length) {
      const next = new URLSearchParams(params);
      next.set('cursor', String(offset + limit));
      headers.set('Link', `</api/tickets/?${next}>; rel="next"`);
    }
    return HttpResponse.json(page, { headers });
  }),

  http.post('/api/tickets/', async ({ request }) => handleCreate(request)),

  http.get('/api/tickets/:id/', async ({ request, params }) => {
    await record(request);
    const user = caller(request);
    if (user instanceof Response) return user;
    const ticket = db.tickets.filter(visibleTo(user)).find((t) => t.id === Number(params.id));
    if (!ticket) return problem(404, 'Not Found', 'No ticket with that id.');
    return HttpResponse.json(ticket, { headers: { ETag: etagOf(ticket) } });
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
    const updated = { ...current, ...(body as TicketPatch), updated_at: new Date().toISOString() };
    db.tickets[index] = updated;
    return HttpResponse.json(updated, { headers: { ETag: etagOf(updated) } });
  }),

  ...authHandlers(),
  ...userHandlers(),
];

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
      return user instanceof Response ? user : HttpResponse.json(user);
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
