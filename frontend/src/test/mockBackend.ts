// An in-memory stand-in for the Helpdesk API, close enough to the server's contract (its
// routes, bodies, statuses and headers, as the project README's API section lists them) that
// components can be tested against real HTTP round trips through the real ticketApi module.
import { http, HttpResponse } from 'msw';

import {
  CATEGORIES,
  PRIORITIES,
  type Classification,
  type NewTicket,
  type Ticket,
  type TicketPatch,
  type TicketStats,
} from '../api/types';
import { makeTicket } from './fixtures';

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

export const db = {
  tickets: [] as Ticket[],
  requests: [] as RecordedRequest[],
  /** Creates by Idempotency-Key, answered again for a repeat of the same body. */
  idempotentCreates: new Map<string, IdempotentCreate>(),
  classification: { suggested_category: 'technical', suggested_priority: 'high', source: 'llm' } as Classification,
  reset() {
    this.tickets = [];
    this.requests = [];
    this.idempotentCreates = new Map();
    this.classification = { suggested_category: 'technical', suggested_priority: 'high', source: 'llm' };
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
export async function handleCreate(request: Request) {
  const { body, headers } = await record(request);
  const key = headers.get('Idempotency-Key');
  const earlier = key ? db.idempotentCreates.get(key) : undefined;
  if (earlier) {
    if (earlier.body !== canonicalJson(body)) {
      return problem(422, 'Unprocessable Content', 'This Idempotency-Key was already used for a different request.');
    }
    return created(earlier.ticket, { 'Idempotent-Replayed': 'true' });
  }
  const input = body as NewTicket;
  const ticket = makeTicket({
    title: input.title,
    description: input.description,
    category: input.category ?? db.classification.suggested_category,
    priority: input.priority ?? db.classification.suggested_priority,
    created_at: new Date().toISOString(),
  });
  db.tickets.push(ticket);
  if (key) db.idempotentCreates.set(key, { body: canonicalJson(body), ticket });
  return created(ticket);
}

function created(ticket: Ticket, headers: Record<string, string> = {}) {
  return HttpResponse.json(ticket, { status: 201, headers: { Location: `/api/tickets/${ticket.id}/`, ...headers } });
}

export const handlers = [
  http.get('/api/tickets/stats/', async ({ request }) => {
    await record(request);
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
    return HttpResponse.json(db.classification);
  }),

  http.get('/api/tickets/', async ({ request }) => {
    const { url } = await record(request);
    const params = url.searchParams;
    const search = params.get('search')?.toLowerCase();
    const matching = db.tickets
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
    const ticket = db.tickets.find((t) => t.id === Number(params.id));
    if (!ticket) return problem(404, 'Not Found', 'No ticket with that id.');
    return HttpResponse.json(ticket, { headers: { ETag: etagOf(ticket) } });
  }),

  http.patch('/api/tickets/:id/', async ({ request, params }) => {
    const { body, headers } = await record(request);
    const index = db.tickets.findIndex((t) => t.id === Number(params.id));
    if (index < 0) return problem(404, 'Not Found', 'No ticket with that id.');
    const current = db.tickets[index];
    const ifMatch = headers.get('If-Match');
    if (ifMatch && ifMatch !== etagOf(current)) return problem(412, 'Precondition Failed', 'The ticket has changed.');
    const updated = { ...current, ...(body as TicketPatch), updated_at: new Date().toISOString() };
    db.tickets[index] = updated;
    return HttpResponse.json(updated, { headers: { ETag: etagOf(updated) } });
  }),
];
