import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import { App } from '../App';
import { makeTicket, TEST_USERS } from '../test/fixtures';
import { db } from '../test/mockBackend';
import { renderWithClient } from '../test/render';

const nav = () => within(screen.getByRole('navigation', { name: 'Pages' }));
const filters = () => within(screen.getByRole('search', { name: 'Filter tickets' }));

describe('what each role sees', () => {
  it('a requester: their own tickets and the form, no statistics, and only the filters that help them', async () => {
    db.tickets.push(makeTicket({ title: 'My laptop' }));
    renderWithClient(<App />, { as: 'requester' });

    expect(await screen.findByRole('heading', { name: 'My tickets' })).toBeInTheDocument();
    expect(await screen.findByRole('article', { name: 'My laptop' })).toBeInTheDocument();
    expect(nav().getByRole('link', { name: 'My tickets' })).toHaveAttribute('aria-current', 'page');
    expect(nav().queryByRole('link', { name: 'Users' })).not.toBeInTheDocument();
    expect(screen.queryByRole('heading', { name: 'Overview' })).not.toBeInTheDocument();
    expect(filters().getAllByRole('combobox')).toHaveLength(1);
    expect(filters().getByRole('combobox', { name: 'Status' })).toBeInTheDocument();
    expect(screen.getByRole('region', { name: 'New ticket' })).toBeInTheDocument();
    expect(screen.queryByRole('textbox', { name: /on behalf of/i })).not.toBeInTheDocument();
    expect(db.requestsTo('GET', '/api/tickets/stats/')).toHaveLength(0);
  });

  it('a requester may only close their own ticket, from its page', async () => {
    db.tickets.push(makeTicket({ id: 4, title: 'Resolved already', status: 'resolved' }));
    db.tickets.push(makeTicket({ id: 5, title: 'Done with', status: 'closed' }));
    const { user } = renderWithClient(<App />, { as: 'requester' });

    await user.click(await screen.findByRole('link', { name: 'Resolved already' }));
    expect(await screen.findByRole('heading', { name: 'Resolved already' })).toBeInTheDocument();
    expect(screen.queryByRole('combobox')).not.toBeInTheDocument();
    await user.click(await screen.findByRole('button', { name: 'Close ticket…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Close “Resolved already”?' });
    await user.click(within(dialog).getByRole('button', { name: 'Close ticket' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    const [patch] = db.requestsTo('PATCH', '/api/tickets/4/');
    expect(patch.body).toEqual({ status: 'closed' });
    expect(patch.headers.get('If-Match')).toMatch(/^"4-/);
    expect(db.tickets[0].status).toBe('closed');
    await waitFor(() => expect(screen.getByRole('main')).toHaveTextContent('Status: Closed'));
    expect(screen.queryByRole('button', { name: 'Close ticket…' })).not.toBeInTheDocument();
    expect(screen.getByText('This ticket is closed. If you need more help, submit a new ticket.')).toBeInTheDocument();
  });

  it('an agent: the queue with who asked, every filter, the statistics, and the ticket page with its controls, but no Users page', async () => {
    db.tickets.push(makeTicket({ title: 'Rita needs help' }));
    const { user } = renderWithClient(<App />, { as: 'agent' });

    const card = await screen.findByRole('article', { name: 'Rita needs help' });
    expect(card).toHaveTextContent(`From ${TEST_USERS.requester.name}`);
    expect(card).toHaveTextContent('Unassigned');
    expect(screen.getByRole('heading', { name: 'Tickets' })).toBeInTheDocument();
    expect(await screen.findByRole('group', { name: 'Total tickets' })).toBeInTheDocument();
    expect(screen.getByRole('navigation', { name: 'Queues' })).toBeInTheDocument();
    for (const name of ['Category', 'Priority', 'Status']) expect(filters().getByRole('combobox', { name })).toBeInTheDocument();
    expect(nav().queryByRole('link', { name: 'Users' })).not.toBeInTheDocument();

    await user.click(within(card).getByRole('link', { name: 'Rita needs help' }));
    expect(window.location.pathname).toBe(`/tickets/${db.tickets[0].id}`);
    const details = await screen.findByRole('region', { name: 'Details' });
    expect(within(details).getByRole('combobox', { name: 'Status' })).toBeInTheDocument();
    expect(within(details).getByRole('combobox', { name: 'Assignee' })).toBeInTheDocument();
    expect(screen.getByRole('main')).toHaveTextContent(/From Rita Requester <rita@example.com>/);
  });

  it('the service-level target and the assignee are for staff: on the cards and on the page', async () => {
    const dueAt = new Date(Date.now() + 30 * 60_000).toISOString();
    db.tickets.push(
      makeTicket({ title: 'Slow VPN', assignee_id: TEST_USERS.agent.id, sla: 'due_soon', sla_target: 'first_response', sla_due_at: dueAt }),
    );
    const asAgent = renderWithClient(<App />, { as: 'agent' });
    const agentCard = await screen.findByRole('article', { name: 'Slow VPN' });
    expect(agentCard).toHaveTextContent('SLA due soon: Response due in 29m');
    await waitFor(() => expect(agentCard).toHaveTextContent('Assigned to Alex Agent'));
    asAgent.unmount();

    const { user } = renderWithClient(<App />, { as: 'requester' });
    const requesterCard = await screen.findByRole('article', { name: 'Slow VPN' });
    expect(requesterCard).not.toHaveTextContent(/SLA|due in|Assigned|Unassigned/);
    await user.click(within(requesterCard).getByRole('link', { name: 'Slow VPN' }));
    await screen.findByRole('heading', { name: 'Slow VPN', level: 2 });
    expect(screen.getByRole('main')).not.toHaveTextContent(/SLA|due in|Assigned|Assignee|Service level/);
    expect(db.requestsTo('GET', '/api/agents/')).toHaveLength(1);
  });

  it('an agent may file a ticket on behalf of someone', async () => {
    const { user } = renderWithClient(<App />, { as: 'agent' });
    const form = within(await screen.findByRole('region', { name: 'New ticket' }));
    await user.type(form.getByRole('textbox', { name: /on behalf of/i }), 'caller@example.com');
    await user.type(form.getByRole('textbox', { name: /title/i }), 'Phoned in');
    await user.type(form.getByRole('textbox', { name: /description/i }), 'Cannot print invoices');
    await user.click(form.getByRole('button', { name: 'Submit ticket' }));

    expect(await form.findByText(/ticket #\d+ created for caller@example.com/i)).toBeInTheDocument();
    expect(db.requestsTo('POST', '/api/tickets/')[0].body).toMatchObject({ requester_email: 'caller@example.com' });
    expect(form.getByRole('textbox', { name: /on behalf of/i })).toHaveValue('');
  });

  it('an admin: everything an agent sees, and the Users page', async () => {
    const { user } = renderWithClient(<App />, { as: 'admin' });
    await screen.findByRole('heading', { name: 'Tickets' });
    const header = within(screen.getByRole('banner'));
    expect(header.getByText('Ada Admin')).toBeInTheDocument();
    expect(header.getByText('Admin')).toBeInTheDocument();

    await user.click(nav().getByRole('link', { name: 'Users' }));
    expect(window.location.pathname).toBe('/users');
    expect(await screen.findByRole('heading', { name: 'Users' })).toBeInTheDocument();
    expect(nav().getByRole('link', { name: 'Users' })).toHaveAttribute('aria-current', 'page');

    await user.click(nav().getByRole('link', { name: 'Tickets' }));
    expect(await screen.findByRole('heading', { name: 'Tickets' })).toBeInTheDocument();
  });

  it('the Users address shows the tickets to anyone but an admin', async () => {
    window.history.replaceState(null, '', '/users');
    renderWithClient(<App />, { as: 'agent' });
    expect(await screen.findByRole('heading', { name: 'Tickets' })).toBeInTheDocument();
    expect(db.requestsTo('GET', '/api/users/')).toHaveLength(0);
  });
});
