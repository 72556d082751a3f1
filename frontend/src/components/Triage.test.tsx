import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import { App } from '../App';
import { makeTicket, TEST_USERS } from '../test/fixtures';
import { db } from '../test/mockBackend';
import { renderWithClient } from '../test/render';

function openTicketPage(as: 'agent' | 'requester' = 'agent', id = 1) {
  window.history.replaceState(null, '', `/tickets/${id}`);
  return renderWithClient(<App />, { as });
}

async function ticketHeader(title: string) {
  return within((await screen.findByRole('heading', { name: title })).closest('header')!);
}

const replyForm = () => within(screen.getByRole('form', { name: 'Reply or note' }));
const details = () => within(screen.getByRole('region', { name: 'Details' }));
const someoneElse = { requester_id: 77, requester_email: 'sam@example.com', requester_name: 'Sam' };

describe('triage on the ticket page', () => {
  it('shows staff how the labels were set, the doubtful ones, the tone, the language and the triage flag', async () => {
    db.tickets.push(
      makeTicket({
        id: 1,
        title: 'Rechnung doppelt',
        classified_by: 'llm',
        confidence: { category: 'high', priority: 'low' },
        sentiment: 'negative',
        language: 'de',
        needs_triage: true,
      }),
    );
    const { user } = openTicketPage();

    const header = await ticketHeader('Rechnung doppelt');
    for (const badge of ['Needs triage', 'Labelled by AI', 'Priority: low confidence', 'Negative tone', 'Language: German']) {
      expect(header.getByText((_, element) => element?.tagName === 'SPAN' && element.textContent === badge)).toBeInTheDocument();
    }
    expect(header.queryByText(/category: \w+ confidence/i)).not.toBeInTheDocument();

    // A person setting a label is the triage: the flag goes, and the labels are theirs.
    await waitFor(() => expect(details().getByRole('combobox', { name: 'Category' })).toBeEnabled());
    await user.selectOptions(details().getByRole('combobox', { name: 'Category' }), 'billing');
    await waitFor(() => expect(header.getByText('Labelled by a person')).toBeInTheDocument());
    expect(header.queryByText('Needs triage')).not.toBeInTheDocument();
    expect(header.queryByText(/low confidence/)).not.toBeInTheDocument();
  });

  it('says nothing about a neutral English ticket beyond who labelled it', async () => {
    db.tickets.push(makeTicket({ id: 1, title: 'Printer jams', classified_by: 'fallback', confidence: { category: 'high', priority: 'high' }, sentiment: 'neutral', language: 'en' }));
    openTicketPage();

    const header = await ticketHeader('Printer jams');
    expect(header.getByText('Labelled by rules')).toBeInTheDocument();
    expect(header.queryByText(/confidence|tone|triage|English/i)).not.toBeInTheDocument();
  });

  it('shows a requester none of it (the server does not send it)', async () => {
    db.tickets.push(makeTicket({ id: 1, title: 'Printer jams', classified_by: 'llm', sentiment: 'negative', language: 'de', needs_triage: true }));
    openTicketPage('requester');

    const header = await ticketHeader('Printer jams');
    expect(header.queryByText(/labelled|tone|triage|German/i)).not.toBeInTheDocument();
    expect(screen.queryByRole('region', { name: 'Likely duplicates' })).not.toBeInTheDocument();
    expect(db.requestsTo('GET', '/api/tickets/1/similar/')).toHaveLength(0);
  });
});

describe('merging a duplicate', () => {
  function seed() {
    db.tickets.push(
      makeTicket({ id: 1, title: 'Printer jams on floor 2' }),
      makeTicket({ id: 2, title: 'Printer on floor 2 jams again', ...someoneElse }),
      makeTicket({ id: 3, title: 'Cannot log in' }),
    );
  }

  it('lists the likely duplicates, asks to confirm, merges, then shows the banner, the new status and the comment', async () => {
    seed();
    const { user } = openTicketPage();

    const panel = within(await screen.findByRole('region', { name: 'Likely duplicates' }));
    const candidates = within(await panel.findByRole('list', { name: 'Likely duplicates' }));
    expect(candidates.getAllByRole('listitem')).toHaveLength(1);
    expect(candidates.getByRole('link', { name: 'Printer on floor 2 jams again #2' })).toHaveAttribute('href', '/tickets/2');

    await user.click(candidates.getByRole('button', { name: 'Mark this ticket as a duplicate of #2' }));
    let dialog = within(screen.getByRole('dialog', { name: 'Mark #1 as a duplicate of #2?' }));
    await user.click(dialog.getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(db.requestsTo('POST', '/api/tickets/1/merge/')).toHaveLength(0);

    await user.click(candidates.getByRole('button', { name: 'Mark this ticket as a duplicate of #2' }));
    dialog = within(screen.getByRole('dialog', { name: 'Mark #1 as a duplicate of #2?' }));
    await user.click(dialog.getByRole('button', { name: 'Mark as duplicate' }));

    const banner = await screen.findByRole('note');
    expect(banner).toHaveTextContent('Duplicate of #2');
    expect(within(banner).getByRole('link', { name: '#2' })).toHaveAttribute('href', '/tickets/2');
    await waitFor(() => expect(banner).toHaveFocus());
    expect(db.requestsTo('POST', '/api/tickets/1/merge/')[0].body).toEqual({ into: 2 });
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(await within(screen.getByRole('list', { name: 'Conversation' })).findByText('Closed as a duplicate of #2.')).toBeInTheDocument();
    await waitFor(() => expect(details().getByRole('combobox', { name: 'Status' })).toHaveValue('closed'));
    expect(screen.queryByRole('region', { name: 'Likely duplicates' })).not.toBeInTheDocument();

    await user.click(within(banner).getByRole('link', { name: '#2' }));
    expect(await screen.findByRole('heading', { name: 'Printer on floor 2 jams again' })).toBeInTheDocument();
    expect(await within(screen.getByRole('list', { name: 'Conversation' })).findByText('#1 was merged into this ticket.')).toBeInTheDocument();
  });

  it('keeps the dialog open with the reason when the server refuses', async () => {
    seed();
    db.tickets[1] = { ...db.tickets[1], duplicate_of: 3 };
    const { user } = openTicketPage();

    const panel = within(await screen.findByRole('region', { name: 'Likely duplicates' }));
    await user.click(await panel.findByRole('button', { name: 'Mark this ticket as a duplicate of #2' }));
    await user.click(screen.getByRole('button', { name: 'Mark as duplicate' }));

    const alert = await within(screen.getByRole('dialog')).findByRole('alert');
    expect(alert).toHaveTextContent('The tickets were not merged');
    expect(alert).toHaveTextContent('#2 is itself a duplicate of #3.');
  });

  it('shows the requester of a duplicate the banner, and lets them follow the ticket it was merged into', async () => {
    db.tickets.push(
      makeTicket({ id: 1, title: 'Printer jams on floor 2', status: 'closed', duplicate_of: 2 }),
      makeTicket({ id: 2, title: 'Printer on floor 2 jams again', ...someoneElse }),
    );
    const { user } = openTicketPage('requester');

    const banner = await screen.findByRole('note');
    expect(banner).toHaveTextContent('Duplicate of #2');
    expect(banner).not.toHaveFocus();
    await user.click(within(banner).getByRole('link', { name: '#2' }));
    expect(await screen.findByRole('heading', { name: 'Printer on floor 2 jams again' })).toBeInTheDocument();
  });
});

describe('writing assistance', () => {
  it('drafts a public reply into the box, to edit, and sends nothing by itself', async () => {
    db.assist = { ...db.assist, available: true, draft: 'Hello Rita,\nplease restart the printer.' };
    db.tickets.push(makeTicket({ id: 1, title: 'Printer jams' }));
    const { user } = openTicketPage();

    await screen.findByRole('form', { name: 'Reply or note' });
    await user.click(replyForm().getByRole('radio', { name: 'Internal note' }));
    await user.click(replyForm().getByRole('button', { name: 'Draft a reply' }));

    const box = replyForm().getByRole('textbox', { name: 'Reply' });
    await waitFor(() => expect(box).toHaveValue('Hello Rita,\nplease restart the printer.'));
    expect(replyForm().getByRole('radio', { name: 'Public reply' })).toBeChecked();
    expect(box).toHaveFocus();
    await user.type(box, ' Thanks!');
    expect(box).toHaveValue('Hello Rita,\nplease restart the printer. Thanks!');
    expect(db.requestsTo('POST', '/api/tickets/1/reply-draft/')).toHaveLength(1);
    expect(db.requestsTo('POST', '/api/tickets/1/comments/')).toHaveLength(0);
  });

  it('keeps what the agent wrote, and says why when the model did not answer', async () => {
    db.assist = { ...db.assist, available: true, failing: true };
    db.tickets.push(makeTicket({ id: 1, title: 'Printer jams' }));
    const { user } = openTicketPage();

    await screen.findByRole('form', { name: 'Reply or note' });
    const box = replyForm().getByRole('textbox', { name: 'Reply' });
    await user.type(box, 'Dear Rita,');
    await user.click(replyForm().getByRole('button', { name: 'Draft a reply' }));

    expect(await replyForm().findByRole('alert')).toHaveTextContent('The language model did not answer; write the reply yourself.');
    expect(box).toHaveValue('Dear Rita,');

    db.assist.failing = false;
    await user.click(replyForm().getByRole('button', { name: 'Draft a reply' }));
    await waitFor(() => expect(box).toHaveValue('Dear Rita,\n\nThanks for reporting this.'));
    expect(replyForm().queryByRole('alert')).not.toBeInTheDocument();
  });

  it('summarizes the ticket in a panel when asked', async () => {
    db.assist = { ...db.assist, available: true, summary: 'Printer jams; agent asked for a restart; waiting on Rita.' };
    db.tickets.push(makeTicket({ id: 1, title: 'Printer jams' }));
    const { user } = openTicketPage();

    const panel = within(await screen.findByRole('region', { name: 'Summary' }));
    expect(db.requestsTo('POST', '/api/tickets/1/summary/')).toHaveLength(0);
    await user.click(panel.getByRole('button', { name: 'Summarize' }));

    expect(await panel.findByText('Printer jams; agent asked for a restart; waiting on Rita.')).toBeInTheDocument();
    expect(panel.getByRole('button', { name: 'Summarize again' })).toBeInTheDocument();
  });

  it('is not offered where no language model is configured', async () => {
    db.tickets.push(makeTicket({ id: 1, title: 'Printer jams' }));
    openTicketPage();

    await screen.findByRole('form', { name: 'Reply or note' });
    await waitFor(() => expect(db.requestsTo('GET', '/api/tickets/assist/').length).toBeGreaterThan(0));
    // The answer came; let React render it.
    await screen.findByRole('region', { name: 'Likely duplicates' });
    expect(screen.queryByRole('button', { name: 'Draft a reply' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /summarize/i })).not.toBeInTheDocument();
    expect(screen.queryByRole('region', { name: 'Summary' })).not.toBeInTheDocument();
  });

  it('is not asked about for a requester', async () => {
    db.assist = { ...db.assist, available: true };
    db.tickets.push(makeTicket({ id: 1, title: 'Printer jams' }));
    openTicketPage('requester');

    await screen.findByRole('form', { name: 'Reply' });
    expect(screen.queryByRole('button', { name: 'Draft a reply' })).not.toBeInTheDocument();
    expect(db.requestsTo('GET', '/api/tickets/assist/')).toHaveLength(0);
  });
});

describe('the needs-triage queue', () => {
  it('counts and lists the active tickets whose labels a person should check, flagged on their cards', async () => {
    db.tickets.push(
      makeTicket({ title: 'Unsure one', needs_triage: true, classified_by: 'llm' }),
      makeTicket({ title: 'Unsure but closed', needs_triage: true, status: 'closed' }),
      makeTicket({ title: 'Sure one', needs_triage: false, assignee_id: TEST_USERS.agent.id }),
    );
    const { user } = renderWithClient(<App />);

    const queues = within(await screen.findByRole('navigation', { name: 'Queues' }));
    const queue = () => queues.getByRole('link', { name: /^Needs triage(,|$)/ });
    await waitFor(() => expect(queue()).toHaveAccessibleName('Needs triage, 1 ticket'));
    expect(queue().querySelector('.bg-amber-200')).not.toBeNull();

    await user.click(queue());
    await waitFor(() =>
      expect(Object.fromEntries(db.requestsTo('GET', '/api/tickets/').at(-1)!.url.searchParams)).toMatchObject({
        needs_triage: 'true',
        status: 'open,in_progress',
      }),
    );
    expect(window.location.search).toBe('?queue=needs_triage');
    const list = within(screen.getByRole('list', { name: 'Tickets' }));
    const card = await list.findByRole('article', { name: 'Unsure one' });
    await waitFor(() => expect(list.getAllByRole('article')).toHaveLength(1));
    expect(within(card).getByText('Needs triage')).toBeInTheDocument();
    expect(await screen.findByRole('group', { name: 'Needs triage' })).toHaveTextContent('1');
  });
});
