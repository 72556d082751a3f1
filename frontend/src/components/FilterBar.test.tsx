import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import { App } from '../App';
import { makeTicket } from '../test/fixtures';
import { db } from '../test/mockBackend';
import { renderWithClient } from '../test/render';
import { SEARCH_DEBOUNCE_MS, searchable } from './FilterBar';

const filters = () => within(screen.getByRole('search', { name: 'Filter tickets' }));
const lastListRequest = () => db.requestsTo('GET', '/api/tickets/').at(-1)!.url.searchParams;

function seed() {
  db.tickets.push(
    makeTicket({ title: 'Refund for double charge', category: 'billing', priority: 'high', status: 'open' }),
    makeTicket({ title: 'Invoice address wrong', category: 'billing', priority: 'low', status: 'resolved' }),
    makeTicket({ title: 'App crashes on login', category: 'technical', priority: 'critical', status: 'open' }),
  );
}

describe('FilterBar', () => {
  it('sends combined filters to the API, omits empty ones, and keeps them in the URL', async () => {
    seed();
    const { user } = renderWithClient(<App />);
    await screen.findByText('App crashes on login');
    expect([...lastListRequest().keys()]).toEqual(['limit']);

    await user.selectOptions(filters().getByRole('combobox', { name: 'Category' }), 'billing');
    await waitFor(() => expect(lastListRequest().get('category')).toBe('billing'));
    await user.selectOptions(filters().getByRole('combobox', { name: 'Status' }), 'open');
    await waitFor(() => expect(lastListRequest().get('status')).toBe('open'));

    await waitFor(() => expect(screen.queryByText('App crashes on login')).not.toBeInTheDocument());
    expect(screen.queryByText('Invoice address wrong')).not.toBeInTheDocument();
    expect(screen.getByText('Refund for double charge')).toBeInTheDocument();
    expect(lastListRequest().has('priority')).toBe(false);
    expect(new URLSearchParams(window.location.search).get('category')).toBe('billing');
    expect(new URLSearchParams(window.location.search).get('status')).toBe('open');
  });

  it('debounces the search box into one request', async () => {
    seed();
    const { user } = renderWithClient(<App />);
    await screen.findByText('App crashes on login');
    const before = db.requestsTo('GET', '/api/tickets/').length;

    await user.type(filters().getByRole('searchbox', { name: 'Search tickets' }), 'invoice');

    await waitFor(() => expect(lastListRequest().get('search')).toBe('invoice'));
    const searches = db.requestsTo('GET', '/api/tickets/').slice(before);
    expect(searches).toHaveLength(1);
    await waitFor(() => expect(screen.queryByText('App crashes on login')).not.toBeInTheDocument());
    expect(screen.getByText('Invoice address wrong')).toBeInTheDocument();
    expect(new URLSearchParams(window.location.search).get('search')).toBe('invoice');
  });

  it('searches only for three letters or digits in a row, and says so', async () => {
    seed();
    const { user } = renderWithClient(<App />);
    await screen.findByText('App crashes on login');
    const before = db.requestsTo('GET', '/api/tickets/').length;
    const box = filters().getByRole('searchbox', { name: 'Search tickets' });

    await user.type(box, 'in');
    expect(await filters().findByText(/at least three letters or digits/)).toBeInTheDocument();
    await new Promise((resolve) => setTimeout(resolve, SEARCH_DEBOUNCE_MS + 200));
    const sent = db.requestsTo('GET', '/api/tickets/').slice(before);
    expect(sent.filter((request) => request.url.searchParams.has('search'))).toEqual([]);

    await user.type(box, 'v');
    await waitFor(() => expect(lastListRequest().get('search')).toBe('inv'));
    expect(filters().queryByText(/at least three letters or digits/)).not.toBeInTheDocument();
    expect(searchable('a-b-c')).toBe(false);
    expect(searchable('Überweisung')).toBe(true);
    expect(searchable('404')).toBe(true);
  });

  it('restores filters from the URL, and clears them', async () => {
    seed();
    window.history.replaceState(null, '', '/?priority=critical&search=crash&status=bogus');
    const { user } = renderWithClient(<App />);

    expect(await screen.findByText('App crashes on login')).toBeInTheDocument();
    expect(filters().getByRole('combobox', { name: 'Priority' })).toHaveValue('critical');
    expect(filters().getByRole('combobox', { name: 'Status' })).toHaveValue('');
    expect(filters().getByRole('searchbox', { name: 'Search tickets' })).toHaveValue('crash');
    expect(Object.fromEntries(lastListRequest())).toEqual({ priority: 'critical', search: 'crash', limit: '20' });

    await user.click(filters().getByRole('button', { name: 'Clear filters' }));
    await waitFor(() => expect(window.location.search).toBe(''));
    expect(filters().getByRole('searchbox', { name: 'Search tickets' })).toHaveValue('');
    expect(await screen.findByText('Refund for double charge')).toBeInTheDocument();
  });

  it('offers to clear filters when nothing matches', async () => {
    seed();
    window.history.replaceState(null, '', '/?search=nothing-like-this');
    const { user } = renderWithClient(<App />);
    expect(await screen.findByText('No tickets match these filters')).toBeInTheDocument();
    const list = screen.getByText('No tickets match these filters').parentElement!;
    await user.click(within(list).getByRole('button', { name: 'Clear filters' }));
    expect(await screen.findByText('Refund for double charge')).toBeInTheDocument();
  });
});
