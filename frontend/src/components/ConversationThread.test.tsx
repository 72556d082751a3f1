import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import { App } from '../App';
import { makeComment, makeTicket, TEST_USERS } from '../test/fixtures';
import { db } from '../test/mockBackend';
import { renderWithClient } from '../test/render';

function openTicketPage(as: 'agent' | 'requester' = 'agent') {
  window.history.replaceState(null, '', '/tickets/1');
  return renderWithClient(<App />, { as });
}

const thread = () => within(screen.getByRole('list', { name: 'Conversation' }));
const agent = TEST_USERS.agent;

describe('the conversation on a ticket page', () => {
  it('shows the request, then replies and notes oldest first, internal notes labelled in words', async () => {
    db.tickets.push(makeTicket({ id: 1, title: 'VPN drops', description: 'It drops every hour.' }));
    db.comments.push(
      makeComment({ id: 1, body: 'Since Monday.' }),
      makeComment({ id: 2, author_id: agent.id, author_name: agent.name, author_is_staff: true, body: 'Checking the logs.', visibility: 'internal' }),
      makeComment({ id: 3, author_id: agent.id, author_name: agent.name, author_is_staff: true, body: 'Fixed, please retry.' }),
    );
    openTicketPage();

    await screen.findByRole('article', { name: 'Internal note by Alex Agent' });
    const messages = thread().getAllByRole('article');
    expect(messages.map((message) => message.getAttribute('aria-label'))).toEqual([
      'Request from Rita Requester',
      'Reply from Rita Requester',
      'Internal note by Alex Agent',
      'Reply from Alex Agent',
    ]);
    expect(messages[0]).toHaveTextContent('It drops every hour.');
    expect(within(messages[2]).getByText('Internal note')).toBeInTheDocument();
    expect(within(messages[2]).getByText('Only staff can see this.')).toBeInTheDocument();
    expect(within(messages[3]).queryByText('Internal note')).not.toBeInTheDocument();
    expect(within(messages[3]).getByText('Support')).toBeInTheDocument();
  });

  it('renders bodies as text with their line breaks, linking only http and https addresses', async () => {
    db.tickets.push(makeTicket({ id: 1 }));
    const body = [
      'Line one',
      'Line two <b>not bold</b> <img src=x onerror=alert(1)>',
      'Docs: https://example.com/help?topic=vpn.',
      'Also http://intranet.example/wiki',
      'javascript:alert(document.cookie)',
      'data:text/html,<script>alert(1)</script>',
      'mailto:help@example.com',
    ].join('\n');
    db.comments.push(makeComment({ id: 1, body }));
    openTicketPage();

    const reply = await screen.findByRole('article', { name: 'Reply from Rita Requester' });
    const text = within(reply).getByText(/Line one/);
    expect(text.textContent).toBe(body);
    expect(text).toHaveClass('whitespace-pre-wrap');
    expect(reply.querySelector('b, img, script')).toBeNull();

    const links = within(reply).getAllByRole('link');
    expect(links.map((link) => link.getAttribute('href'))).toEqual(['https://example.com/help?topic=vpn', 'http://intranet.example/wiki']);
    for (const link of links) {
      expect(link).toHaveAttribute('target', '_blank');
      expect(link).toHaveAttribute('rel', 'noopener noreferrer nofollow');
    }
    expect(within(reply).queryByRole('link', { name: /javascript|data:|mailto/ })).not.toBeInTheDocument();
  });

  it('pages through a long thread with the Link header', async () => {
    db.tickets.push(makeTicket({ id: 1 }));
    for (let id = 1; id <= 55; id++) db.comments.push(makeComment({ id, body: `Message number ${id}` }));
    const { user } = openTicketPage();

    expect(await screen.findByText('Message number 50')).toBeInTheDocument();
    expect(screen.queryByText('Message number 51')).not.toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Load more' }));
    expect(await screen.findByText('Message number 55')).toBeInTheDocument();
    const requests = db.requestsTo('GET', '/api/tickets/1/comments/');
    expect(requests.at(-1)!.url.searchParams.get('cursor')).toBe('50');
    expect(screen.queryByRole('button', { name: 'Load more' })).not.toBeInTheDocument();
  });

  it('marks a reply that came by email, and only those', async () => {
    db.tickets.push(makeTicket({ id: 1 }));
    db.comments.push(
      makeComment({ id: 1, body: 'Sent from my phone', via: 'email' }),
      makeComment({ id: 2, body: 'Typed in the app' }),
      // From a server that predates the email channel.
      makeComment({ id: 3, body: 'Says nothing of its way', via: undefined }),
    );
    openTicketPage();

    await screen.findByText('Says nothing of its way');
    const [, byEmail, byWeb, unsaid] = thread().getAllByRole('article');
    expect(byEmail).toHaveTextContent('Sent from my phone');
    expect(within(byEmail).getByText('by email')).toBeVisible();
    expect(byEmail).toHaveTextContent('Received by email');
    expect(byWeb).not.toHaveTextContent(/by email/);
    expect(unsaid).not.toHaveTextContent(/by email/);
  });

  it('shows a requester the public thread only', async () => {
    db.tickets.push(makeTicket({ id: 1 }));
    db.comments.push(
      makeComment({ id: 1, author_id: agent.id, author_name: agent.name, author_is_staff: true, body: 'Secret triage note', visibility: 'internal' }),
      makeComment({ id: 2, author_id: agent.id, author_name: agent.name, author_is_staff: true, body: 'Public answer' }),
    );
    openTicketPage('requester');
    expect(await screen.findByText('Public answer')).toBeInTheDocument();
    expect(screen.queryByText('Secret triage note')).not.toBeInTheDocument();
  });
});
