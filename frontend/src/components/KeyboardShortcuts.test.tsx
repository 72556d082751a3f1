import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import { App } from '../App';
import { makeTicket } from '../test/fixtures';
import { db } from '../test/mockBackend';
import { renderWithClient } from '../test/render';

const link = (title: string) => screen.getByRole('link', { name: title });
const card = (title: string) => screen.getByRole('article', { name: title });

function seed() {
  // Newest first in the list: Third, Second, First.
  db.tickets.push(makeTicket({ id: 1, title: 'First' }), makeTicket({ id: 2, title: 'Second' }), makeTicket({ id: 3, title: 'Third' }));
}

describe('keyboard shortcuts', () => {
  it('on the list, j and k move through the tickets and Enter opens the selected one', async () => {
    seed();
    const { user } = renderWithClient(<App />);
    await screen.findByRole('article', { name: 'Third' });

    await user.keyboard('j');
    expect(link('Third')).toHaveFocus();
    expect(card('Third')).toHaveAttribute('aria-current', 'true');
    await user.keyboard('jj');
    expect(link('First')).toHaveFocus();
    await user.keyboard('j');
    expect(link('First')).toHaveFocus();
    expect(screen.getByText('Last ticket')).toBeInTheDocument();
    await user.keyboard('k');
    expect(link('Second')).toHaveFocus();
    expect(card('Second')).toHaveAttribute('aria-current', 'true');
    expect(card('First')).not.toHaveAttribute('aria-current');
    expect(screen.getByText('Ticket 2 of 3: Second')).toBeInTheDocument();

    await user.keyboard('{Enter}');
    expect(window.location.pathname).toBe('/tickets/2');
    expect(await screen.findByRole('heading', { name: 'Second', level: 2 })).toBeInTheDocument();
  });

  it('wait while the user types in a field', async () => {
    seed();
    const { user } = renderWithClient(<App />);
    await screen.findByRole('article', { name: 'Third' });

    const search = screen.getByRole('searchbox', { name: 'Search tickets' });
    await user.click(search);
    await user.keyboard('jk');
    expect(search).toHaveValue('jk');
    expect(search).toHaveFocus();
    expect(screen.queryByRole('article', { current: true })).not.toBeInTheDocument();

    const title = within(screen.getByRole('region', { name: 'New ticket' })).getByRole('textbox', { name: 'Title' });
    await user.click(title);
    await user.keyboard('j{Enter}');
    expect(title).toHaveValue('j');
    expect(window.location.pathname).toBe('/');
  });

  it('on a ticket page, r writes a reply, Esc leaves the box, and Esc again goes back to the list with the ticket selected', async () => {
    seed();
    const { user } = renderWithClient(<App />);
    await screen.findByRole('article', { name: 'Third' });
    await user.keyboard('jj{Enter}');
    await screen.findByRole('heading', { name: 'Second', level: 2 });
    const reply = await screen.findByRole('textbox', { name: 'Reply' });

    await user.keyboard('r');
    expect(reply).toHaveFocus();
    await user.keyboard('ready');
    expect(reply).toHaveValue('ready');

    await user.keyboard('{Escape}');
    expect(reply).not.toHaveFocus();
    expect(window.location.pathname).toBe('/tickets/2');
    expect(reply).toHaveValue('ready');

    await user.keyboard('{Escape}');
    await waitFor(() => expect(window.location.pathname).toBe('/'));
    await waitFor(() => expect(link('Second')).toHaveFocus());
    expect(card('Second')).toHaveAttribute('aria-current', 'true');
    await user.keyboard('j');
    expect(link('First')).toHaveFocus();
  });

  it('Esc on a ticket opened by its address goes to the list', async () => {
    seed();
    window.history.replaceState(null, '', '/tickets/3');
    const { user } = renderWithClient(<App />);
    await screen.findByRole('heading', { name: 'Third', level: 2 });
    await user.keyboard('{Escape}');
    await waitFor(() => expect(window.location.pathname).toBe('/'));
    expect(await screen.findByRole('article', { name: 'Third' })).toBeInTheDocument();
  });

  it('? lists the shortcuts, and closes the list again', async () => {
    seed();
    const { user } = renderWithClient(<App />);
    await screen.findByRole('article', { name: 'Third' });
    await user.keyboard('?');
    const dialog = await screen.findByRole('dialog', { name: 'Keyboard shortcuts' });
    expect(within(dialog).getByRole('region', { name: 'Ticket list' })).toHaveTextContent('jNext ticket');
    expect(within(dialog).getByRole('region', { name: 'Ticket page' })).toHaveTextContent('rWrite a reply');
    // Shortcuts of the page wait while the dialog is open.
    await user.keyboard('j');
    expect(screen.queryByRole('article', { current: true })).not.toBeInTheDocument();
    await user.keyboard('?');
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
  });
});
