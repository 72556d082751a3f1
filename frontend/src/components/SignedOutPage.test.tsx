import { screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';

import { App } from '../App';
import { makeClassification, TEST_PASSWORD, TEST_USERS } from '../test/fixtures';
import { createWithLostAnswer, db } from '../test/mockBackend';
import { renderWithClient } from '../test/render';
import { server } from '../test/server';

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

describe('submitting a request without an account', () => {
  const requestForm = () => within(screen.getByRole('region', { name: 'Submit a request' }));
  const field = {
    email: () => requestForm().getByRole('textbox', { name: /your email/i }),
    name: () => requestForm().getByRole('textbox', { name: /your name/i }),
    title: () => requestForm().getByRole('textbox', { name: /title/i }),
    description: () => requestForm().getByRole('textbox', { name: /description/i }),
    category: () => requestForm().getByRole('combobox', { name: /category/i }),
    priority: () => requestForm().getByRole('combobox', { name: /priority/i }),
    send: () => requestForm().getByRole('button', { name: /send request|sending/i }),
  };
  const posts = () => db.requestsTo('POST', '/api/tickets/');

  beforeEach(() => {
    db.methods = { ...db.methods, public_submission: true };
  });

  async function openRequestForm() {
    const rendered = renderWithClient(<App />, { as: null });
    await rendered.user.click(await screen.findByRole('link', { name: 'Submit a request without an account' }));
    await screen.findByRole('region', { name: 'Submit a request' });
    return rendered;
  }

  async function writeRequest(user: ReturnType<typeof renderWithClient>['user'], email = 'ada@example.com') {
    await user.type(field.email(), email);
    await user.type(field.name(), 'Ada Lovelace');
    await user.type(field.title(), 'Invoice shows the wrong address');
    await user.type(field.description(), 'My invoice for March shows my old billing address');
  }

  it('is not offered when the server takes no submissions without an account, not even at its address', async () => {
    db.methods = { ...db.methods, public_submission: false };
    window.history.replaceState(null, '', '/request');
    renderWithClient(<App />, { as: null });

    expect(await screen.findByRole('form', { name: 'Sign in with email' })).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: /without an account/i })).not.toBeInTheDocument();
    expect(screen.queryByRole('region', { name: 'Submit a request' })).not.toBeInTheDocument();
  });

  it('sends the ticket with who asks and no token (the suggested labels left to the server), then confirms its number and clears the form', async () => {
    db.classification = makeClassification({ suggested_category: 'billing', suggested_priority: 'low', source: 'llm' });
    const { user } = await openRequestForm();
    expect(window.location.pathname).toBe('/request');
    expect(requestForm().queryByRole('textbox', { name: /on behalf of/i })).not.toBeInTheDocument();

    await writeRequest(user);
    await user.tab();
    await waitFor(() => expect(field.category()).toHaveValue('billing'));
    expect(field.priority()).toHaveValue('low');
    await user.click(field.send());

    const [post] = posts();
    expect(await screen.findByText(`Request #${db.tickets[0].id} received — we will reply to ada@example.com.`)).toBeInTheDocument();
    expect(post.headers.has('Authorization')).toBe(false);
    expect(post.headers.get('Idempotency-Key')).toMatch(/^[0-9a-f-]{32,36}$/);
    expect(post.body).toEqual({
      title: 'Invoice shows the wrong address',
      description: 'My invoice for March shows my old billing address',
      requester_email: 'ada@example.com',
      requester_name: 'Ada Lovelace',
    });
    expect(db.requestsTo('POST', '/api/tickets/classify/')[0].headers.has('Authorization')).toBe(false);
    for (const control of [field.email(), field.name(), field.title(), field.description(), field.category()]) {
      expect(control).toHaveValue('');
    }
    // A visitor may not read tickets: nothing is listed, and nothing was asked for.
    expect(screen.queryByRole('list', { name: 'Tickets' })).not.toBeInTheDocument();
    expect(db.requestsTo('GET', '/api/tickets/')).toHaveLength(0);
  });

  it('asks for an email and a name before calling the API', async () => {
    const { user } = await openRequestForm();
    await user.type(field.title(), 'A title');
    await user.type(field.description(), 'Something');
    await user.click(field.send());

    expect(field.email()).toHaveAccessibleDescription(expect.stringContaining('Please enter your email address'));
    expect(field.name()).toHaveAccessibleDescription('Please enter your name.');
    expect(field.email()).toHaveFocus();
    expect(posts()).toHaveLength(0);
  });

  it("shows the server's validation messages by their fields", async () => {
    const { user } = await openRequestForm();
    await writeRequest(user, 'ada@');
    await user.click(field.send());

    expect(await screen.findByRole('alert')).toHaveTextContent(/correct the highlighted fields/i);
    expect(field.email()).toHaveAttribute('aria-invalid', 'true');
    expect(field.email()).toHaveAccessibleDescription(expect.stringContaining('must be an email address such as ada@example.com'));
    expect(field.email()).toHaveFocus();
    expect(field.name()).not.toHaveAttribute('aria-invalid');
    expect(field.title()).toHaveValue('Invoice shows the wrong address');
    expect(db.tickets).toHaveLength(0);
  });

  it('says how long to wait when the address sent too many, keeping what was written', async () => {
    db.publicRequestsLeft = 0;
    const { user } = await openRequestForm();
    await writeRequest(user);
    await user.click(field.send());

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Your request was not sent');
    expect(alert).toHaveTextContent('Too many requests have come from your address. Please wait 60 seconds, then submit again');
    expect(field.email()).toHaveValue('ada@example.com');
    expect(field.description()).toHaveValue('My invoice for March shows my old billing address');
    // A 429 is an answer: the request was not taken, and is not repeated by itself.
    expect(posts()).toHaveLength(1);
  });

  it('sends a request whose answer was lost again under the same key: one ticket', async () => {
    server.use(createWithLostAnswer({ once: true }));
    const { user } = await openRequestForm();
    await writeRequest(user);
    await user.click(field.send());

    expect(await screen.findByText(/^Request #\d+ received/)).toHaveTextContent(`Request #${db.tickets[0].id} received`);
    expect(db.tickets).toHaveLength(1);
    const [first, retry] = posts().map((post) => post.headers.get('Idempotency-Key'));
    expect(posts()).toHaveLength(2);
    expect(retry).toBe(first);
  });

  it('keeps a request begun without an account through signing in, and files it as the account', async () => {
    const { user } = await openRequestForm();
    await writeRequest(user);
    await user.click(screen.getByRole('link', { name: 'Sign in' }));
    await signIn(user, TEST_USERS.requester.email, TEST_PASSWORD);

    const form = within(await screen.findByRole('region', { name: 'New ticket' }));
    expect(form.getByRole('textbox', { name: /title/i })).toHaveValue('Invoice shows the wrong address');
    await user.click(form.getByRole('button', { name: 'Submit ticket' }));

    await screen.findByText(/^Ticket #\d+ created\.$/);
    expect(posts().at(-1)?.body).toEqual({
      title: 'Invoice shows the wrong address',
      description: 'My invoice for March shows my old billing address',
    });
    expect(db.tickets[0].requester_id).toBe(TEST_USERS.requester.id);
  });
});
