import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';

import { App } from '../App';
import type { Role } from '../api/types';
import { makeInboundMail, makeOutboxMail, TEST_USERS } from '../test/fixtures';
import { db, problem } from '../test/mockBackend';
import { renderWithClient } from '../test/render';
import { server } from '../test/server';
import { EmailPage } from './EmailPage';

const region = (name: string) => within(screen.getByRole('region', { name }));
const nav = () => within(screen.getByRole('navigation', { name: 'Pages' }));

function renderEmailPage(as: Role = 'admin') {
  return renderWithClient(<EmailPage />, { as });
}

describe('the email settings', () => {
  const settings = () => region('Email settings');
  const field = (name: RegExp) => settings().getByRole('textbox', { name });

  async function renderSettings() {
    const rendered = renderEmailPage();
    await settings().findByRole('form', { name: 'Email settings' });
    return rendered;
  }

  it('shows the stored values, the transport, the reply address and the outbox counts', async () => {
    db.outbox.push(makeOutboxMail(), makeOutboxMail({ status: 'queued' }), makeOutboxMail({ status: 'queued' }));
    await renderSettings();
    expect(field(/support address/i)).toHaveValue('support@example.com');
    expect(field(/sender name/i)).toHaveValue('Helpdesk');
    expect(settings().getByRole('group', { name: 'Email status' })).toHaveTextContent(
      'TransportSMTPReply addresssupport+<token>@example.comQueued2Failed1',
    );
  });

  it('says plainly when no transport is configured', async () => {
    db.mailSettings = { support_address: null, sender_name: 'Helpdesk', transport: 'none' };
    await renderSettings();
    const status = settings().getByRole('group', { name: 'Email status' });
    expect(status).toHaveTextContent('Transportnot configured — mails stay queued');
    expect(status).toHaveTextContent('Reply addressnone until a support address is set');
    expect(field(/support address/i)).toHaveValue('');
  });

  it('saves the address and the name, and shows the reply address that follows', async () => {
    const { user } = await renderSettings();
    await user.clear(field(/support address/i));
    await user.type(field(/support address/i), ' help@acme.example ');
    await user.clear(field(/sender name/i));
    await user.type(field(/sender name/i), 'Acme Support');
    await user.click(settings().getByRole('button', { name: 'Save settings' }));

    expect(await settings().findByText('Email settings saved.')).toBeInTheDocument();
    expect(db.requestsTo('PUT', '/api/mail/settings/')[0].body).toEqual({ support_address: 'help@acme.example', sender_name: 'Acme Support' });
    expect(settings().getByRole('group', { name: 'Email status' })).toHaveTextContent('help+<token>@acme.example');
  });

  it('sends an emptied address as none', async () => {
    const { user } = await renderSettings();
    await user.clear(field(/support address/i));
    await user.click(settings().getByRole('button', { name: 'Save settings' }));
    await settings().findByText('Email settings saved.');
    expect(db.requestsTo('PUT', '/api/mail/settings/')[0].body).toEqual({ support_address: null, sender_name: 'Helpdesk' });
  });

  it('asks for a sender name before sending', async () => {
    const { user } = await renderSettings();
    await user.clear(field(/sender name/i));
    await user.click(settings().getByRole('button', { name: 'Save settings' }));
    expect(field(/sender name/i)).toBeInvalid();
    expect(field(/sender name/i)).toHaveAccessibleDescription(expect.stringContaining('Please enter the name mail is sent as.'));
    expect(db.requestsTo('PUT', '/api/mail/settings/')).toHaveLength(0);
  });

  it("shows the server's 422 messages beside the fields they are about", async () => {
    server.use(
      http.put('/api/mail/settings/', () =>
        problem(422, 'Unprocessable Content', 'The request has invalid fields.', {
          support_address: ['must be an address this server can receive mail at'],
        }),
      ),
    );
    const { user } = await renderSettings();
    await user.click(settings().getByRole('button', { name: 'Save settings' }));

    await waitFor(() => expect(field(/support address/i)).toBeInvalid());
    expect(field(/support address/i)).toHaveAccessibleDescription(
      expect.stringContaining('must be an address this server can receive mail at'),
    );
    expect(field(/sender name/i)).toBeValid();
    expect(settings().queryByRole('alert')).not.toBeInTheDocument();
    expect(settings().queryByText('Email settings saved.')).not.toBeInTheDocument();

    // Fixing the field clears its message.
    await user.type(field(/support address/i), 'x');
    expect(field(/support address/i)).toBeValid();
  });

  it('says why when the server refuses without field messages', async () => {
    server.use(http.put('/api/mail/settings/', () => problem(403, 'Forbidden', 'Only admins manage email.')));
    const { user } = await renderSettings();
    await user.click(settings().getByRole('button', { name: 'Save settings' }));
    expect(await settings().findByRole('alert')).toHaveTextContent('The settings were not savedOnly admins manage email.');
  });
});

describe('held mail', () => {
  const held = () => region('Held mail');
  const message = (subject: string) => within(held().getByRole('article', { name: subject }));

  it('shows who sent each mail, when, why it was held, and its text as it was written', async () => {
    db.inbound.push(
      makeInboundMail({ id: 1, subject: 'Printer on fire', body: 'It smokes.\n\n<b>Help</b> https://evil.example/' }),
      makeInboundMail({ id: 2, subject: 'Auto', status: 'ignored', reason: 'auto_reply' }),
    );
    renderEmailPage('agent');

    await held().findByRole('article', { name: 'Printer on fire' });
    expect(held().getAllByRole('article')).toHaveLength(1);
    expect(message('Printer on fire').getByText('From Sam Customer <sam@customer.example>')).toBeInTheDocument();
    expect(message('Printer on fire').getByText('Sender could not be verified (SPF/DKIM failed)')).toBeInTheDocument();
    expect(message('Printer on fire').getByText(/^Received /).tagName).toBe('TIME');
    const text = message('Printer on fire').getByLabelText('Text of “Printer on fire”');
    expect(text.tagName).toBe('PRE');
    expect(text.textContent).toBe('It smokes.\n\n<b>Help</b> https://evil.example/');
    expect(message('Printer on fire').queryByRole('link')).not.toBeInTheDocument();
    expect(db.requestsTo('GET', '/api/mail/inbound/')[0].url.searchParams.get('status')).toBe('held');
  });

  it('says when nothing is held', async () => {
    renderEmailPage('agent');
    expect(await held().findByText('No mail is waiting.')).toBeInTheDocument();
  });

  it('accepts a mail: it becomes a ticket, leaves the list, and the ticket is a link away', async () => {
    db.inbound.push(makeInboundMail({ id: 5, subject: 'Printer on fire' }), makeInboundMail({ id: 6, subject: 'Invoice question' }));
    const { user } = renderEmailPage('agent');
    await user.click(await held().findByRole('button', { name: 'Accept “Printer on fire”' }));

    const link = await held().findByRole('link', { name: /^Open ticket #\d+$/ });
    expect(held().getByText(/“Printer on fire” was accepted\./)).toBeInTheDocument();
    expect(db.requestsTo('POST', '/api/mail/inbound/5/accept/')).toHaveLength(1);
    expect(db.requestsTo('POST', '/api/mail/inbound/5/discard/')).toHaveLength(0);
    const ticket = db.tickets.find((t) => t.title === 'Printer on fire');
    expect(link).toHaveAttribute('href', `/tickets/${ticket?.id}`);
    await waitFor(() => expect(held().queryByRole('article', { name: 'Printer on fire' })).not.toBeInTheDocument());
    expect(held().getByRole('article', { name: 'Invoice question' })).toBeInTheDocument();
    expect(link).toBeInTheDocument();

    await user.click(link);
    expect(window.location.pathname).toBe(`/tickets/${ticket?.id}`);
  });

  it('discards a mail: it leaves the list and nothing is made of it', async () => {
    db.inbound.push(makeInboundMail({ id: 7, subject: 'Win a prize' }));
    const { user } = renderEmailPage('agent');
    await user.click(await held().findByRole('button', { name: 'Discard “Win a prize”' }));

    expect(await held().findByText('“Win a prize” was discarded.')).toBeInTheDocument();
    expect(db.requestsTo('POST', '/api/mail/inbound/7/discard/')).toHaveLength(1);
    expect(db.requestsTo('POST', '/api/mail/inbound/7/accept/')).toHaveLength(0);
    expect(await held().findByText('No mail is waiting.')).toBeInTheDocument();
    expect(db.tickets).toHaveLength(0);
  });

  it('says why an accepted mail made nothing (a reply from someone not the requester)', async () => {
    db.inbound.push(makeInboundMail({ id: 9, subject: 'Re: [#1] Close it' }));
    server.use(
      http.post('/api/mail/inbound/:id/accept/', () =>
        HttpResponse.json(makeInboundMail({ id: 9, subject: 'Re: [#1] Close it', status: 'ignored', reason: 'unknown_sender', ticket_id: null })),
      ),
    );
    const { user } = renderEmailPage('agent');
    await user.click(await held().findByRole('button', { name: 'Accept “Re: [#1] Close it”' }));

    expect(await held().findByText(/^“Re: \[#1\] Close it” was accepted but made nothing: /)).toBeInTheDocument();
    expect(held().queryByRole('link', { name: /^Open ticket/ })).not.toBeInTheDocument();
  });

  it('keeps a mail in the list, with the reason, when the server refuses', async () => {
    db.inbound.push(makeInboundMail({ id: 8, subject: 'Late' }));
    server.use(http.post('/api/mail/inbound/:id/accept/', () => problem(409, 'Conflict', 'Someone else decided on this mail already.')));
    const { user } = renderEmailPage('agent');
    await user.click(await held().findByRole('button', { name: 'Accept “Late”' }));

    expect(await message('Late').findByRole('alert')).toHaveTextContent('“Late” was not acceptedSomeone else decided on this mail already.');
    expect(message('Late').getByRole('button', { name: 'Discard “Late”' })).toBeEnabled();
  });
});

describe('failed mail', () => {
  const failed = () => region('Failed mail');

  it('lists failed mail with the template in words, attempts, the last error and its ticket, and retries one', async () => {
    db.outbox.push(
      makeOutboxMail({ id: 3, ticket_id: 7, template: 'ticket_received', attempts: 5, last_error: 'connection refused' }),
      makeOutboxMail({ id: 4, status: 'sent' }),
    );
    const { user } = renderEmailPage();

    const row = within(await failed().findByRole('article', { name: `Ticket received to ${TEST_USERS.requester.email}` }));
    expect(failed().getAllByRole('article')).toHaveLength(1);
    expect(row.getByText('5 attempts')).toBeInTheDocument();
    expect(row.getByText('connection refused')).toBeInTheDocument();
    expect(row.getByRole('link', { name: 'Ticket #7' })).toHaveAttribute('href', '/tickets/7');
    expect(region('Email settings').getByRole('group', { name: 'Email status' })).toHaveTextContent('Failed1');

    await user.click(row.getByRole('button', { name: `Retry “Ticket received” to ${TEST_USERS.requester.email}` }));
    expect(await failed().findByText(`“Ticket received” to ${TEST_USERS.requester.email} is queued again.`)).toBeInTheDocument();
    expect(db.requestsTo('POST', '/api/mail/outbox/3/retry/')).toHaveLength(1);
    expect(await failed().findByText('No mail has failed.')).toBeInTheDocument();
    // The settings' counts are fetched again too.
    await waitFor(() => expect(region('Email settings').getByRole('group', { name: 'Email status' })).toHaveTextContent('Queued1Failed0'));
  });

  it('names every template in words', async () => {
    const templates = ['ticket_received', 'agent_replied', 'ticket_resolved', 'ticket_assigned', 'new_ticket', 'sla_warning'];
    db.outbox.push(...templates.map((template, index) => makeOutboxMail({ id: index + 1, template, to_address: `${template}@example.com` })));
    renderEmailPage();
    await failed().findAllByRole('article');
    const names = failed()
      .getAllByRole('article')
      .map((row) => row.querySelector('h3')?.textContent);
    expect(names).toEqual([
      'Sla warning to sla_warning@example.com',
      'New ticket to new_ticket@example.com',
      'Ticket assigned to ticket_assigned@example.com',
      'Ticket resolved to ticket_resolved@example.com',
      'Agent replied to agent_replied@example.com',
      'Ticket received to ticket_received@example.com',
    ]);
  });
});

describe('my notifications', () => {
  const box = () => region('My notifications').getByRole('checkbox', { name: 'Email me about every new ticket' });

  it('turns the new-ticket mail on and off', async () => {
    const { user } = renderEmailPage('agent');
    await waitFor(() => expect(box()).not.toBeChecked());

    await user.click(box());
    await waitFor(() => expect(box()).toBeEnabled());
    expect(box()).toBeChecked();
    expect(db.newTicketSubscribers.has(TEST_USERS.agent.id)).toBe(true);

    await user.click(box());
    await waitFor(() => expect(box()).toBeEnabled());
    expect(box()).not.toBeChecked();
    expect(db.requestsTo('PUT', '/api/me/notifications/').map((r) => r.body)).toEqual([{ new_tickets: true }, { new_tickets: false }]);
    expect(db.newTicketSubscribers.has(TEST_USERS.agent.id)).toBe(false);
  });

  it('shows the setting as stored', async () => {
    db.newTicketSubscribers.add(TEST_USERS.admin.id);
    renderEmailPage('admin');
    await waitFor(() => expect(box()).toBeChecked());
  });

  it('says so, and shows the setting unchanged, when the server refuses', async () => {
    server.use(http.put('/api/me/notifications/', () => problem(403, 'Forbidden', 'Only agents get new-ticket mail.')));
    const { user } = renderEmailPage('agent');
    await waitFor(() => expect(box()).not.toBeChecked());
    await user.click(box());

    expect(await region('My notifications').findByRole('alert')).toHaveTextContent(
      'Your notifications were not changedOnly agents get new-ticket mail.',
    );
    expect(box()).not.toBeChecked();
  });
});

describe('the Email page for each role', () => {
  it('an admin: the settings, held mail, failed mail and their notifications', async () => {
    window.history.replaceState(null, '', '/email');
    renderWithClient(<App />, { as: 'admin' });

    expect(await screen.findByRole('heading', { name: 'Email settings' })).toBeInTheDocument();
    for (const name of ['Held mail', 'Failed mail', 'My notifications']) {
      expect(screen.getByRole('heading', { name })).toBeInTheDocument();
    }
    expect(nav().getByRole('link', { name: 'Email' })).toHaveAttribute('aria-current', 'page');
  });

  it('an agent: held mail and their own notifications only, reached from the header', async () => {
    const { user } = renderWithClient(<App />, { as: 'agent' });
    await screen.findByRole('heading', { name: 'Tickets' });
    await user.click(nav().getByRole('link', { name: 'Email' }));

    expect(window.location.pathname).toBe('/email');
    expect(await screen.findByRole('heading', { name: 'Held mail' })).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: 'My notifications' })).toBeInTheDocument();
    expect(screen.queryByRole('heading', { name: 'Email settings' })).not.toBeInTheDocument();
    expect(screen.queryByRole('heading', { name: 'Failed mail' })).not.toBeInTheDocument();
    expect(db.requestsTo('GET', '/api/mail/settings/')).toHaveLength(0);
    expect(db.requestsTo('GET', '/api/mail/outbox/')).toHaveLength(0);
  });

  it('a requester: no Email page, and its address shows their tickets', async () => {
    window.history.replaceState(null, '', '/email');
    renderWithClient(<App />, { as: 'requester' });

    expect(await screen.findByRole('heading', { name: 'My tickets' })).toBeInTheDocument();
    expect(nav().queryByRole('link', { name: 'Email' })).not.toBeInTheDocument();
    expect(db.requests.filter((r) => r.url.pathname.startsWith('/api/mail/'))).toHaveLength(0);
  });
});
