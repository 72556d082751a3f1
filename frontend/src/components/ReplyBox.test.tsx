import { screen, waitFor, within } from '@testing-library/react';
import { http } from 'msw';
import { describe, expect, it } from 'vitest';

import { App } from '../App';
import { CREATE_RETRIES } from '../api/queries/useCreateTicket';
import { makeTicket, TEST_USERS } from '../test/fixtures';
import { db, problem, record } from '../test/mockBackend';
import { renderWithClient } from '../test/render';
import { server } from '../test/server';

function openTicketPage(as: 'agent' | 'requester' = 'agent') {
  window.history.replaceState(null, '', '/tickets/1');
  return renderWithClient(<App />, { as });
}

const replyForm = (name = 'Reply or note') => within(screen.getByRole('form', { name }));
const thread = () => within(screen.getByRole('list', { name: 'Conversation' }));
const history = () => within(screen.getByRole('list', { name: 'History' }));
const details = () => within(screen.getByRole('region', { name: 'Details' }));

describe('the reply box', () => {
  it('an agent replies publicly: the reply is shown, the box emptied, and the open ticket moves to in progress', async () => {
    db.tickets.push(makeTicket({ id: 1, status: 'open' }));
    const { user } = openTicketPage();

    const form = await screen.findByRole('form', { name: 'Reply or note' });
    expect(within(form).getByRole('radio', { name: 'Public reply' })).toBeChecked();
    await user.type(within(form).getByRole('textbox', { name: 'Reply' }), 'We are on it.{Enter}Expect news by noon.');
    await user.click(within(form).getByRole('button', { name: 'Send reply' }));

    const reply = await thread().findByRole('article', { name: 'Reply from Alex Agent' });
    expect(within(reply).getByText(/We are on it/).textContent).toBe('We are on it.\nExpect news by noon.');
    expect(within(form).getByRole('textbox', { name: 'Reply' })).toHaveValue('');
    expect(within(form).getByText('Reply sent.')).toBeInTheDocument();
    expect(db.requestsTo('POST', '/api/tickets/1/comments/')[0].body).toEqual({
      body: 'We are on it.\nExpect news by noon.',
      visibility: 'public',
    });
    // The server moved the ticket: the page shows its new status and why.
    await waitFor(() => expect(details().getByRole('combobox', { name: 'Status' })).toHaveValue('in_progress'));
    expect(await history().findByText('Alex Agent replied')).toBeInTheDocument();
    expect(history().getByText('System moved status open → in progress')).toBeInTheDocument();
    expect(screen.getByRole('region', { name: 'Service level' })).toHaveTextContent(/Responded/);
  });

  it('an agent adds an internal note: marked as such, and the status stays', async () => {
    db.tickets.push(makeTicket({ id: 1, status: 'open' }));
    const { user } = openTicketPage();

    const form = await screen.findByRole('form', { name: 'Reply or note' });
    await user.click(within(form).getByRole('radio', { name: 'Internal note' }));
    expect(within(form).getByText('Internal note: only agents and admins will see it.')).toBeInTheDocument();
    await user.type(within(form).getByRole('textbox', { name: 'Internal note' }), 'Probably the VPN certificate.');
    await user.click(within(form).getByRole('button', { name: 'Add internal note' }));

    const note = await thread().findByRole('article', { name: 'Internal note by Alex Agent' });
    expect(note).toHaveTextContent('Probably the VPN certificate.');
    expect(db.requestsTo('POST', '/api/tickets/1/comments/')[0].body).toEqual({
      body: 'Probably the VPN certificate.',
      visibility: 'internal',
    });
    expect(await history().findByText('Alex Agent added an internal note')).toBeInTheDocument();
    expect(db.tickets[0].status).toBe('open');
    expect(details().getByRole('combobox', { name: 'Status' })).toHaveValue('open');
  });

  it('a requester only replies: no choice of who reads it', async () => {
    db.tickets.push(makeTicket({ id: 1, status: 'resolved' }));
    const { user } = openTicketPage('requester');

    const form = await screen.findByRole('form', { name: 'Reply' });
    expect(within(form).queryByRole('radio')).not.toBeInTheDocument();
    expect(within(form).queryByText(/internal/i)).not.toBeInTheDocument();
    await user.type(within(form).getByRole('textbox', { name: 'Reply' }), 'It is back again.');
    await user.click(within(form).getByRole('button', { name: 'Send reply' }));

    expect(await thread().findByRole('article', { name: `Reply from ${TEST_USERS.requester.name}` })).toBeInTheDocument();
    expect(db.requestsTo('POST', '/api/tickets/1/comments/')[0].body).toEqual({ body: 'It is back again.', visibility: 'public' });
    // Replying reopened the resolved ticket.
    await waitFor(() => expect(screen.getByRole('main')).toHaveTextContent('Status: Open'));
  });

  it('keeps the text and says why when the reply was not taken, and sends the draft again under its key', async () => {
    db.tickets.push(makeTicket({ id: 1 }));
    server.use(
      http.post('/api/tickets/1/comments/', async ({ request }) => {
        await record(request);
        return problem(503, 'Service Unavailable', 'The database is not answering.');
      }),
    );
    const { user } = openTicketPage();
    const posts = () => db.requestsTo('POST', '/api/tickets/1/comments/');
    const keys = () => posts().map((post) => post.headers.get('Idempotency-Key'));

    await screen.findByRole('form', { name: 'Reply or note' });
    const box = replyForm().getByRole('textbox', { name: 'Reply' });
    await user.type(box, 'Please try restarting.');
    await user.click(replyForm().getByRole('button', { name: 'Send reply' }));

    const alert = await replyForm().findByRole('alert');
    expect(alert).toHaveTextContent('The reply was not sent');
    expect(alert).toHaveTextContent('The database is not answering. Your text is still here.');
    expect(box).toHaveValue('Please try restarting.');
    // A 503 may hide a reply the server stored: retried on its own, always with the same key.
    expect(posts()).toHaveLength(1 + CREATE_RETRIES);
    expect(keys()[0]).toMatch(/^[0-9a-f-]{32,36}$/);
    expect(new Set(keys()).size).toBe(1);

    // Sent again, it goes through, still under the draft's key.
    server.resetHandlers();
    await user.click(replyForm().getByRole('button', { name: 'Send reply' }));
    expect(await thread().findByText('Please try restarting.')).toBeInTheDocument();
    expect(replyForm().queryByRole('alert')).not.toBeInTheDocument();
    expect(new Set(keys()).size).toBe(1);

    // The next reply is another draft: another key.
    await user.type(box, 'Any luck?');
    await user.click(replyForm().getByRole('button', { name: 'Send reply' }));
    expect(await thread().findByText('Any luck?')).toBeInTheDocument();
    expect(new Set(keys()).size).toBe(2);
  });

  it("shows the server's message about the body beside the box, keeping the text", async () => {
    db.tickets.push(makeTicket({ id: 1 }));
    server.use(
      http.post('/api/tickets/1/comments/', () =>
        problem(400, 'Bad Request', 'The request has invalid fields.', { body: ['must not contain control characters'] }),
      ),
    );
    const { user } = openTicketPage();

    await screen.findByRole('form', { name: 'Reply or note' });
    const box = replyForm().getByRole('textbox', { name: 'Reply' });
    await user.type(box, 'Odd text');
    await user.click(replyForm().getByRole('button', { name: 'Send reply' }));

    await waitFor(() => expect(box).toBeInvalid());
    expect(box).toHaveAccessibleDescription(expect.stringContaining('must not contain control characters'));
    expect(box).toHaveValue('Odd text');
  });

  it('a requester is told when the ticket was closed meanwhile, keeping the text', async () => {
    db.tickets.push(makeTicket({ id: 1, status: 'in_progress' }));
    const { user } = openTicketPage('requester');

    const form = within(await screen.findByRole('form', { name: 'Reply' }));
    db.tickets[0] = { ...db.tickets[0], status: 'closed' };
    await user.type(form.getByRole('textbox', { name: 'Reply' }), 'One more thing');
    await user.click(form.getByRole('button', { name: 'Send reply' }));

    expect(await form.findByRole('alert')).toHaveTextContent('This ticket is closed: open a new ticket to follow up.');
    expect(form.getByRole('textbox', { name: 'Reply' })).toHaveValue('One more thing');
  });

  it('asks for text before sending, and sends with Ctrl+Enter', async () => {
    db.tickets.push(makeTicket({ id: 1 }));
    const { user } = openTicketPage();

    await screen.findByRole('form', { name: 'Reply or note' });
    const box = replyForm().getByRole('textbox', { name: 'Reply' });
    await user.type(box, '   ');
    await user.click(replyForm().getByRole('button', { name: 'Send reply' }));
    expect(box).toHaveAccessibleDescription(expect.stringContaining('Write something first.'));
    expect(db.requestsTo('POST', '/api/tickets/1/comments/')).toHaveLength(0);

    await user.clear(box);
    await user.type(box, 'Sent from the keyboard{Control>}{Enter}{/Control}');
    expect(await thread().findByText('Sent from the keyboard')).toBeInTheDocument();
    expect(db.requestsTo('POST', '/api/tickets/1/comments/')).toHaveLength(1);
  });

});
