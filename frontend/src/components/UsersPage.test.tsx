import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import { TEST_USERS } from '../test/fixtures';
import { db } from '../test/mockBackend';
import { renderWithClient } from '../test/render';
import { UsersPage } from './UsersPage';

const invite = () => within(screen.getByRole('region', { name: 'Invite someone' }));
const row = (name: string) => within(screen.getByRole('article', { name: new RegExp(`^${name}`) }));

function renderUsersPage() {
  return renderWithClient(<UsersPage />, { as: 'admin' });
}

describe('UsersPage', () => {
  it('lists every account with its role, and marks the admin themself', async () => {
    renderUsersPage();
    const list = await screen.findByRole('list', { name: 'Users' });
    expect(within(list).getAllByRole('article')).toHaveLength(3);
    expect(row('Ada Admin').getByText('(you)')).toBeInTheDocument();
    expect(row('Alex Agent').getByRole('combobox', { name: 'Role of Alex Agent' })).toHaveValue('agent');
    expect(row('Rita Requester').getByText(TEST_USERS.requester.email)).toBeInTheDocument();
  });

  it('invites an agent with a password, and the list shows them', async () => {
    const { user } = renderUsersPage();
    await screen.findByRole('list', { name: 'Users' });
    await user.type(invite().getByRole('textbox', { name: /email/i }), 'sam@example.com');
    await user.type(invite().getByRole('textbox', { name: /name/i }), 'Sam Support');
    await user.selectOptions(invite().getByRole('combobox', { name: 'Role' }), 'agent');
    await user.type(invite().getByLabelText(/password/i), 'a long enough password');
    await user.click(invite().getByRole('button', { name: 'Invite' }));

    expect(await invite().findByText('Sam Support (sam@example.com) was added as agent.')).toBeInTheDocument();
    expect(db.requestsTo('POST', '/api/users/')[0].body).toEqual({
      email: 'sam@example.com',
      name: 'Sam Support',
      role: 'agent',
      password: 'a long enough password',
    });
    expect(await screen.findByRole('article', { name: 'Sam Support' })).toBeInTheDocument();
    expect(invite().getByRole('textbox', { name: /email/i })).toHaveValue('');
  });

  it('invites without a password, and checks a given one before sending', async () => {
    const { user } = renderUsersPage();
    await user.type(invite().getByRole('textbox', { name: /email/i }), 'pat@example.com');
    await user.type(invite().getByRole('textbox', { name: /name/i }), 'Pat');
    await user.type(invite().getByLabelText(/password/i), 'short');
    await user.click(invite().getByRole('button', { name: 'Invite' }));
    expect(invite().getByLabelText(/password/i)).toHaveAccessibleDescription(expect.stringContaining('Use at least 12 characters.'));
    expect(db.requestsTo('POST', '/api/users/')).toHaveLength(0);

    await user.clear(invite().getByLabelText(/password/i));
    await user.click(invite().getByRole('button', { name: 'Invite' }));
    await invite().findByText(/was added as requester/);
    expect(db.requestsTo('POST', '/api/users/')[0].body).toEqual({ email: 'pat@example.com', name: 'Pat', role: 'requester' });
  });

  it('shows the server’s word on an address already registered, beside the field', async () => {
    const { user } = renderUsersPage();
    await user.type(invite().getByRole('textbox', { name: /email/i }), TEST_USERS.agent.email);
    await user.type(invite().getByRole('textbox', { name: /name/i }), 'Someone Else');
    await user.click(invite().getByRole('button', { name: 'Invite' }));

    await waitFor(() =>
      expect(invite().getByRole('textbox', { name: /email/i })).toHaveAccessibleDescription('is already registered'),
    );
    expect(invite().getByRole('textbox', { name: /name/i })).toHaveValue('Someone Else');
  });

  it('changes a role on the spot', async () => {
    const { user } = renderUsersPage();
    await screen.findByRole('list', { name: 'Users' });
    await user.selectOptions(row('Rita Requester').getByRole('combobox', { name: 'Role of Rita Requester' }), 'agent');

    await waitFor(() => expect(db.users.find((u) => u.id === TEST_USERS.requester.id)?.role).toBe('agent'));
    expect(db.requestsTo('PATCH', `/api/users/${TEST_USERS.requester.id}/`)[0].body).toEqual({ role: 'agent' });
    await waitFor(() => expect(row('Rita Requester').getByText('Agent', { selector: 'span' })).toBeInTheDocument());
  });

  it('disables and enables an account', async () => {
    const { user } = renderUsersPage();
    await screen.findByRole('list', { name: 'Users' });
    await user.click(row('Alex Agent').getByRole('button', { name: 'Disable Alex Agent' }));
    expect(await row('Alex Agent').findByText('Disabled')).toBeInTheDocument();
    expect(db.requestsTo('PATCH', `/api/users/${TEST_USERS.agent.id}/`)[0].body).toEqual({ disabled: true });

    await user.click(row('Alex Agent').getByRole('button', { name: 'Enable Alex Agent' }));
    await waitFor(() => expect(row('Alex Agent').queryByText('Disabled')).not.toBeInTheDocument());
  });

  it('explains clearly when the server refuses a change (409), and shows the account unchanged', async () => {
    const { user } = renderUsersPage();
    await screen.findByRole('list', { name: 'Users' });
    await user.selectOptions(row('Ada Admin').getByRole('combobox', { name: 'Role of Ada Admin' }), 'agent');

    expect(await row('Ada Admin').findByRole('alert')).toHaveTextContent(
      'Ada Admin was not changedYou cannot disable or demote your own account: another admin can.',
    );
    expect(row('Ada Admin').getByRole('combobox', { name: 'Role of Ada Admin' })).toHaveValue('admin');

    await user.click(row('Ada Admin').getByRole('button', { name: 'Disable Ada Admin' }));
    await waitFor(() => expect(db.requestsTo('PATCH', `/api/users/${TEST_USERS.admin.id}/`)).toHaveLength(2));
    expect(row('Ada Admin').getByRole('alert')).toHaveTextContent('You cannot disable or demote your own account');
    expect(row('Ada Admin').queryByText('Disabled')).not.toBeInTheDocument();
  });
});
