import { screen, waitFor, within } from '@testing-library/react';
import type { UserEvent } from '@testing-library/user-event';
import { delay, http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';

import { App } from '../App';
import { CREATE_RETRIES } from '../api/queries/useCreateTicket';
import { makeClassification, makeTicket } from '../test/fixtures';
import { createWithLostAnswer, db, problem, record } from '../test/mockBackend';
import { renderWithClient } from '../test/render';
import { server } from '../test/server';
import { TicketForm } from './TicketForm';

// Scoped to the form, so the same getters work when the whole App (with its filters) is on screen.
const form = () => within(screen.getByRole('region', { name: 'New ticket' }));
const field = {
  title: () => form().getByRole('textbox', { name: /title/i }),
  description: () => form().getByRole('textbox', { name: /description/i }),
  category: () => form().getByRole('combobox', { name: /category/i }),
  priority: () => form().getByRole('combobox', { name: /priority/i }),
  submit: () => form().getByRole('button', { name: /submit ticket|submitting/i }),
};

describe('TicketForm', () => {
  it('pre-fills untouched selects from the suggestion and keeps the ones the user chose', async () => {
    db.classification = makeClassification({ suggested_category: 'billing', suggested_priority: 'critical', source: 'llm' });
    const { user } = renderWithClient(<TicketForm />);

    await user.selectOptions(field.priority(), 'low');
    await user.type(field.description(), 'I was charged twice for my subscription');
    await user.tab();

    await waitFor(() => expect(field.category()).toHaveValue('billing'));
    expect(field.priority()).toHaveValue('low');
    expect(screen.getByText(/suggested by ai model/i)).toBeInTheDocument();
    expect(db.requestsTo('POST', '/api/tickets/classify/')[0].body).toEqual({
      description: 'I was charged twice for my subscription',
    });
  });

  it('shows a loading state while classifying and says when the fallback answered', async () => {
    db.classification = makeClassification({ suggested_category: 'account', suggested_priority: 'medium', source: 'fallback' });
    server.use(
      http.post('/api/tickets/classify/', async () => {
        await delay(150);
        return HttpResponse.json(db.classification);
      }),
    );
    const { user } = renderWithClient(<TicketForm />);

    await user.type(field.description(), 'Cannot reset my password');
    await user.tab();

    expect(await screen.findByText(/suggesting a category and priority/i)).toBeInTheDocument();
    expect(await screen.findByText(/suggested by rules \(fallback\)/i)).toBeInTheDocument();
    expect(field.category()).toHaveValue('account');
    expect(field.priority()).toHaveValue('medium');
  });

  it('asks again only when the description changed since the last suggestion', async () => {
    const { user } = renderWithClient(<TicketForm />);

    await user.type(field.description(), 'The app crashes on start');
    await user.tab();
    await waitFor(() => expect(field.category()).toHaveValue('technical'));
    await user.click(field.description());
    await user.tab();
    await user.type(field.description(), ' since the update');
    await user.tab();

    await waitFor(() => expect(db.requestsTo('POST', '/api/tickets/classify/')).toHaveLength(2));
    expect(db.requestsTo('POST', '/api/tickets/classify/')[1].body).toEqual({
      description: 'The app crashes on start since the update',
    });
  });

  it('does not classify an empty or over-long description', async () => {
    const { user } = renderWithClient(<TicketForm />);
    await user.type(field.description(), '   ');
    await user.tab();
    await user.clear(field.description());
    await user.paste('y'.repeat(10_001));
    await user.tab();
    expect(screen.getByText('10,001/10,000')).toBeInTheDocument();
    expect(db.requestsTo('POST', '/api/tickets/classify/')).toHaveLength(0);
  });

  it('lets the user override a suggestion, and later suggestions leave the override alone', async () => {
    const { user } = renderWithClient(<TicketForm />);
    await user.type(field.description(), 'Error 500 on the dashboard');
    await user.tab();
    await waitFor(() => expect(field.category()).toHaveValue('technical'));

    await user.selectOptions(field.category(), 'general');
    db.classification = makeClassification({ suggested_category: 'billing', suggested_priority: 'low', source: 'llm' });
    await user.type(field.description(), ' and on invoices');
    await user.tab();

    await waitFor(() => expect(field.priority()).toHaveValue('low'));
    expect(field.category()).toHaveValue('general');
  });

  it('shows the API validation messages next to their fields', async () => {
    server.use(
      http.post('/api/tickets/', async ({ request }) => {
        await record(request);
        return problem(400, 'Validation failed', 'The ticket has invalid fields.', {
          title: ['must not be blank'],
          description: ['must be at most 10000 characters'],
        });
      }),
    );
    const { user } = renderWithClient(<TicketForm />);
    await user.type(field.title(), 'A title');
    await user.type(field.description(), 'Something');
    await user.click(field.submit());

    expect(await screen.findByText('must not be blank')).toBeInTheDocument();
    expect(field.title()).toHaveAttribute('aria-invalid', 'true');
    expect(field.title()).toHaveAccessibleDescription(expect.stringContaining('must not be blank'));
    expect(field.description()).toHaveAccessibleDescription('must be at most 10000 characters');
    expect(screen.getByRole('alert')).toHaveTextContent(/correct the highlighted fields/i);
    // Nothing was lost: the user fixes the field rather than retyping everything.
    expect(field.title()).toHaveValue('A title');
    // A 4xx is the server's final word: not retried.
    expect(db.requestsTo('POST', '/api/tickets/')).toHaveLength(1);
  });

  it('validates required fields before calling the API', async () => {
    const { user } = renderWithClient(<TicketForm />);
    await user.click(field.submit());
    expect(field.title()).toHaveAccessibleDescription(expect.stringContaining('Please enter a title.'));
    expect(field.description()).toHaveAccessibleDescription('Please describe the problem.');
    expect(field.title()).toHaveFocus();
    expect(db.requestsTo('POST', '/api/tickets/')).toHaveLength(0);
  });

  it('counts title characters against the limit', async () => {
    const { user } = renderWithClient(<TicketForm />);
    expect(screen.getByText('0/200')).toBeInTheDocument();
    await user.type(field.title(), 'Printer on fire 🔥');
    expect(screen.getByText('17/200')).toBeInTheDocument();
  });

  it('explains a network failure once its retries ran out', async () => {
    server.use(
      http.post('/api/tickets/', async ({ request }) => {
        await record(request);
        return HttpResponse.error();
      }),
    );
    const { user } = renderWithClient(<TicketForm />);
    await user.type(field.title(), 'A title');
    await user.type(field.description(), 'Something');
    await user.click(field.submit());
    expect(await screen.findByRole('alert')).toHaveTextContent(/could not reach the server/i);
    expect(db.requestsTo('POST', '/api/tickets/')).toHaveLength(1 + CREATE_RETRIES);
  });

  it('disables submit while submitting, then clears the form and lists the new ticket first', async () => {
    db.tickets.push(
      makeTicket({
        id: 500,
        title: 'Older ticket',
        description: 'From yesterday',
        priority: 'low',
        created_at: '2026-01-01T00:00:00Z',
      }),
    );
    server.use(
      http.post('/api/tickets/', async () => {
        await delay(100);
        return undefined;
      }),
    );
    const { user } = renderWithClient(<App />);
    await screen.findByText('Older ticket');

    await user.type(field.title(), 'VPN drops every hour');
    await user.type(field.description(), 'The VPN disconnects every hour on the hour');
    await user.tab();
    await waitFor(() => expect(field.priority()).toHaveValue('high'));
    const statsFetches = db.requestsTo('GET', '/api/tickets/stats/').length;
    await user.click(field.submit());

    expect(field.submit()).toBeDisabled();
    expect(field.submit()).toHaveTextContent(/submitting/i);

    await waitFor(() => expect(field.title()).toHaveValue(''));
    expect(field.description()).toHaveValue('');
    expect(field.category()).toHaveValue('');
    expect(await screen.findByText(/ticket #\d+ created/i)).toBeInTheDocument();

    const list = screen.getByRole('list', { name: 'Tickets' });
    await waitFor(() => expect(within(list).getAllByRole('article')[0]).toHaveTextContent('VPN drops every hour'));
    expect(within(list).getAllByRole('article')[1]).toHaveTextContent('Older ticket');
    expect(db.requestsTo('GET', '/api/tickets/stats/').length).toBeGreaterThan(statsFetches);

    const [post] = db.requestsTo('POST', '/api/tickets/');
    expect(post.headers.get('Idempotency-Key')).toMatch(/^[0-9a-f-]{32,36}$/);
    expect(post.body).toEqual({ title: 'VPN drops every hour', description: 'The VPN disconnects every hour on the hour' });
  });
});

describe('TicketForm labels', () => {
  const lastPost = () => db.requestsTo('POST', '/api/tickets/').at(-1)!;

  it('shows a suggestion in the fields but leaves untouched labels out, so the server classifies and records it', async () => {
    db.classification = makeClassification({
      suggested_category: 'billing',
      suggested_priority: 'critical',
      confidence: { category: 'high', priority: 'low' },
      sentiment: 'negative',
      language: 'de',
    });
    const { user } = renderWithClient(<TicketForm />);
    await user.type(field.title(), 'Doppelt abgebucht');
    await user.type(field.description(), 'Ich wurde zweimal belastet');
    await user.tab();

    await waitFor(() => expect(field.category()).toHaveValue('billing'));
    expect(field.priority()).toHaveValue('critical');
    const status = screen.getByText(/suggested by ai model/i).parentElement!;
    expect(status).toHaveTextContent('Billing · Critical low confidence — you can change either.');
    await user.click(field.submit());

    await screen.findByText(/ticket #\d+ created/i);
    expect(lastPost().body).toEqual({ title: 'Doppelt abgebucht', description: 'Ich wurde zweimal belastet' });
    expect(db.tickets[0]).toMatchObject({ category: 'billing', priority: 'critical', classified_by: 'llm', needs_triage: true, language: 'de' });
  });

  it('sends the labels the user picked, even one equal to the suggestion, and only those', async () => {
    const { user } = renderWithClient(<TicketForm />);
    await user.type(field.title(), 'Dashboard error');
    await user.type(field.description(), 'Error 500 on the dashboard');
    await user.tab();
    await waitFor(() => expect(field.category()).toHaveValue('technical'));
    await user.selectOptions(field.category(), 'technical');
    await user.click(field.submit());

    await screen.findByText(/ticket #\d+ created/i);
    expect(lastPost().body).toEqual({ title: 'Dashboard error', description: 'Error 500 on the dashboard', category: 'technical' });
  });

  it('sends nothing for a label set back to Auto-detect', async () => {
    const { user } = renderWithClient(<TicketForm />);
    await user.type(field.title(), 'Dashboard error');
    await user.type(field.description(), 'Error 500 on the dashboard');
    await user.selectOptions(field.priority(), 'low');
    await user.selectOptions(field.priority(), '');
    await user.selectOptions(field.category(), 'account');
    await user.click(field.submit());

    await screen.findByText(/ticket #\d+ created/i);
    expect(lastPost().body).toEqual({ title: 'Dashboard error', description: 'Error 500 on the dashboard', category: 'account' });
  });
});

describe('Is this your problem?', () => {
  const similar = () => screen.queryByRole('region', { name: 'Is this your problem?' });

  it('lists up to five similar tickets the user can see as links, while they type a title', async () => {
    db.tickets.push(
      ...['Printer jams on floor 2', 'Printer out of toner', 'Printer offline', 'Printer driver crash', 'Printer queue stuck', 'Printer makes noise'].map(
        (title, index) => makeTicket({ id: 10 + index, title, status: index === 0 ? 'in_progress' : 'open' }),
      ),
      makeTicket({ id: 30, title: 'Printer of someone else', requester_id: 99, requester_email: 'x@example.com' }),
      makeTicket({ id: 31, title: 'Cannot log in' }),
    );
    const { user } = renderWithClient(<TicketForm />, { as: 'requester' });
    await user.type(field.title(), 'Pr');
    await user.type(field.title(), 'inter jams');

    const region = await screen.findByRole('region', { name: 'Is this your problem?' }, { timeout: 3000 });
    const links = within(region).getAllByRole('link');
    expect(links).toHaveLength(5);
    expect(links[0]).toHaveAccessibleName('Printer jams on floor 2 #10');
    expect(links[0]).toHaveAttribute('href', '/tickets/10');
    expect(within(region).getAllByRole('listitem')[0]).toHaveTextContent('In progress');
    expect(links.map((link) => link.getAttribute('href'))).not.toContain('/tickets/30');
    // Debounced: asked about once the text settles, never while too short.
    const asked = db.requestsTo('GET', '/api/tickets/similar/').map((request) => request.url.searchParams.get('q')!);
    expect(asked.at(-1)).toBe('Printer jams');
    expect(asked.length).toBeLessThan('Printer jams'.length - 2);
    expect(asked.every((text) => text.length >= 3)).toBe(true);

    await user.click(links[0]);
    expect(window.location.pathname).toBe('/tickets/10');
  });

  it('is hidden while nothing is similar', async () => {
    db.tickets.push(makeTicket({ id: 10, title: 'Printer jams' }));
    const { user } = renderWithClient(<TicketForm />, { as: 'requester' });
    await user.type(field.title(), 'Cannot log in');
    await waitFor(() => expect(db.requestsTo('GET', '/api/tickets/similar/')).toHaveLength(1), { timeout: 3000 });
    expect(similar()).not.toBeInTheDocument();
  });
});

describe('TicketForm idempotency key', () => {
  const posts = () => db.requestsTo('POST', '/api/tickets/');
  const postedKeys = () => posts().map((post) => post.headers.get('Idempotency-Key'));
  const serviceUnavailable = async ({ request }: { request: Request }) => {
    await record(request);
    return problem(503, 'Service Unavailable', 'The database is unavailable.');
  };

  async function writeDraft(user: UserEvent, title = 'Printer jams', description = 'The printer on floor 2 jams') {
    await user.type(field.title(), title);
    await user.type(field.description(), description);
  }

  it('is sent again unchanged when a 503 is retried on its own', async () => {
    server.use(http.post('/api/tickets/', serviceUnavailable, { once: true }));
    const { user } = renderWithClient(<TicketForm />);
    await writeDraft(user);
    await user.click(field.submit());

    expect(await screen.findByText(/ticket #\d+ created/i)).toBeInTheDocument();
    const [first, retry] = postedKeys();
    expect(postedKeys()).toHaveLength(2);
    expect(first).toMatch(/^[0-9a-f-]{32,36}$/);
    expect(retry).toBe(first);
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('is sent again unchanged after a lost answer, so the ticket the server made is not made twice', async () => {
    server.use(createWithLostAnswer({ once: true }));
    const { user } = renderWithClient(<TicketForm />);
    await writeDraft(user);
    await user.click(field.submit());

    expect(await screen.findByText(/ticket #\d+ created/i)).toHaveTextContent(`Ticket #${db.tickets[0].id} created.`);
    expect(db.tickets).toHaveLength(1);
    const [first, retry] = postedKeys();
    expect(postedKeys()).toHaveLength(2);
    expect(retry).toBe(first);
  });

  it('is sent again unchanged when the user submits again after the retries ran out', async () => {
    server.use(http.post('/api/tickets/', serviceUnavailable));
    const { user } = renderWithClient(<TicketForm />);
    await writeDraft(user);
    await user.click(field.submit());
    expect(await screen.findByRole('alert')).toHaveTextContent(/database is unavailable/i);
    expect(posts()).toHaveLength(1 + CREATE_RETRIES);

    server.resetHandlers();
    await user.click(field.submit());

    expect(await screen.findByText(/ticket #\d+ created/i)).toBeInTheDocument();
    expect(posts()).toHaveLength(2 + CREATE_RETRIES);
    expect(new Set(postedKeys()).size).toBe(1);
    expect(new Set(posts().map((post) => JSON.stringify(post.body))).size).toBe(1);
  });

  it('is new for the next draft after a success', async () => {
    const { user } = renderWithClient(<TicketForm />);
    await writeDraft(user, 'First', 'The first problem');
    await user.click(field.submit());
    await screen.findByText(/ticket #\d+ created/i);
    await writeDraft(user, 'Second', 'The second problem');
    await user.click(field.submit());

    await waitFor(() => expect(db.tickets).toHaveLength(2));
    const [first, second] = postedKeys();
    expect(second).not.toBe(first);
  });

  it('is new once the user edits the draft, so the changed ticket is not refused as a reused key', async () => {
    // Every attempt creates the ticket and loses the answer: the first key is taken on the server.
    server.use(createWithLostAnswer());
    const { user } = renderWithClient(<TicketForm />);
    await writeDraft(user);
    await user.click(field.submit());
    await screen.findByRole('alert');

    server.resetHandlers();
    await user.type(field.title(), ' again');
    await user.click(field.submit());

    expect(await screen.findByText(/ticket #\d+ created/i)).toBeInTheDocument();
    const keys = postedKeys();
    expect(new Set(keys.slice(0, -1)).size).toBe(1);
    expect(keys.at(-1)).not.toBe(keys[0]);
    expect(posts().at(-1)?.body).toMatchObject({ title: 'Printer jams again' });
  });

  it('keeps a sent draft as sent when a suggestion arrives late, so resubmitting repeats the same request', async () => {
    server.use(
      http.post('/api/tickets/classify/', async () => {
        await delay(100);
        return HttpResponse.json(db.classification);
      }),
      http.post('/api/tickets/', serviceUnavailable),
    );
    const { user } = renderWithClient(<TicketForm />);
    await writeDraft(user);
    await user.click(field.submit());
    await screen.findByRole('alert');
    await screen.findByText(/suggested by ai model/i);
    expect(field.category()).toHaveValue('');

    server.resetHandlers();
    await user.click(field.submit());

    await screen.findByText(/ticket #\d+ created/i);
    expect(new Set(postedKeys()).size).toBe(1);
    expect(posts().at(-1)?.body).toEqual({ title: 'Printer jams', description: 'The printer on floor 2 jams' });
  });
});
