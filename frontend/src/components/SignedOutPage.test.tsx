import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import { App } from '../App';
import { TEST_PASSWORD, TEST_USERS } from '../test/fixtures';
import { db } from '../test/mockBackend';
import { renderWithClient } from '../test/render';

const signInForm = () => within(screen.getByRole('form', { name: 'Sign in with email' }));

async function signIn(user: ReturnType<typeof renderWithClient>['user'], email: string, password: string) {
  await screen.findByRole('form', { name: 'Sign in with email' });
  await user.type(signInForm().getByRole('textbox', { name: /email/i }), email);
  await user.type(signInForm().getByLabelText(/password/i), password);
  await user.click(signInForm().getByRole('button', { name: 'Sign in' }));
}

/** Anything that looks like a token, in storage a script can read. */
function tokensInWebStorage(): string[] {
  return [window.localStorage, window.sessionStorage].flatMap((storage) =>
    Object.keys(storage)
      .map((key) => `${key}=${storage.getItem(key)}`)
      .filter((entry) => /token/i.test(entry)),
  );
}

describe('signing in', () => {
  it('signs in with a password and shows who is signed in, keeping the token out of Web Storage', async () => {
    const { user } = renderWithClient(<App />, { as: null });
    await signIn(user, TEST_USERS.agent.email, TEST_PASSWORD);

    const header = await screen.findByRole('banner');
    expect(await within(header).findByText('Alex Agent')).toBeInTheDocument();
    expect(within(header).getByText('Agent')).toBeInTheDocument();
    expect(await screen.findByRole('heading', { name: 'Tickets' })).toBeInTheDocument();
    expect(db.requestsTo('POST', '/api/auth/login')[0].body).toEqual({ email: TEST_USERS.agent.email, password: TEST_PASSWORD });
    // The ticket list was asked for with the token the sign-in answered with.
    await waitFor(() => expect(db.requestsTo('GET', '/api/tickets/')).not.toHaveLength(0));
    expect(db.requestsTo('GET', '/api/tickets/')[0].headers.get('Authorization')).toMatch(/^Bearer token-1-/);
    expect(tokensInWebStorage()).toEqual([]);
    expect(document.cookie).toBe('');
  });

  it('says when the email or password is wrong, and stays on the sign-in page', async () => {
    const { user } = renderWithClient(<App />, { as: null });
    await signIn(user, TEST_USERS.agent.email, 'not the password');

    expect(await screen.findByRole('alert')).toHaveTextContent('The email or password is incorrect.');
    expect(signInForm().getByRole('textbox', { name: /email/i })).toHaveValue(TEST_USERS.agent.email);
    expect(screen.queryByRole('banner')).not.toBeInTheDocument();
  });

  it('asks for both fields before calling the API', async () => {
    const { user } = renderWithClient(<App />, { as: null });
    await screen.findByRole('form', { name: 'Sign in with email' });
    await user.click(signInForm().getByRole('button', { name: 'Sign in' }));
    expect(signInForm().getByRole('textbox', { name: /email/i })).toHaveAccessibleDescription('Please enter your email address.');
    expect(signInForm().getByLabelText(/password/i)).toHaveAccessibleDescription('Please enter your password.');
    expect(db.requestsTo('POST', '/api/auth/login')).toHaveLength(0);
  });

  it('comes back signed in after a reload, through the refresh cookie', async () => {
    db.refreshCookie = TEST_USERS.requester.id;
    renderWithClient(<App />, { as: null });

    expect(await screen.findByRole('heading', { name: 'My tickets' })).toBeInTheDocument();
    expect(db.requestsTo('POST', '/api/auth/refresh')).toHaveLength(1);
  });

  it('offers sign-up only when the server allows it, and signs the new account in', async () => {
    db.methods = { ...db.methods, signup: true };
    const { user } = renderWithClient(<App />, { as: null });
    await user.click(await screen.findByRole('link', { name: 'Create an account' }));

    const form = within(screen.getByRole('form', { name: 'Create an account' }));
    await user.type(form.getByRole('textbox', { name: /email/i }), 'new@example.com');
    await user.type(form.getByRole('textbox', { name: /name/i }), 'New Person');
    await user.type(form.getByLabelText(/password/i), 'short');
    await user.click(form.getByRole('button', { name: 'Create account' }));
    expect(form.getByLabelText(/password/i)).toHaveAccessibleDescription(expect.stringContaining('Use at least 12 characters.'));

    await user.type(form.getByLabelText(/password/i), ' but now long enough');
    await user.click(form.getByRole('button', { name: 'Create account' }));
    expect(await screen.findByRole('heading', { name: 'My tickets' })).toBeInTheDocument();
    expect(within(screen.getByRole('banner')).getByText('New Person')).toBeInTheDocument();
  });

  it('has no sign-up link when sign-up is off', async () => {
    renderWithClient(<App />, { as: null });
    await screen.findByRole('form', { name: 'Sign in with email' });
    expect(screen.queryByRole('link', { name: 'Create an account' })).not.toBeInTheDocument();
  });

  it('offers the OpenID provider by its name when the server has one', async () => {
    db.methods = {
      ...db.methods,
      builtin: false,
      oidc: { issuer: 'https://login.example.com', client_id: 'helpdesk-spa', name: 'Example SSO' },
    };
    renderWithClient(<App />, { as: null });
    expect(await screen.findByRole('button', { name: 'Sign in with Example SSO' })).toBeInTheDocument();
    expect(screen.queryByRole('form', { name: 'Sign in with email' })).not.toBeInTheDocument();
  });

  it('signs out: the server forgets the session and the next person starts afresh', async () => {
    const { user, queryClient } = renderWithClient(<App />);
    await screen.findByRole('heading', { name: 'Tickets' });
    await user.type(screen.getByRole('textbox', { name: /title/i }), 'Half a thought');

    await user.click(screen.getByRole('button', { name: 'Sign out' }));

    expect(await screen.findByRole('form', { name: 'Sign in with email' })).toBeInTheDocument();
    await waitFor(() => expect(db.requestsTo('POST', '/api/auth/logout')).toHaveLength(1));
    expect(db.refreshCookie).toBeNull();
    expect(queryClient.getQueryCache().findAll({ queryKey: ['tickets'] })).toHaveLength(0);
    expect(screen.queryByText(/ticket you were writing is kept/i)).not.toBeInTheDocument();

    await signIn(user, TEST_USERS.agent.email, TEST_PASSWORD);
    expect(await screen.findByRole('textbox', { name: /title/i })).toHaveValue('');
  });
});
