import { screen, waitFor, within } from '@testing-library/react';
import { delay, http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';

import { App } from '../App';
import { db, problem } from '../test/mockBackend';
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
    db.classification = { suggested_category: 'billing', suggested_priority: 'critical', source: 'llm' };
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
    db.classification = { suggested_category: 'account', suggested_priority: 'medium', source: 'fallback' };
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
    db.classification = { suggested_category: 'billing', suggested_priority: 'low', source: 'llm' };
    await user.type(field.description(), ' and on invoices');
    await user.tab();

    await waitFor(() => expect(field.priority()).toHaveValue('low'));
    expect(field.category()).toHaveValue('general');
  });

  it('shows the API validation messages next to their fields', async () => {
    server.use(
      http.post('/api/tickets/', () =>
        problem(400, 'Validation failed', 'The ticket has invalid fields.', {
          title: ['must not be blank'],
          description: ['must be at most 10000 characters'],
        }),
      ),
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

  it('explains a network failure', async () => {
    server.use(http.post('/api/tickets/', () => HttpResponse.error()));
    const { user } = renderWithClient(<TicketForm />);
    await user.type(field.title(), 'A title');
    await user.type(field.description(), 'Something');
    await user.click(field.submit());
    expect(await screen.findByRole('alert')).toHaveTextContent(/could not reach the server/i);
  });

  it('disables submit while submitting, then clears the form and lists the new ticket first', async () => {
    db.tickets.push({
      id: 500,
      title: 'Older ticket',
      description: 'From yesterday',
      category: 'general',
      priority: 'low',
      status: 'open',
      created_at: '2026-01-01T00:00:00Z',
      updated_at: '2026-01-01T00:00:00Z',
    });
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
    expect(post.body).toMatchObject({ title: 'VPN drops every hour', category: 'technical', priority: 'high' });
  });
});
