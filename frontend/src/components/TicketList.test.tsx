import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';

import { TICKETS_PAGE_SIZE } from '../api/queries/useTickets';
import { makeTicket } from '../test/fixtures';
import { db, problem } from '../test/mockBackend';
import { renderWithClient } from '../test/render';
import { server } from '../test/server';
import { TicketList } from './TicketList';

const noop = () => {};

describe('TicketList', () => {
  it('shows each ticket with badges and a relative time with the exact time on hover', async () => {
    db.tickets.push(
      makeTicket({
        title: 'Card declined',
        description: 'x'.repeat(400),
        category: 'billing',
        priority: 'critical',
        status: 'in_progress',
        created_at: new Date(Date.now() - 5 * 60_000).toISOString(),
      }),
    );
    renderWithClient(<TicketList filters={{}} onOpenTicket={noop} onClearFilters={noop} />);

    const card = await screen.findByRole('article', { name: 'Card declined' });
    expect(within(card).getByText('Billing')).toBeInTheDocument();
    expect(within(card).getByText('Critical')).toBeInTheDocument();
    expect(within(card).getByText('In progress')).toBeInTheDocument();
    const time = within(card).getByText('5 minutes ago');
    expect(time.tagName).toBe('TIME');
    expect(time).toHaveAttribute('title', expect.stringMatching(/\d/));
    expect(within(card).getByText(/^x+…$/).textContent!.length).toBeLessThan(400);
  });

  it('lists newest first and loads the next page from the Link header', async () => {
    const total = TICKETS_PAGE_SIZE + 5;
    for (let i = 0; i < total; i++) db.tickets.push(makeTicket({ title: `Ticket number ${i}` }));
    const { user } = renderWithClient(<TicketList filters={{ status: 'open' }} onOpenTicket={noop} onClearFilters={noop} />);

    const list = await screen.findByRole('list', { name: 'Tickets' });
    expect(within(list).getAllByRole('article')).toHaveLength(TICKETS_PAGE_SIZE);
    expect(within(list).getAllByRole('article')[0]).toHaveAccessibleName(`Ticket number ${total - 1}`);

    await user.click(screen.getByRole('button', { name: 'Load more' }));
    await waitFor(() => expect(within(list).getAllByRole('article')).toHaveLength(total));
    expect(screen.queryByRole('button', { name: 'Load more' })).not.toBeInTheDocument();
    const next = db.requestsTo('GET', '/api/tickets/').at(-1)!.url.searchParams;
    // The Link URL is followed as given, filters and all.
    expect(Object.fromEntries(next)).toEqual({ status: 'open', limit: String(TICKETS_PAGE_SIZE), cursor: String(TICKETS_PAGE_SIZE) });
  });

  it('has an empty state', async () => {
    renderWithClient(<TicketList filters={{}} onOpenTicket={noop} onClearFilters={noop} />);
    expect(await screen.findByText('No tickets yet')).toBeInTheDocument();
  });

  it('shows a load error and retries', async () => {
    server.use(http.get('/api/tickets/', () => problem(500, 'Internal Server Error', 'Something broke.'), { once: true }));
    const { user } = renderWithClient(<TicketList filters={{}} onOpenTicket={noop} onClearFilters={noop} />);
    expect(await screen.findByRole('alert')).toHaveTextContent('Something broke.');
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('No tickets yet')).toBeInTheDocument();
  });

  it('opens a ticket from its card', async () => {
    db.tickets.push(makeTicket({ title: 'Open me' }));
    const onOpen = vi.fn();
    const { user } = renderWithClient(<TicketList filters={{}} onOpenTicket={onOpen} onClearFilters={noop} />);
    await user.click(await screen.findByRole('link', { name: 'Open me' }));
    expect(onOpen).toHaveBeenCalledWith(expect.objectContaining({ title: 'Open me' }));
  });

  it('reads a problem answer that is not JSON gracefully', async () => {
    server.use(http.get('/api/tickets/', () => new HttpResponse('<html>Bad gateway</html>', { status: 502 })));
    renderWithClient(<TicketList filters={{}} onOpenTicket={noop} onClearFilters={noop} />);
    expect(await screen.findByRole('alert')).toHaveTextContent('The server is unreachable');
  });
});
