// The one HTTP client: where the API is, the bearer token on every request, one renewal and one
// retry after a 401, and problem+json answers turned into ApiError. The endpoint modules beside
// it (ticketApi, authApi, usersApi) are the only code that knows URLs.
import axios, { AxiosError, type AxiosRequestConfig, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';

import { ApiError, type FieldErrors } from './errors';
import type { RuntimeConfig } from './runtimeConfig';

declare module 'axios' {
  interface AxiosRequestConfig {
    /** A sign-in call itself (login, refresh…): no bearer token, no renewal on 401. */
    session?: boolean;
    /** Already sent again after a renewal: a second 401 is final. */
    retriedAfterRenewal?: boolean;
  }
}

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

export const client = axios.create({
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

/** Resolves a path the server wrote (a `Link` target) against the API's origin, not the page's. */
export function resolveAgainstApi(url: string): string {
  const apiBase = new URL(apiBaseUrl(), window.location.href);
  return new URL(url, apiBase).toString();
}

/**
 * The signed-in caller's credentials, in this module's memory only: never in Web Storage or a
 * cookie a script can read. `renew` gets a fresh access token (the refresh cookie, or the
 * OpenID provider's silent renewal) or null when the session is over; `onEnded` is told so.
 */
export interface Credentials {
  accessToken: string;
  renew: () => Promise<string | null>;
  onEnded: () => void;
}

let credentials: Credentials | null = null;
let renewal: Promise<string | null> | null = null;

export function setCredentials(next: Credentials | null): void {
  credentials = next;
  renewal = null;
  revalidated.clear();
}

/** A new access token for the same session (an OpenID provider's silent renewal). */
export function replaceAccessToken(accessToken: string): void {
  if (credentials) credentials = { ...credentials, accessToken };
}

/** One renewal at a time: the 401s of requests sent together all wait for the same one. */
function renewOnce(current: Credentials): Promise<string | null> {
  renewal ??= current
    .renew()
    .catch(() => null)
    .then((accessToken) => {
      renewal = null;
      if (credentials !== current) return credentials?.accessToken ?? null;
      if (accessToken) {
        credentials = { ...current, accessToken };
      } else {
        credentials = null;
        current.onEnded();
      }
      return accessToken;
    });
  return renewal;
}

function withToken(config: InternalAxiosRequestConfig, accessToken: string): InternalAxiosRequestConfig {
  config.headers.set('Authorization', `Bearer ${accessToken}`);
  return config;
}

client.interceptors.request.use((config) => {
  if (!config.session && credentials) withToken(config, credentials.accessToken);
  return config;
});

client.interceptors.response.use(undefined, async (error: unknown) => {
  const config = error instanceof AxiosError ? error.config : undefined;
  const current = credentials;
  if (error instanceof AxiosError && error.response?.status === 401 && config && !config.session && current) {
    if (config.retriedAfterRenewal) {
      // Refused even with a token just renewed: the session cannot be saved.
      setCredentials(null);
      current.onEnded();
    } else if (config.headers.get('Authorization') !== `Bearer ${current.accessToken}`) {
      // Sent before the last renewal (or before sign-in): the token held now may be accepted.
      return client.request({ ...config, retriedAfterRenewal: true } as AxiosRequestConfig);
    } else {
      const accessToken = await renewOnce(current);
      if (accessToken) return client.request({ ...config, retriedAfterRenewal: true } as AxiosRequestConfig);
    }
  }
  return Promise.reject(toApiError(error));
});

/**
 * The last answer with an `ETag` of each polled URL, in this module's memory (cleared at every
 * sign-in and sign-out), so that asking again costs the server a version check: `If-None-Match`,
 * and a `304 Not Modified` is answered with the kept response.
 */
const revalidated = new Map<string, { etag: string; response: AxiosResponse<unknown> }>();
/** Enough for the lists, pages and filters one session polls; the oldest is dropped first. */
const REVALIDATED_MAX = 50;

/** GET `url`, revalidating the answer kept from the last time instead of downloading it again. */
export async function getRevalidated<T>(url: string, config: AxiosRequestConfig = {}): Promise<AxiosResponse<T>> {
  const key = client.getUri({ ...config, url });
  const kept = revalidated.get(key);
  const response = await client.get<T>(url, {
    ...config,
    headers: kept ? { ...config.headers, 'If-None-Match': kept.etag } : config.headers,
    validateStatus: (status) => (status >= 200 && status < 300) || (status === 304 && kept !== undefined),
  });
  revalidated.delete(key);
  if (response.status === 304 && kept) {
    revalidated.set(key, kept);
    return kept.response as AxiosResponse<T>;
  }
  const etag = response.headers['etag'];
  if (typeof etag === 'string' && etag) {
    revalidated.set(key, { etag, response });
    if (revalidated.size > REVALIDATED_MAX) revalidated.delete(revalidated.keys().next().value as string);
  }
  return response;
}

const STATUS_TITLES: Record<number, string> = {
  400: 'The request was not accepted',
  401: 'Please sign in',
  403: 'You are not allowed to do this',
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
    retryAfterSeconds: retryAfterSeconds(response.headers['retry-after']),
  });
}

/** `Retry-After` as seconds from now (it may be a number of seconds or an HTTP date); null without one. */
function retryAfterSeconds(header: unknown): number | null {
  if (typeof header !== 'string' || !header.trim()) return null;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - Date.now()) / 1000));
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
