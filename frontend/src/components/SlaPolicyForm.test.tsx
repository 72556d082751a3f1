import { screen, within } from '@testing-library/react';
import { http } from 'msw';
import { describe, expect, it } from 'vitest';

import { db, DEFAULT_SLA_POLICY, problem } from '../test/mockBackend';
import { renderWithClient } from '../test/render';
import { server } from '../test/server';
import { UsersPage } from './UsersPage';

const section = () => within(screen.getByRole('region', { name: 'SLA targets' }));
const field = (name: string) => section().getByRole('textbox', { name });

async function renderForm() {
  const rendered = renderWithClient(<UsersPage />, { as: 'admin' });
  await section().findByRole('form', { name: 'SLA targets' });
  return rendered;
}

describe('the SLA targets on the admin page', () => {
  it('shows the stored targets in minutes, with what they come to', async () => {
    await renderForm();
    expect(field('First response (critical)')).toHaveValue('60');
    expect(field('Resolution (critical)')).toHaveValue('240');
    expect(field('First response (low)')).toHaveValue('4320');
    expect(field('Resolution (critical)')).toHaveAccessibleDescription('minutes (4h)');
    expect(field('First response (low)')).toHaveAccessibleDescription('minutes (3d)');
  });

  it('saves all four priorities at once', async () => {
    const { user } = await renderForm();
    await user.clear(field('First response (high)'));
    await user.type(field('First response (high)'), '90');
    expect(field('First response (high)')).toHaveAccessibleDescription('minutes (1h 30m)');
    await user.click(section().getByRole('button', { name: 'Save targets' }));

    expect(await section().findByText('SLA targets saved.')).toBeInTheDocument();
    const [put] = db.requestsTo('PUT', '/api/sla-policy/');
    expect(put.body).toEqual({ ...DEFAULT_SLA_POLICY, high: { first_response_minutes: 90, resolution_minutes: 1440 } });
    expect(db.slaPolicy.high.first_response_minutes).toBe(90);
  });

  it('checks the minutes before sending, beside each field', async () => {
    const { user } = await renderForm();
    await user.clear(field('First response (medium)'));
    await user.type(field('First response (medium)'), '1.5');
    await user.clear(field('Resolution (low)'));
    await user.type(field('Resolution (low)'), '60');
    await user.click(section().getByRole('button', { name: 'Save targets' }));

    expect(field('First response (medium)')).toBeInvalid();
    expect(field('First response (medium)')).toHaveAccessibleDescription(expect.stringContaining('Enter whole minutes from 1 to 525,600'));
    expect(field('Resolution (low)')).toHaveAccessibleDescription(expect.stringContaining('Must be at least the first-response target.'));
    expect(db.requestsTo('PUT', '/api/sla-policy/')).toHaveLength(0);

    // Fixing a field clears its message.
    await user.clear(field('First response (medium)'));
    await user.type(field('First response (medium)'), '30');
    expect(field('First response (medium)')).toBeValid();
  });

  it("shows the server's messages by the fields they are keyed to, and the rest in an alert", async () => {
    server.use(
      http.put('/api/sla-policy/', () =>
        problem(400, 'Bad Request', 'The request has invalid fields.', {
          'critical.resolution_minutes': ['must be at least first_response_minutes'],
          medium: ['is required'],
        }),
      ),
    );
    const { user } = await renderForm();
    await user.click(section().getByRole('button', { name: 'Save targets' }));

    expect(await section().findByRole('alert')).toHaveTextContent('medium: is required');
    expect(field('Resolution (critical)')).toBeInvalid();
    expect(field('Resolution (critical)')).toHaveAccessibleDescription(expect.stringContaining('must be at least first_response_minutes'));
    expect(section().queryByText('SLA targets saved.')).not.toBeInTheDocument();
  });

  it('says why when the server refuses without field messages', async () => {
    server.use(http.put('/api/sla-policy/', () => problem(403, 'Forbidden', 'Only admins change the SLA policy.')));
    const { user } = await renderForm();
    await user.click(section().getByRole('button', { name: 'Save targets' }));
    expect(await section().findByRole('alert')).toHaveTextContent('Only admins change the SLA policy.');
  });
});
