// The ticket endpoints. Everything above the API layer works with typed values and ApiError.
import type { AxiosResponse } from 'axios';

import { client, getRevalidated, resolveAgainstApi } from './client';
import type {
  Classification,
  NewTicket,
  QueueCounts,
  SimilarTicket,
  Ticket,
  TicketFilters,
  TicketPage,
  TicketPatch,
  TicketStats,
  VersionedTicket,
} from './types';

/** The `rel="next"` target of an RFC 8288 `Link` header, if any. */
export function parseNextLink(header: string | null | undefined): string | null {
  if (!header) return null;
  for (const linkValue of header.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>(.*)$/s.exec(linkValue);
    if (!match) continue;
    const [, url, params] = match;
    const rel = params
      .split(';')
      .map((param) => /^\s*rel\s*=\s*"?([^"]*)"?\s*$/i.exec(param)?.[1])
      .find((value) => value !== undefined);
    if (rel?.toLowerCase().split(/\s+/).includes('next')) return url;
  }
  return null;
}

/** Query parameters for `filters`: empty ones left out, a list of statuses comma-separated. */
function filterParams(filters: TicketFilters): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [key, value] of Object.entries(filters) as [string, unknown][]) {
    const text =
      Array.isArray(value) ? value.join(',') : typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
    const trimmed = typeof text === 'string' ? text.trim() : '';
    if (trimmed) params[key] = trimmed;
  }
  return params;
}

function toPage(response: AxiosResponse<Ticket[]>): TicketPage {
  return { tickets: response.data, nextUrl: parseNextLink(response.headers['link']) };
}

function toVersioned(response: AxiosResponse<Ticket>): VersionedTicket {
  const etag = response.headers['etag'];
  return { ticket: response.data, etag: typeof etag === 'string' && etag ? etag : null };
}

export async function listTickets(filters: TicketFilters, limit?: number): Promise<TicketPage> {
  const params = { ...filterParams(filters), ...(limit ? { limit: String(limit) } : {}) };
  return toPage(await getRevalidated<Ticket[]>('/tickets/', { params }));
}

/**
 * Follows a `Link: rel="next"` URL exactly as the server wrote it: a path on the API's own origin
 * (`/api/tickets/?cursor=…`, or `/prod/api/…` behind a named API Gateway stage).
 */
export async function listTicketsAt(nextUrl: string): Promise<TicketPage> {
  return toPage(await getRevalidated<Ticket[]>(resolveAgainstApi(nextUrl)));
}

export async function getTicket(id: number): Promise<VersionedTicket> {
  return toVersioned(await client.get<Ticket>(`/tickets/${id}/`));
}

/**
 * The key belongs to the draft being submitted, not to the call: every retry of one draft sends
 * the same key, so the server answers a repeat with the ticket it already created. A changed
 * draft needs a new key — the server refuses one key for two bodies (422).
 */
export async function createTicket(ticket: NewTicket, idempotencyKey: string): Promise<Ticket> {
  const response = await client.post<Ticket>('/tickets/', ticket, {
    headers: { 'Idempotency-Key': idempotencyKey },
  });
  return response.data;
}

/** With an `etag`, the server rejects the change (412) if the ticket changed meanwhile. */
export async function updateTicket(id: number, patch: TicketPatch, etag?: string | null): Promise<VersionedTicket> {
  const headers = etag ? { 'If-Match': etag } : undefined;
  return toVersioned(await client.patch<Ticket>(`/tickets/${id}/`, patch, { headers }));
}

/** Staff only: how many active tickets each queue holds. */
export async function getQueueCounts(): Promise<QueueCounts> {
  return (await client.get<QueueCounts>('/tickets/queues/')).data;
}

export async function getTicketStats(): Promise<TicketStats> {
  return (await getRevalidated<TicketStats>('/tickets/stats/')).data;
}

export async function classifyDescription(description: string): Promise<Classification> {
  return (await client.post<Classification>('/tickets/classify/', { description })).data;
}

/** Text shorter than this finds nothing: the server answers an empty list without looking. */
export const SIMILAR_MIN_CHARS = 3;

/** Up to 5 tickets the caller may see whose titles are most like `text`, most similar first. */
export async function findSimilarTickets(text: string): Promise<SimilarTicket[]> {
  const response = await client.get<{ results: SimilarTicket[] }>('/tickets/similar/', { params: { q: text } });
  return response.data.results;
}

/** A ticket's likely duplicates: up to 5 others most like it. */
export async function listLikelyDuplicates(id: number): Promise<SimilarTicket[]> {
  return (await client.get<{ results: SimilarTicket[] }>(`/tickets/${id}/similar/`)).data.results;
}

/** Closes ticket `id` as a duplicate of `into`; its requester can then follow `into`. Staff only. */
export async function mergeTicket(id: number, into: number): Promise<VersionedTicket> {
  return toVersioned(await client.post<Ticket>(`/tickets/${id}/merge/`, { into }));
}
