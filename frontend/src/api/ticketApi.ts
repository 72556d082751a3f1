// The only module that knows the API's URLs, headers and error format. Everything above it
// works with typed values and ApiError.
import axios, { AxiosError, type AxiosResponse } from 'axios';

import { ApiError, type FieldErrors } from './errors';
import type { RuntimeConfig } from './runtimeConfig';
import type {
  Classification,
  NewTicket,
  Ticket,
  TicketFilters,
  TicketPage,
  TicketPatch,
  TicketStats,
  VersionedTicket,
} from './types';

/** Where the API is when nothing configures it: the SPA's own origin, as nginx and the server serve it. */
export const DEFAULT_API_BASE_URL = '/api';

/**
 * The API base URL, by precedence: the runtime `config.json` (so one build can be promoted
 * across environments), then `VITE_API_BASE_URL` at build time, then same-origin `/api`.
 * An absolute URL on another origin needs that API to allow this origin (CORS).
 */
export function resolveApiBaseUrl(runtime: RuntimeConfig = {}): string {
  return runtime.apiBaseUrl || import.meta.env.VITE_API_BASE_URL || DEFAULT_API_BASE_URL;
}

// Classification may wait up to the server's 10 s model budget; leave headroom above it.
const REQUEST_TIMEOUT_MS = 20_000;

const client = axios.create({
  baseURL: resolveApiBaseUrl(),
  timeout: REQUEST_TIMEOUT_MS,
  headers: { Accept: 'application/json' },
});

/** Points every later request at the configured API; called once at start-up (main.tsx). */
export function configureApi(runtime: RuntimeConfig): void {
  client.defaults.baseURL = resolveApiBaseUrl(runtime);
}

export function apiBaseUrl(): string {
  return client.defaults.baseURL ?? DEFAULT_API_BASE_URL;
}

client.interceptors.response.use(undefined, (error: unknown) => Promise.reject(toApiError(error)));

const STATUS_TITLES: Record<number, string> = {
  400: 'The request was not accepted',
  404: 'Not found',
  409: 'Conflict',
  412: 'This ticket was changed by someone else',
  413: 'The request is too large',
  415: 'Unsupported content type',
  429: 'Too many requests — please wait a moment and try again',
  500: 'The server ran into an error',
  502: 'The server is unreachable',
  503: 'The service is temporarily unavailable',
  504: 'The server took too long to answer',
};

function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (!(error instanceof AxiosError)) {
    return new ApiError({ status: 0, title: 'Unexpected error', detail: String(error) });
  }
  const response = error.response;
  if (!response) {
    const timedOut = error.code === AxiosError.ECONNABORTED || error.code === AxiosError.ETIMEDOUT;
    return new ApiError({
      status: 0,
      title: timedOut ? 'Request timed out' : 'Network error',
      detail: timedOut
        ? 'The server took too long to answer. Please try again.'
        : 'Could not reach the server. Check your connection and try again.',
    });
  }
  const problem = asProblem(response.data);
  return new ApiError({
    status: response.status,
    title: problem?.title || STATUS_TITLES[response.status] || `Request failed (HTTP ${response.status})`,
    detail: problem?.detail ?? null,
    fieldErrors: problem?.errors ?? {},
  });
}

interface Problem {
  title?: string;
  detail?: string;
  errors?: FieldErrors;
}

/** Reads an RFC 9457 problem document defensively: a proxy may answer with anything. */
function asProblem(body: unknown): Problem | null {
  if (typeof body !== 'object' || body === null) return null;
  const { title, detail, errors } = body as Record<string, unknown>;
  const problem: Problem = {};
  if (typeof title === 'string') problem.title = title;
  if (typeof detail === 'string') problem.detail = detail;
  if (typeof errors === 'object' && errors !== null) {
    problem.errors = Object.fromEntries(
      Object.entries(errors).map(([field, messages]) => [
        field,
        Array.isArray(messages) ? messages.map(String) : [String(messages)],
      ]),
    );
  }
  return problem;
}

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

/**
 * The server writes next-page links as paths on its own origin (`/api/tickets/?cursor=…`, or
 * `/prod/api/…` behind a named API Gateway stage); resolve them against the API's origin, which
 * is not the page's when the API base URL is absolute.
 */
function resolveAgainstApi(url: string): string {
  const apiBase = new URL(apiBaseUrl(), window.location.href);
  return new URL(url, apiBase).toString();
}

function filterParams(filters: TicketFilters): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [key, value] of Object.entries(filters)) {
    const trimmed = typeof value === 'string' ? value.trim() : '';
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
  return toPage(await client.get<Ticket[]>('/tickets/', { params }));
}

/** Follows a `Link: rel="next"` URL exactly as the server wrote it. */
export async function listTicketsAt(nextUrl: string): Promise<TicketPage> {
  return toPage(await client.get<Ticket[]>(resolveAgainstApi(nextUrl)));
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

export async function getTicketStats(): Promise<TicketStats> {
  return (await client.get<TicketStats>('/tickets/stats/')).data;
}

export async function classifyDescription(description: string): Promise<Classification> {
  return (await client.post<Classification>('/tickets/classify/', { description })).data;
}
