import { render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import { App } from '../App';
import type { Ticket } from '../api/types';
import { makeEvent, makeTicket, TEST_USERS } from '../test/fixtures';
import { db } from '../test/mockBackend';
import { renderWithClient } from '../test/render';
import { SlaBadge } from './SlaBadge';

function openTicketPage(as: 'agent' | 'requester' | 'admin' = 'agent') {
  window.history.replaceState(null, '', '/tickets/1');
  return renderWithClient(<App />, { as });
}

const details = () => within(screen.getByRole('region', { name: 'Details' }));
const history = () => within(screen.getByRole('list', { name: 'History' }));
const inMinutes = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();
const system = { actor_kind: 'system', actor_id: null, actor_name: null } as const;

describe('the SLA badge', () => {
  const cases: [Pick<Ticket, 'sla' | 'sla_target' | 'sla_due_at'>, string, RegExp][] = [
    [{ sla: 'ok', sla_target: 'first_response', sla_due_at: inMinutes(185) }, 'SLA on track: Response due in 3h', /emerald/],
    [{ sla: 'due_soon', sla_target: 'resolution', sla_due_at: inMinutes(40) }, 'SLA due soon: Resolution due in 39m', /amber/],
    [{ sla: 'breached', sla_target: 'resolution', sla_due_at: inMinutes(-130) }, 'SLA breached: Resolution overdue by 2h', /rose/],
  ];

  it.each(cases)('says how the running target stands in words and colour (%o)', (ticket, words, colour) => {
    render(<SlaBadge ticket={ticket} />);
    const badge = screen.getByText((_, element) => element?.tagName === 'SPAN' && element.textContent === words);
    expect(badge.className).toMatch(colour);
    expect(badge).toHaveAttribute('title', expect.stringMatching(/^SLA .+: due \w/));
  });

  it('is absent when no target runs', () => {
    const { container } = render(<SlaBadge ticket={{ sla: null, sla_target: null, sla_due_at: null }} />);
    expect(container).toBeEmptyDOMElement();
  });
});

describe('the ticket page', () => {
  it('shows staff the running target, both due times and the history of every kind of change, in words', async () => {
    db.tickets.push(
      makeTicket({
        id: 1,
        title: 'Printer on fire',
        sla: 'due_soon',
        sla_target: 'first_response',
        sla_due_at: inMinutes(20),
        first_response_due_at: inMinutes(20),
        resolution_due_at: inMinutes(200),
      }),
    );
    const ada = TEST_USERS.admin;
    db.events.push(
      makeEvent({ id: 1, kind: 'created', from: null, to: null, actor_id: 2, actor_name: 'Rita Requester' }),
      makeEvent({ id: 2, kind: 'priority_changed', ...system, actor_kind: 'classifier', from: null, to: 'high' }),
      makeEvent({ id: 3, kind: 'first_response_due_changed', ...system, from: null, to: '2026-03-02T09:00:00Z', visibility: 'internal' }),
      makeEvent({ id: 4, kind: 'assignee_changed', from: null, to: String(ada.id), to_name: ada.name }),
      makeEvent({ id: 5, kind: 'comment_added', from: null, to: null, comment_id: 9, visibility: 'internal' }),
      makeEvent({ id: 6, kind: 'status_changed', from: 'open', to: 'in_progress' }),
      makeEvent({ id: 7, kind: 'category_changed', from: 'general', to: 'billing' }),
      makeEvent({ id: 8, kind: 'sla_breached', ...system, from: null, to: 'first_response', visibility: 'internal' }),
      makeEvent({ id: 9, kind: 'resolution_due_changed', ...system, from: '2026-03-02T09:00:00Z', to: null, visibility: 'internal' }),
    );
    openTicketPage();

    expect(await screen.findByRole('heading', { name: 'Printer on fire' })).toBeInTheDocument();
    expect(screen.getByRole('main')).toHaveTextContent('SLA due soon: Response due in 19m');
    const service = within(screen.getByRole('region', { name: 'Service level' }));
    expect(service.getByText('First response').nextElementSibling).toHaveTextContent(/^Due in 19 minutes$/);
    expect(service.getByText('Resolution').nextElementSibling).toHaveTextContent(/^Due in 3 hours$/);

    await screen.findByRole('list', { name: 'History' });
    const lines = history()
      .getAllByRole('listitem')
      .map((item) => item.querySelector('p')!.textContent);
    expect(lines).toEqual([
      'Rita Requester opened the ticket',
      'Classifier set priority high',
      expect.stringMatching(/^First response due set to .+Internal$/),
      'Assigned to Ada Admin by Alex Agent',
      'Alex Agent added an internal note',
      'Alex Agent changed status open → in progress',
      'Alex Agent changed category general → billing',
      'SLA first response breachedInternal',
      'Resolution target stoppedInternal',
    ]);
  });

  it('an agent assigns the ticket to themself with the version they saw, and the history says so', async () => {
    db.tickets.push(makeTicket({ id: 1 }));
    const { user } = openTicketPage();

    await screen.findByRole('region', { name: 'Details' });
    const assignee = details().getByRole('combobox', { name: 'Assignee' });
    expect(assignee).toHaveValue('');
    await waitFor(() => expect(within(assignee).getAllByRole('option').map((o) => o.textContent)).toContain('Alex Agent (me)'));
    await user.click(details().getByRole('button', { name: 'Assign to me' }));

    await waitFor(() => expect(assignee).toHaveValue(String(TEST_USERS.agent.id)));
    const [patch] = db.requestsTo('PATCH', '/api/tickets/1/');
    expect(patch.body).toEqual({ assignee_id: TEST_USERS.agent.id });
    expect(patch.headers.get('If-Match')).toMatch(/^"1-/);
    expect(await details().findByText('Assignee saved.')).toBeInTheDocument();
    expect(await history().findByText('Assigned to Alex Agent by Alex Agent')).toBeInTheDocument();
    expect(details().queryByRole('button', { name: 'Assign to me' })).not.toBeInTheDocument();

    // And to someone else, chosen from the list of staff.
    await user.selectOptions(assignee, 'Ada Admin');
    expect(await history().findByText('Reassigned from Alex Agent to Ada Admin by Alex Agent')).toBeInTheDocument();
    expect(db.tickets[0].assignee_id).toBe(TEST_USERS.admin.id);
  });

  it("shows the server's refusal of an assignee beside the field", async () => {
    db.tickets.push(makeTicket({ id: 1 }));
    const { user } = openTicketPage();
    await screen.findByRole('region', { name: 'Details' });
    const assignee = details().getByRole('combobox', { name: 'Assignee' });
    await waitFor(() => expect(within(assignee).getAllByRole('option')).toHaveLength(3));
    // Disabled after the list was loaded.
    db.users.find((u) => u.id === TEST_USERS.admin.id)!.disabled = true;
    await user.selectOptions(assignee, 'Ada Admin');

    await waitFor(() => expect(assignee).toHaveAccessibleDescription('must be an enabled agent or admin'));
    expect(db.tickets[0].assignee_id).toBeNull();
  });

  it('a requester sees the public thread and history only: no internal notes, no assignee, no targets', async () => {
    db.tickets.push(makeTicket({ id: 1, title: 'My VPN', assignee_id: TEST_USERS.agent.id }));
    const agent = TEST_USERS.agent;
    db.comments.push(
      { id: 1, ticket_id: 1, author_id: agent.id, author_name: agent.name, author_is_staff: true, body: 'Looks like the certificate.', visibility: 'internal', created_at: inMinutes(-30) },
      { id: 2, ticket_id: 1, author_id: agent.id, author_name: agent.name, author_is_staff: true, body: 'Please reconnect now.', visibility: 'public', created_at: inMinutes(-20) },
    );
    db.events.push(
      makeEvent({ id: 1, kind: 'created', from: null, to: null, actor_id: 2, actor_name: 'Rita Requester' }),
      makeEvent({ id: 2, kind: 'comment_added', from: null, to: null, comment_id: 1, visibility: 'internal' }),
      makeEvent({ id: 3, kind: 'comment_added', from: null, to: null, comment_id: 2 }),
      makeEvent({ id: 4, kind: 'first_response_due_changed', ...system, from: null, to: inMinutes(60), visibility: 'internal' }),
    );
    // Whatever the server holds, a requester is sent no targets (the stand-in strips them as the server does).
    Object.assign(db.tickets[0], { sla: 'breached', sla_target: 'first_response', sla_due_at: inMinutes(-5), first_response_due_at: inMinutes(-5) });
    openTicketPage('requester');

    expect(await screen.findByText('Please reconnect now.')).toBeInTheDocument();
    expect(screen.queryByText('Looks like the certificate.')).not.toBeInTheDocument();
    expect(screen.queryByRole('article', { name: /Internal note/ })).not.toBeInTheDocument();
    await screen.findByText('Alex Agent replied');
    expect(history().getAllByRole('listitem')).toHaveLength(2);
    expect(screen.queryByText(/internal/i)).not.toBeInTheDocument();
    expect(screen.queryByRole('region', { name: 'Details' })).not.toBeInTheDocument();
    expect(screen.queryByRole('combobox', { name: 'Assignee' })).not.toBeInTheDocument();
    expect(screen.queryByRole('region', { name: 'Service level' })).not.toBeInTheDocument();
    expect(screen.queryByText(/SLA|overdue|due in/)).not.toBeInTheDocument();
    expect(screen.queryByRole('radio')).not.toBeInTheDocument();
    for (const path of ['/api/agents/', '/api/tickets/queues/', '/api/sla-policy/', '/api/tickets/stats/']) {
      expect(db.requestsTo('GET', path)).toHaveLength(0);
    }
  });

  it('says so when the ticket is not there, or not theirs', async () => {
    db.tickets.push(makeTicket({ id: 1, requester_id: 99 }));
    openTicketPage('requester');
    expect(await screen.findByRole('heading', { name: 'Ticket #1 was not found' })).toBeInTheDocument();
  });
});
