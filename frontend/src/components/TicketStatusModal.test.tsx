import { screen, waitFor, within } from '@testing-library/react';
import { http } from 'msw';
import { describe, expect, it } from 'vitest';

import { App } from '../App';
import { makeTicket } from '../test/fixtures';
import { db, problem } from '../test/mockBackend';
import { renderWithClient } from '../test/render';
import { server } from '../test/server';

async function openTicketModal(title: string) {
  db.tickets.push(makeTicket({ id: 7, title, status: 'open', category: 'account', priority: 'medium' }));
  const view = renderWithClient(<App />);
  await view.user.click(await screen.findByRole('button', { name: title }));
  const dialog = await screen.findByRole('dialog', { name: title });
  return { ...view, dialog };
}

describe('TicketStatusModal', () => {
  it('opens from a card, saves the status with PATCH and If-Match, and closes', async () => {
    const { user, dialog } = await openTicketModal('Locked out of my account');
    // The form starts on the ticket's current values and focus moves into the dialog.
    const status = within(dialog).getByRole('combobox', { name: 'Status' });
    expect(status).toHaveValue('open');
    expect(status).toHaveFocus();
    expect(dialog).toHaveAttribute('aria-modal', 'true');
    await waitFor(() => expect(db.requestsTo('GET', '/api/tickets/7/')).toHaveLength(1));

    await user.selectOptions(status, 'in_progress');
    await user.selectOptions(within(dialog).getByRole('combobox', { name: 'Priority' }), 'high');
    const statsFetches = db.requestsTo('GET', '/api/tickets/stats/').length;
    await user.click(within(dialog).getByRole('button', { name: 'Save changes' }));

    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    const [patch] = db.requestsTo('PATCH', '/api/tickets/7/');
    expect(patch.body).toEqual({ status: 'in_progress', priority: 'high' });
    expect(patch.headers.get('If-Match')).toMatch(/^"7-/);

    const card = screen.getByRole('article', { name: 'Locked out of my account' });
    await waitFor(() => expect(card).toHaveTextContent('In progress'));
    expect(card).toHaveTextContent('High');
    expect(db.requestsTo('GET', '/api/tickets/stats/').length).toBeGreaterThan(statsFetches);
    // Focus goes back to the card that opened the dialog.
    expect(screen.getByRole('button', { name: 'Locked out of my account' })).toHaveFocus();
  });

  it('opens from the keyboard and closes on Escape without saving', async () => {
    db.tickets.push(makeTicket({ title: 'Keyboard ticket' }));
    const { user } = renderWithClient(<App />);
    const opener = await screen.findByRole('button', { name: 'Keyboard ticket' });
    opener.focus();
    await user.keyboard('{Enter}');
    expect(await screen.findByRole('dialog', { name: 'Keyboard ticket' })).toBeInTheDocument();

    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(opener).toHaveFocus();
    expect(db.requestsTo('PATCH', '/api/tickets/1/')).toHaveLength(0);
  });

  it('keeps focus inside the dialog', async () => {
    const { user, dialog } = await openTicketModal('Trapped focus');
    await user.selectOptions(within(dialog).getByRole('combobox', { name: 'Status' }), 'closed');
    const save = within(dialog).getByRole('button', { name: 'Save changes' });
    save.focus();
    await user.tab();
    expect(within(dialog).getByRole('combobox', { name: 'Status' })).toHaveFocus();
    await user.tab({ shift: true });
    expect(save).toHaveFocus();
  });

  it('shows an error from the API and stays open', async () => {
    server.use(http.patch('/api/tickets/:id/', () => problem(503, 'Service Unavailable', 'The database is unavailable.')));
    const { user, dialog } = await openTicketModal('Will fail');
    await user.selectOptions(within(dialog).getByRole('combobox', { name: 'Status' }), 'resolved');
    await user.click(within(dialog).getByRole('button', { name: 'Save changes' }));

    expect(await within(dialog).findByRole('alert')).toHaveTextContent('The database is unavailable.');
    expect(screen.getByRole('dialog')).toBeInTheDocument();
  });

  it('tells the user when someone else changed the ticket and loads their version', async () => {
    const { user, dialog } = await openTicketModal('Contested ticket');
    await waitFor(() => expect(db.requestsTo('GET', '/api/tickets/7/')).toHaveLength(1));
    // Another agent resolves the ticket meanwhile.
    db.tickets[0] = { ...db.tickets[0], status: 'resolved', updated_at: '2026-02-01T00:00:00Z' };

    await user.selectOptions(within(dialog).getByRole('combobox', { name: 'Status' }), 'closed');
    await user.click(within(dialog).getByRole('button', { name: 'Save changes' }));

    expect(await within(dialog).findByRole('alert')).toHaveTextContent(/someone else changed this ticket/i);
    await waitFor(() => expect(within(dialog).getByRole('combobox', { name: 'Status' })).toHaveValue('resolved'));
  });
});
