import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';

import { problem } from '../test/mockBackend';
import { server } from '../test/server';
import { ApiError, describeError } from './errors';
import { setCredentials } from './client';
import { createTicket, getTicket, getTicketStats, listTickets, parseNextLink } from './ticketApi';

describe('parseNextLink', () => {
  it('finds the rel="next" target among several links', () => {
    expect(parseNextLink('</api/tickets/?cursor=abc>; rel="next"')).toBe('/api/tickets/?cursor=abc');
    expect(parseNextLink('</a?x=1,2>; rel="prev", </b?cursor=z>; rel=next')).toBe('/b?cursor=z');
    expect(parseNextLink('</b>; title="next one"; rel="last"')).toBeNull();
    expect(parseNextLink(undefined)).toBeNull();
  });
});

describe('errors', () => {
  it('turns a validation problem into an ApiError with field errors', async () => {
    server.use(
      http.post('/api/tickets/', () =>
        problem(400, 'Validation failed', 'Invalid fields.', { title: ['must be at most 200 characters'] }),
      ),
    );
    const error = await createTicket({ title: 'x', description: 'y' }, 'key-1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, title: 'Validation failed', detail: 'Invalid fields.' });
    expect((error as ApiError).fieldMessages('title')).toEqual(['must be at most 200 characters']);
    expect(describeError(error)).toBe('Validation failed. Invalid fields.');
  });

  it('maps a 404 and a network failure', async () => {
    server.use(http.get('/api/tickets/:id/', () => problem(404, 'Not Found', 'No ticket 9.')));
    await expect(getTicket(9)).rejects.toMatchObject({ status: 404, detail: 'No ticket 9.' });

    server.use(http.get('/api/tickets/:id/', () => HttpResponse.error()));
    const offline = await getTicket(9).catch((e: unknown) => e);
    expect(offline).toMatchObject({ status: 0, isNetworkError: true });
    expect(describeError(offline)).toMatch(/could not reach the server/i);
  });

  it('returns the ETag of a single ticket', async () => {
    server.use(
      http.get('/api/tickets/:id/', () =>
        HttpResponse.json({ id: 3 }, { headers: { ETag: 'W/"abc"' } }),
      ),
    );
    expect(await getTicket(3)).toMatchObject({ etag: 'W/"abc"' });
  });
});

describe('conditional requests', () => {
  it('revalidates a list with its ETag and answers a 304 with the page kept', async () => {
    const seen: (string | null)[] = [];
    let version = 1;
    server.use(
      http.get('/api/tickets/', ({ request }) => {
        const tag = `"c${version}.0.ab"`;
        seen.push(request.headers.get('If-None-Match'));
        if (request.headers.get('If-None-Match') === tag) {
          return new HttpResponse(null, { status: 304, headers: { ETag: tag } });
        }
        return HttpResponse.json([{ id: version }], {
          headers: { ETag: tag, Link: '</api/tickets/?cursor=x>; rel="next"' },
        });
      }),
    );
    const first = await listTickets({ status: ['open'] }, 20);
    const again = await listTickets({ status: ['open'] }, 20);
    expect(again).toEqual(first);
    expect(again).toMatchObject({ tickets: [{ id: 1 }], nextUrl: '/api/tickets/?cursor=x' });
    version = 2;
    expect(await listTickets({ status: ['open'] }, 20)).toMatchObject({ tickets: [{ id: 2 }] });
    // Another filter is another answer, asked for without a tag.
    await listTickets({ status: ['closed'] }, 20);
    expect(seen).toEqual([null, '"c1.0.ab"', '"c1.0.ab"', null]);
  });

  it('forgets the kept answers at sign-out, so the next account never sees them', async () => {
    const seen: (string | null)[] = [];
    server.use(
      http.get('/api/tickets/stats/', ({ request }) => {
        seen.push(request.headers.get('If-None-Match'));
        return HttpResponse.json({ total_tickets: 1 }, { headers: { ETag: '"c1.0.cd"' } });
      }),
    );
    await getTicketStats();
    await getTicketStats();
    setCredentials(null);
    await getTicketStats();
    expect(seen).toEqual([null, '"c1.0.cd"', null]);
  });
});
