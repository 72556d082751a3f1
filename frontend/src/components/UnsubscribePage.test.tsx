import { screen, waitFor } from '@testing-library/react';
import { http } from 'msw';
import { describe, expect, it } from 'vitest';

import { App } from '../App';
import { TEST_USERS } from '../test/fixtures';
import { db, problem } from '../test/mockBackend';
import { renderWithClient } from '../test/render';
import { server } from '../test/server';

const TOKEN = '0123456789abcdef0123456789abcdef';

function openLink(link: string, as: 'agent' | null = null) {
  window.history.replaceState(null, '', link);
  return renderWithClient(<App />, { as });
}

const posts = () => db.requestsTo('POST', '/api/mail/unsubscribe/');

describe('the unsubscribe link of a new-ticket mail', () => {
  it('opens signed out, sends nothing until the button is pressed, then unsubscribes with the token from the fragment', async () => {
    db.newTicketSubscribers.add(TEST_USERS.agent.id);
    db.unsubscribeTokens.set(TOKEN, TEST_USERS.agent.id);
    const { user } = openLink(`/unsubscribe#${TOKEN}`);

    const button = await screen.findByRole('button', { name: 'Unsubscribe' });
    expect(screen.queryByRole('form', { name: 'Sign in with email' })).not.toBeInTheDocument();
    // A link scanner opening the page changes nothing: the session check finishes, and still no POST.
    await waitFor(() => expect(db.requestsTo('POST', '/api/auth/refresh')).toHaveLength(1));
    expect(posts()).toHaveLength(0);

    await user.click(button);
    expect(await screen.findByRole('status')).toHaveTextContent('You will no longer get new-ticket emails.');
    expect(posts()).toHaveLength(1);
    expect(posts()[0].body).toEqual({ token: TOKEN });
    expect(posts()[0].headers.get('Authorization')).toBeNull();
    expect(db.newTicketSubscribers.has(TEST_USERS.agent.id)).toBe(false);
    expect(screen.queryByRole('button', { name: 'Unsubscribe' })).not.toBeInTheDocument();
  });

  it('says clearly when the link is not valid any more', async () => {
    const { user } = openLink('/unsubscribe#ffffffffffffffffffffffffffffffff');
    await user.click(await screen.findByRole('button', { name: 'Unsubscribe' }));

    expect(await screen.findByRole('alert')).toHaveTextContent('This unsubscribe link is not valid any more.');
    expect(screen.queryByRole('button', { name: 'Unsubscribe' })).not.toBeInTheDocument();
  });

  it('offers to try again when the server fails', async () => {
    server.use(http.post('/api/mail/unsubscribe/', () => problem(503, 'Service Unavailable', 'Try again in a minute.')));
    const { user } = openLink(`/unsubscribe#${TOKEN}`);
    await user.click(await screen.findByRole('button', { name: 'Unsubscribe' }));

    expect(await screen.findByRole('alert')).toHaveTextContent('You are still subscribedTry again in a minute.');
    expect(screen.getByRole('button', { name: 'Unsubscribe' })).toBeEnabled();
  });

  it('has no button when the link lost its token', async () => {
    openLink('/unsubscribe');
    expect(await screen.findByRole('alert')).toHaveTextContent('This unsubscribe link is not complete.');
    expect(screen.queryByRole('button', { name: 'Unsubscribe' })).not.toBeInTheDocument();
  });

  it('works the same while signed in, instead of showing the tickets', async () => {
    db.newTicketSubscribers.add(TEST_USERS.agent.id);
    db.unsubscribeTokens.set(TOKEN, TEST_USERS.agent.id);
    const { user } = openLink(`/unsubscribe#${TOKEN}`, 'agent');
    await user.click(await screen.findByRole('button', { name: 'Unsubscribe' }));

    expect(await screen.findByRole('status')).toHaveTextContent('You will no longer get new-ticket emails.');
    expect(screen.queryByRole('heading', { name: 'Tickets' })).not.toBeInTheDocument();
    expect(db.newTicketSubscribers.has(TEST_USERS.agent.id)).toBe(false);
  });
});
