import { act, screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { STATS_REFRESH_MS } from '../api/queries/useTicketStats';
import type { TicketStats } from '../api/types';
import { db } from '../test/mockBackend';
import { renderWithClient } from '../test/render';
import { server } from '../test/server';
import { StatsDashboard } from './StatsDashboard';

const stats: TicketStats = {
  total_tickets: 124,
  open_tickets: 67,
  avg_tickets_per_day: 8.3,
  priority_breakdown: { low: 30, medium: 52, high: 31, critical: 11 },
  category_breakdown: { billing: 28, technical: 55, account: 22, general: 19 },
  open_by_assignee: [
    { assignee_id: 1, assignee_name: 'Alex Agent', tickets: 9 },
    { assignee_id: 3, assignee_name: 'Ada Admin', tickets: 4 },
  ],
  unassigned_open: 12,
  sla_breached: 3,
  needs_triage: 5,
  median_first_response_minutes: 47.5,
  median_resolution_minutes: 1570,
};

function row(figure: HTMLElement, label: string) {
  return within(figure).getByText(label).closest('li')!;
}

describe('StatsDashboard', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('shows the totals and both breakdowns', async () => {
    server.use(http.get('/api/tickets/stats/', () => HttpResponse.json(stats)));
    renderWithClient(<StatsDashboard />);

    expect(await screen.findByText('124')).toBeInTheDocument();
    expect(screen.getByRole('group', { name: 'Total tickets' })).toHaveTextContent('124');
    expect(screen.getByRole('group', { name: 'Open' })).toHaveTextContent('67');
    expect(screen.getByRole('group', { name: 'Open' })).toHaveTextContent('54% of all');
    expect(screen.getByRole('group', { name: 'Avg per day' })).toHaveTextContent('8.3');

    const byPriority = screen.getByRole('figure', { name: 'By priority' });
    expect(row(byPriority, 'Low')).toHaveTextContent('30');
    expect(row(byPriority, 'Medium')).toHaveTextContent('52');
    expect(row(byPriority, 'High')).toHaveTextContent('31');
    expect(row(byPriority, 'Critical')).toHaveTextContent('11');

    const byCategory = screen.getByRole('figure', { name: 'By category' });
    expect(row(byCategory, 'Billing')).toHaveTextContent('28');
    expect(row(byCategory, 'Technical')).toHaveTextContent('55');
    expect(row(byCategory, 'Account')).toHaveTextContent('22');
    expect(row(byCategory, 'General')).toHaveTextContent('19');
    // Bars are proportional to the share of all tickets.
    const technicalBar = row(byCategory, 'Technical').querySelector<HTMLElement>('[style]');
    expect(parseFloat(technicalBar!.style.width)).toBeCloseTo((55 / 124) * 100, 1);
  });

  it('shows who holds the open work, what nobody holds, what is late and the median times', async () => {
    server.use(http.get('/api/tickets/stats/', () => HttpResponse.json(stats)));
    renderWithClient(<StatsDashboard />);

    expect(await screen.findByRole('group', { name: 'Unassigned' })).toHaveTextContent('12');
    expect(screen.getByRole('group', { name: 'SLA breached' })).toHaveTextContent('3');
    expect(screen.getByRole('group', { name: 'Needs triage' })).toHaveTextContent('5');
    expect(screen.getByRole('group', { name: 'Median first response' })).toHaveTextContent('48m');
    expect(screen.getByRole('group', { name: 'Median resolution' })).toHaveTextContent('1d 2h');
    const byAssignee = screen.getByRole('figure', { name: 'Open by assignee' });
    expect(within(byAssignee).getAllByRole('listitem').map((item) => item.textContent)).toEqual(['Alex Agent9', 'Ada Admin4']);
    expect(byAssignee).not.toHaveTextContent('others');
  });

  it('shows the four busiest assignees and sums up the rest', async () => {
    const loads = [9, 7, 5, 4, 2, 1].map((tickets, index) => ({ assignee_id: index + 1, assignee_name: `Agent ${index + 1}`, tickets }));
    server.use(http.get('/api/tickets/stats/', () => HttpResponse.json({ ...stats, open_by_assignee: loads })));
    renderWithClient(<StatsDashboard />);

    const byAssignee = await screen.findByRole('figure', { name: 'Open by assignee' });
    expect(within(byAssignee).getAllByRole('listitem')).toHaveLength(4);
    expect(byAssignee).toHaveTextContent('And 2 others: 3');
    // Each bar is a share of everyone's open tickets, the others' included.
    const firstBar = within(byAssignee).getAllByRole('listitem')[0].querySelector<HTMLElement>('[style]');
    expect(parseFloat(firstBar!.style.width)).toBeCloseTo((9 / 28) * 100, 1);
  });

  it('says when there is nothing to measure yet', async () => {
    server.use(
      http.get('/api/tickets/stats/', () =>
        HttpResponse.json({ ...stats, open_by_assignee: [], median_first_response_minutes: null, median_resolution_minutes: null }),
      ),
    );
    renderWithClient(<StatsDashboard />);

    expect(await screen.findByRole('group', { name: 'Median first response' })).toHaveTextContent('—');
    expect(screen.getByRole('group', { name: 'Median resolution' })).toHaveTextContent('—');
    expect(screen.getByRole('figure', { name: 'Open by assignee' })).toHaveTextContent('Nobody holds an open ticket.');
  });

  it('shows an error with a retry', async () => {
    server.use(
      http.get('/api/tickets/stats/', () => HttpResponse.json({ title: 'Service Unavailable', status: 503 }, { status: 503 }), {
        once: true,
      }),
    );
    const { user } = renderWithClient(<StatsDashboard />);
    expect(await screen.findByRole('alert')).toHaveTextContent('Service Unavailable');
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('Total tickets')).toBeInTheDocument();
  });

  it('refreshes every 30 seconds', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    renderWithClient(<StatsDashboard />);
    await screen.findByText('Total tickets');
    expect(db.requestsTo('GET', '/api/tickets/stats/')).toHaveLength(1);

    await act(() => vi.advanceTimersByTimeAsync(STATS_REFRESH_MS));
    await waitFor(() => expect(db.requestsTo('GET', '/api/tickets/stats/')).toHaveLength(2));
  });
});
