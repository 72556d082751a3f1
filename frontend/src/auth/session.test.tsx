import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';

import { App } from '../App';
import { makeTicket, TEST_PASSWORD, TEST_USERS } from '../test/fixtures';
import { db } from '../test/mockBackend';
import { renderWithClient } from '../test/render';
import { server } from '../test/server';

const form = () => within(screen.getByRole('region', { name: 'New ticket' }));
const title = () => form().getByRole('textbox', { name: /title/i });
const description = () => form().getByRole('textbox', { name: /description/i });

describe('an access token that expires', () => {
  it('is renewed once through the refresh cookie, and the refused call is sent again with the new one', async () => {
    db.tickets.push(makeTicket({ title: 'Printer on fire' }));
    const { user } = renderWithClient(<App />);
    await screen.findByRole('article', { name: 'Printer on fire' });
    const [firstToken] = [...db.accessTokens.keys()];
    db.expireAccessTokens();

    // The ticket's page asks for the ticket, its thread, its history and the agents together.
    await user.click(screen.getByRole('link', { name: 'Printer on fire' }));
    const page = await screen.findByRole('main');
    await waitFor(() => expect(db.requestsTo('GET', `/api/tickets/${db.tickets[0].id}/`)).toHaveLength(2));
    await within(page).findByRole('list', { name: 'History' });

    const [refused, retried] = db.requestsTo('GET', `/api/tickets/${db.tickets[0].id}/`);
    expect(refused.headers.get('Authorization')).toBe(`Bearer ${firstToken}`);
    expect(retried.headers.get('Authorization')).not.toBe(`Bearer ${firstToken}`);
    expect(db.accessTokens.has(retried.headers.get('Authorization')!.replace('Bearer ', ''))).toBe(true);
    expect(db.requestsTo('POST', '/api/auth/refresh')).toHaveLength(1);
    expect(within(page).queryByRole('alert')).not.toBeInTheDocument();
  });

  it('waits out a renewal refused for the rate limit instead of ending the session', async () => {
    db.tickets.push(makeTicket({ title: 'Printer on fire' }));
    let refusals = 1;
    server.use(
      http.post('/api/auth/refresh', () =>
        refusals-- > 0
          ? HttpResponse.json(
              { type: 'about:blank', title: 'Too Many Requests', status: 429, detail: 'Too many sign-in requests.' },
              { status: 429, headers: { 'Content-Type': 'application/problem+json', 'Retry-After': '0' } },
            )
          : undefined,
      ),
    );
    const { queryClient } = renderWithClient(<App />);
    await screen.findByRole('article', { name: 'Printer on fire' });
    db.expireAccessTokens();

    await queryClient.refetchQueries();

    expect(refusals).toBe(-1);
    expect(db.requestsTo('POST', '/api/auth/refresh')).toHaveLength(1);
    expect(screen.getByRole('article', { name: 'Printer on fire' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Sign in' })).not.toBeInTheDocument();
  });

  it('renews once for several calls refused together', async () => {
    const { queryClient } = renderWithClient(<App />);
    await screen.findByText('No tickets yet');
    db.expireAccessTokens();

    await queryClient.refetchQueries();

    expect(db.requestsTo('POST', '/api/auth/refresh')).toHaveLength(1);
    expect(screen.getByRole('group', { name: 'Total tickets' })).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('ends the session when the refresh fails too, keeping the half-written ticket for after signing in', async () => {
    const { user } = renderWithClient(<App />);
    await user.type(await screen.findByRole('textbox', { name: /title/i }), 'VPN drops');
    await user.type(description(), 'Every hour, on the hour');
    // The refresh cookie expired as well: nothing can renew the session.
    db.expireAccessTokens();
    db.refreshCookie = null;

    await user.click(form().getByRole('button', { name: 'Submit ticket' }));

    expect(await screen.findByRole('status')).toHaveTextContent(
      'Your session has ended. Please sign in again. The ticket you were writing is kept.',
    );
    expect(db.tickets).toHaveLength(0);
    const keyBefore = db.requestsTo('POST', '/api/tickets/')[0].headers.get('Idempotency-Key');

    await user.type(screen.getByRole('textbox', { name: /email/i }), TEST_USERS.agent.email);
    await user.type(screen.getByLabelText(/password/i), TEST_PASSWORD);
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByRole('textbox', { name: /title/i })).toHaveValue('VPN drops');
    expect(description()).toHaveValue('Every hour, on the hour');
    await user.click(form().getByRole('button', { name: 'Submit ticket' }));
    expect(await form().findByText(/ticket #\d+ created/i)).toBeInTheDocument();
    expect(db.tickets).toHaveLength(1);
    // The same draft, so the same key: had the first attempt gone through, this one would be its replay.
    expect(db.requestsTo('POST', '/api/tickets/').at(-1)?.headers.get('Idempotency-Key')).toBe(keyBefore);
    expect(title()).toHaveValue('');
  });

  it('keeps the draft in this tab only, never the token', async () => {
    const { user } = renderWithClient(<App />);
    await user.type(await screen.findByRole('textbox', { name: /title/i }), 'Kept across a redirect');
    await waitFor(() => expect(window.sessionStorage.getItem('helpdesk.ticket-draft')).toContain('Kept across a redirect'));
    expect(window.localStorage.length).toBe(0);
    const stored = Object.keys(window.sessionStorage).map((key) => window.sessionStorage.getItem(key)).join('\n');
    for (const token of db.accessTokens.keys()) expect(stored).not.toContain(token);
  });

  it('restores a draft kept by an earlier build, which lacks the fields added since', async () => {
    const fields = { title: 'Written before the update', description: '', category: '', priority: '', requesterEmail: '' };
    const earlier = { fields, userChose: { category: false, priority: false }, idempotencyKey: 'earlier-key', sentBody: null };
    window.sessionStorage.setItem('helpdesk.ticket-draft', JSON.stringify(earlier));
    renderWithClient(<App />);
    expect(await screen.findByRole('textbox', { name: /title/i })).toHaveValue('Written before the update');
  });
});
