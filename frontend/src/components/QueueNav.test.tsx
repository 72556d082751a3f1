import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import { App } from '../App';
import { makeTicket, TEST_USERS } from '../test/fixtures';
import { db } from '../test/mockBackend';
import { renderWithClient } from '../test/render';

const queues = () => within(screen.getByRole('navigation', { name: 'Queues' }));
const queue = (label: string) => queues().getByRole('link', { name: new RegExp(`^${label}(,|$)`) });
const filters = () => within(screen.getByRole('search', { name: 'Filter tickets' }));
const lastListRequest = () => Object.fromEntries(db.requestsTo('GET', '/api/tickets/').at(-1)!.url.searchParams);
const list = () => within(screen.getByRole('list', { name: 'Tickets' }));
const soon = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();

function seed() {
  const me = TEST_USERS.agent.id;
  db.tickets.push(
    makeTicket({ title: 'Mine and open', assignee_id: me, sla: 'ok', sla_target: 'first_response', sla_due_at: soon(300) }),
    makeTicket({ title: 'Mine but resolved', assignee_id: me, status: 'resolved' }),
    makeTicket({ title: 'Nobody has it', sla: 'due_soon', sla_target: 'first_response', sla_due_at: soon(20) }),
    makeTicket({ title: 'Late one', assignee_id: TEST_USERS.admin.id, status: 'in_progress', sla: 'breached', sla_target: 'resolution', sla_due_at: soon(-90) }),
  );
}

describe('the queues beside the list', () => {
  it('count the tickets of each queue: the active ones in the personal queues, every one in All', async () => {
    seed();
    renderWithClient(<App />);

    await waitFor(() => expect(queue('Mine')).toHaveAccessibleName('Mine, 1 ticket'));
    expect(queue('Unassigned')).toHaveAccessibleName('Unassigned, 1 ticket');
    expect(queue('Due soon')).toHaveAccessibleName('Due soon, 1 ticket');
    expect(queue('Breached')).toHaveAccessibleName('Breached, 1 ticket');
    expect(queue('All')).toHaveAccessibleName('All, 4 tickets');
    expect(queue('All')).toHaveAttribute('aria-current', 'page');
    expect(queue('Breached').querySelector('.bg-rose-600')).not.toBeNull();
  });

  it('narrow the list as the server filters them, and live in the URL', async () => {
    seed();
    const { user } = renderWithClient(<App />);
    await screen.findByRole('article', { name: 'Late one' });

    await user.click(queue('Mine'));
    await waitFor(() => expect(lastListRequest()).toMatchObject({ assignee: 'me', status: 'open,in_progress' }));
    expect(await list().findByRole('article', { name: 'Mine and open' })).toBeInTheDocument();
    await waitFor(() => expect(list().getAllByRole('article')).toHaveLength(1));
    expect(queue('Mine')).toHaveAttribute('aria-current', 'page');
    expect(window.location.search).toBe('?queue=mine');
    // The status filter says what the queue already narrows to.
    expect(filters().getByRole('combobox', { name: 'Status' })).toHaveDisplayValue('Open or in progress');

    await user.click(queue('Unassigned'));
    await waitFor(() => expect(lastListRequest()).toMatchObject({ assignee: 'none', status: 'open,in_progress' }));
    expect(await list().findByRole('article', { name: 'Nobody has it' })).toBeInTheDocument();

    await user.click(queue('Due soon'));
    await waitFor(() => expect(lastListRequest()).toMatchObject({ sla: 'due_soon' }));
    expect(lastListRequest()).not.toHaveProperty('assignee');
    expect(await list().findByRole('article', { name: 'Nobody has it' })).toHaveTextContent('SLA due soon: Response due in 19m');

    await user.click(queue('Breached'));
    await waitFor(() => expect(lastListRequest()).toMatchObject({ sla: 'breached' }));
    const late = await list().findByRole('article', { name: 'Late one' });
    expect(late).toHaveTextContent('Resolution overdue by 1h');
    expect(late).toHaveTextContent('Assigned to Ada Admin');

    await user.click(queue('All'));
    await waitFor(() => expect(Object.keys(lastListRequest())).toEqual(['limit']));
    expect(window.location.search).toBe('');

    // Back goes through the queues the user chose.
    window.history.back();
    await waitFor(() => expect(queue('Breached')).toHaveAttribute('aria-current', 'page'));
  });

  it('keep the filter bar within the queue, and a chosen status replaces the queue’s', async () => {
    seed();
    window.history.replaceState(null, '', '/?queue=mine');
    const { user } = renderWithClient(<App />);
    await screen.findByRole('article', { name: 'Mine and open' });

    await user.selectOptions(filters().getByRole('combobox', { name: 'Status' }), 'resolved');
    await waitFor(() => expect(lastListRequest()).toMatchObject({ assignee: 'me', status: 'resolved' }));
    expect(await list().findByRole('article', { name: 'Mine but resolved' })).toBeInTheDocument();
    expect(new URLSearchParams(window.location.search).get('queue')).toBe('mine');
  });

  it('say when a queue is empty', async () => {
    window.history.replaceState(null, '', '/?queue=breached');
    renderWithClient(<App />);
    expect(await screen.findByText('Nothing in Breached')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Clear filters' })).not.toBeInTheDocument();
  });

  it('count again after the agent takes a ticket', async () => {
    seed();
    const { user } = renderWithClient(<App />);
    await waitFor(() => expect(queue('Mine')).toHaveAccessibleName('Mine, 1 ticket'));

    await user.click(list().getByRole('link', { name: 'Nobody has it' }));
    await user.click(await screen.findByRole('button', { name: 'Assign to me' }));
    await screen.findByText('Assignee saved.');
    await user.click(screen.getByRole('link', { name: /Back to tickets/ }));

    await waitFor(() => expect(queue('Mine')).toHaveAccessibleName('Mine, 2 tickets'));
    expect(queue('Unassigned')).toHaveAccessibleName('Unassigned, 0 tickets');
  });

  it('count again when a queue is chosen, so the count agrees with the list just fetched', async () => {
    seed();
    const { user } = renderWithClient(<App />);
    await waitFor(() => expect(queue('Unassigned')).toHaveAccessibleName('Unassigned, 1 ticket'));
    // Someone else files a ticket meanwhile.
    db.tickets.push(makeTicket({ title: 'Just in' }));

    await user.click(queue('Unassigned'));
    expect(await list().findByRole('article', { name: 'Just in' })).toBeInTheDocument();
    await waitFor(() => expect(queue('Unassigned')).toHaveAccessibleName('Unassigned, 2 tickets'));
    expect(queue('All')).toHaveAccessibleName('All, 5 tickets');
  });

  it('are not shown to requesters, who are not sent counts', async () => {
    seed();
    renderWithClient(<App />, { as: 'requester' });
    await screen.findByRole('heading', { name: 'My tickets' });
    expect(screen.queryByRole('navigation', { name: 'Queues' })).not.toBeInTheDocument();
    expect(db.requestsTo('GET', '/api/tickets/queues/')).toHaveLength(0);
  });
});
