import { http, HttpResponse } from 'msw';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { server } from '../test/server';
import { loadRuntimeConfig, parseRuntimeConfig, RUNTIME_CONFIG_URL } from './runtimeConfig';
import { apiBaseUrl, configureApi } from './client';
import { listTickets, listTicketsAt } from './ticketApi';

function serveConfig(response: () => Response) {
  const seen: Request[] = [];
  server.use(
    http.get(RUNTIME_CONFIG_URL, ({ request }) => {
      seen.push(request);
      return response();
    }),
  );
  return seen;
}

/** A two-page ticket list on `origin`, whose Link is a path on that origin, as the server writes it. */
function serveTickets(origin: string, prefix: string) {
  const seen: string[] = [];
  server.use(
    http.get(`${origin}${prefix}/tickets/`, ({ request }) => {
      seen.push(request.url);
      const cursor = new URL(request.url).searchParams.get('cursor');
      return HttpResponse.json([], {
        headers: cursor ? {} : { Link: `<${prefix}/tickets/?cursor=abc>; rel="next"` },
      });
    }),
  );
  return seen;
}

let warn: ReturnType<typeof vi.spyOn>;

beforeEach(() => {
  warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
});

afterEach(() => {
  vi.unstubAllEnvs();
  configureApi({});
});

describe('loadRuntimeConfig', () => {
  it('reads apiBaseUrl from config.json beside index.html, bypassing the HTTP cache', async () => {
    const seen = serveConfig(() => HttpResponse.json({ apiBaseUrl: 'https://api.example.com/prod/api' }));
    expect(RUNTIME_CONFIG_URL).toBe('/config.json');
    expect(await loadRuntimeConfig()).toEqual({ apiBaseUrl: 'https://api.example.com/prod/api' });
    expect(seen).toHaveLength(1);
    expect(seen[0].cache).toBe('no-store');
    expect(warn).not.toHaveBeenCalled();
  });

  it('uses the defaults, quietly, for the shipped empty file or a missing one', async () => {
    serveConfig(() => HttpResponse.json({}));
    expect(await loadRuntimeConfig()).toEqual({});
    serveConfig(() => new HttpResponse('Not found', { status: 404 }));
    expect(await loadRuntimeConfig()).toEqual({});
    expect(warn).not.toHaveBeenCalled();
  });

  it('warns and uses the defaults when the file is malformed or unreachable', async () => {
    serveConfig(() => new HttpResponse('{"apiBaseUrl": ', { headers: { 'Content-Type': 'application/json' } }));
    expect(await loadRuntimeConfig()).toEqual({});
    expect(warn).toHaveBeenLastCalledWith(expect.stringMatching(/not valid JSON/));

    serveConfig(() => HttpResponse.error());
    expect(await loadRuntimeConfig()).toEqual({});
    expect(warn).toHaveBeenLastCalledWith(expect.stringMatching(/could not be loaded/));

    serveConfig(() => new HttpResponse('oops', { status: 500 }));
    expect(await loadRuntimeConfig()).toEqual({});
    expect(warn).toHaveBeenLastCalledWith(expect.stringMatching(/HTTP 500/));
  });

  it('ignores values it cannot use', () => {
    expect(parseRuntimeConfig('[]')).toEqual({});
    expect(parseRuntimeConfig('{"apiBaseUrl": 42}')).toEqual({});
    expect(parseRuntimeConfig('{"apiBaseUrl": "javascript:alert(1)"}')).toEqual({});
    expect(parseRuntimeConfig('{"apiBaseUrl": "//evil.example/api"}')).toEqual({});
    expect(warn).toHaveBeenCalledTimes(4);
    expect(parseRuntimeConfig('{"apiBaseUrl": " /helpdesk/api ", "other": true}')).toEqual({
      apiBaseUrl: '/helpdesk/api',
    });
  });
});

describe('the API base URL', () => {
  it('is same-origin /api by default', () => {
    configureApi({});
    expect(apiBaseUrl()).toBe('/api');
  });

  it('comes from VITE_API_BASE_URL when config.json sets nothing', async () => {
    vi.stubEnv('VITE_API_BASE_URL', 'http://build.test/api');
    serveConfig(() => HttpResponse.json({}));
    configureApi(await loadRuntimeConfig());
    const seen = serveTickets('http://build.test', '/api');
    await listTickets({});
    expect(seen).toEqual(['http://build.test/api/tickets/']);
  });

  it('comes from config.json over VITE_API_BASE_URL, and next-page links resolve on the API origin', async () => {
    vi.stubEnv('VITE_API_BASE_URL', 'http://build.test/api');
    serveConfig(() => HttpResponse.json({ apiBaseUrl: 'http://runtime.test/prod/api' }));
    configureApi(await loadRuntimeConfig());
    expect(apiBaseUrl()).toBe('http://runtime.test/prod/api');

    const seen = serveTickets('http://runtime.test', '/prod/api');
    const first = await listTickets({ status: 'open' });
    expect(first.nextUrl).toBe('/prod/api/tickets/?cursor=abc');
    await listTicketsAt(first.nextUrl!);
    // Resolved against the API's origin, not the page's (jsdom's http://localhost:3000).
    expect(seen).toEqual([
      'http://runtime.test/prod/api/tickets/?status=open',
      'http://runtime.test/prod/api/tickets/?cursor=abc',
    ]);
  });
});
