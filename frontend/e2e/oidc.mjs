// Sign-in through a real OpenID Provider, in headless Chromium: the SPA sends the browser to the
// provider (e2e/oidc-op.mjs) with authorization code + PKCE, the user signs in on its page, the
// SPA redeems the code and calls the API with the provider's access token, which the API checks
// against the provider's keys (found through its discovery document). scripts/test.d/50-frontend
// runs it against a scripts/e2e-env instance started with AUTH_OIDC_ISSUER and friends.
//
//   E2E_BASE_URL       that server (SPA and API)
//   E2E_OIDC_ISSUER    the provider (default http://127.0.0.1:8190)
//   E2E_OIDC_RENEWAL   `1` when the provider's access tokens live so briefly (E2E_OIDC_TOKEN_TTL
//                      there) that a silent renewal is due within this run, to wait for it
//   CHROMIUM_PATH      browser binary (default /usr/bin/chromium)
import assert from 'node:assert/strict';

import { createRunner, launchBrowser, NO_SESSION_YET, OIDC_ACCOUNT, readableBrowserState, TIMEOUT_MS } from './support.mjs';

const baseUrl = (process.env.E2E_BASE_URL || 'http://127.0.0.1:8080').replace(/\/$/, '');
const issuer = (process.env.E2E_OIDC_ISSUER || 'http://127.0.0.1:8190').replace(/\/$/, '');
const waitForRenewal = process.env.E2E_OIDC_RENEWAL === '1';
const runId = `oidc-${Date.now().toString(36)}`;
const title = `Badge reader offline ${runId}`;

const runner = createRunner();
const { step, watchConsole } = runner;

let browser;
try {
  browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(TIMEOUT_MS);
  // Nothing but this machine: the provider's pages must not fetch anything from elsewhere.
  const outside = [];
  await context.route(
    (url) => !['127.0.0.1', 'localhost'].includes(url.hostname),
    (route) => {
      outside.push(route.request().url());
      return route.abort();
    },
  );
  const page = await context.newPage();
  watchConsole(page, 'oidc');
  const tokenRequests = [];
  page.on('request', (request) => {
    if (request.url() === `${issuer}/token`) tokenRequests.push(new URLSearchParams(request.postData() ?? ''));
  });

  await step('the sign-in page offers the provider, as /api/auth/methods names it', async () => {
    const methods = await (await fetch(`${baseUrl}/api/auth/methods`)).json();
    assert.equal(methods.oidc?.issuer, issuer, 'the API trusts this provider');
    await page.goto(`${baseUrl}/?status=open`);
    await page.getByRole('button', { name: `Sign in with ${methods.oidc.name}` }).waitFor();
    await page.getByRole('form', { name: 'Sign in with email' }).waitFor();
  }, { expectedConsoleErrors: [NO_SESSION_YET] });

  await step("the provider's login page, authorization code + PKCE, and back into the app as the provider's user", async () => {
    await page.getByRole('button', { name: /^Sign in with / }).click();
    await page.waitForURL((url) => url.origin === issuer);
    await page.getByRole('heading', { name: 'Test Provider sign-in' }).waitFor();
    const loginPage = new URL(page.url());
    await page.getByLabel('Email').fill(OIDC_ACCOUNT.email);
    await page.getByLabel('Password').fill(OIDC_ACCOUNT.password);
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.waitForURL((url) => url.origin === new URL(baseUrl).origin && url.pathname === '/');
    const header = page.getByRole('banner');
    await header.getByText(OIDC_ACCOUNT.name).waitFor();
    await header.getByText('Role: Agent').waitFor();
    assert.equal(new URL(page.url()).searchParams.get('status'), 'open', 'back where the user was, filters and all');
    assert.ok(loginPage.pathname.startsWith('/interaction/'), `the provider's own page (${loginPage})`);

    const [exchange] = tokenRequests;
    assert.equal(exchange?.get('grant_type'), 'authorization_code');
    assert.match(exchange.get('code_verifier') ?? '', /^[\w.~-]{43,128}$/, 'PKCE code_verifier sent');
    assert.equal(exchange.get('client_secret'), null, 'a public client: no secret');
    // The return is a new page load, whose first move is to try the (absent) refresh cookie.
  }, { expectedConsoleErrors: [NO_SESSION_YET] });

  await step("the API accepts the provider's token: the agent's queue, and a ticket filed as the provider's user", async () => {
    await page.getByRole('group', { name: 'Total tickets' }).waitFor();
    await page.getByRole('search', { name: 'Filter tickets' }).getByRole('combobox', { name: 'Status' }).selectOption('');
    const form = page.getByRole('region', { name: 'New ticket' });
    await form.getByRole('textbox', { name: 'Title' }).fill(title);
    await form.getByRole('textbox', { name: 'Description' }).fill('The badge reader at the main entrance is offline.');
    const created = page.waitForResponse((response) => response.request().method() === 'POST' && response.url() === `${baseUrl}/api/tickets/`);
    await form.getByRole('button', { name: 'Submit ticket' }).click();
    const ticket = await (await created).json();
    assert.equal(ticket.requester_email, OIDC_ACCOUNT.email, 'filed as the account the provider signed in');
    assert.equal(ticket.requester_name, OIDC_ACCOUNT.name);
    assert.match((await created).request().headers().authorization ?? '', /^Bearer eyJ/, 'the provider\'s JWT');
    await page.getByRole('list', { name: 'Tickets' }).getByRole('article', { name: title }).waitFor();
  });

  await step('the tokens stay in memory: nothing a script can read holds one', async () => {
    const readable = await readableBrowserState(page);
    assert.deepEqual(readable.storage.filter((entry) => /token|eyJ/i.test(entry)), [], 'Web Storage');
    assert.equal(readable.cookies, '', 'readable cookies on the app');
  });

  if (waitForRenewal) {
    await step('the access token is renewed silently before it expires, and the API takes the new one', async () => {
      const renewal = await page.waitForRequest(
        (request) =>
          request.url() === `${issuer}/token` && new URLSearchParams(request.postData() ?? '').get('grant_type') === 'refresh_token',
        { timeout: 90_000 },
      );
      const renewed = await (await renewal.response()).json();
      assert.match(renewed.access_token ?? '', /^eyJ/, 'a new JWT');
      const listed = page.waitForRequest((request) => request.url().startsWith(`${baseUrl}/api/tickets/?`));
      await page.getByRole('search', { name: 'Filter tickets' }).getByRole('combobox', { name: 'Status' }).selectOption('open');
      assert.equal((await listed).headers().authorization, `Bearer ${renewed.access_token}`);
      await page.getByRole('list', { name: 'Tickets' }).getByRole('article', { name: title }).waitFor();
    });
  }

  await step('signing out ends the session in the app', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: /^Sign in with / }).waitFor();
    assert.equal(await page.getByRole('banner').count(), 0);
    assert.deepEqual(outside, [], 'no request left this machine');
  });
} catch (error) {
  runner.fail(error);
} finally {
  await browser?.close();
}

runner.finish();
