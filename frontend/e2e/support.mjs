// What the browser scripts share: the browser, the step runner with its console watch, the test
// accounts scripts/e2e-env makes, signing in through the page, and the API from Node.
import assert from 'node:assert/strict';

import { chromium } from 'playwright-core';

export const TIMEOUT_MS = 15_000;

/** scripts/e2e-env's accounts; E2E_PASSWORD overrides the password of all of them there and here. */
const password = process.env.E2E_PASSWORD || 'e2e-password-0123';
export const ACCOUNTS = {
  admin: { email: 'admin@e2e.test', name: 'Ada Admin', password },
  agent: { email: 'agent@e2e.test', name: 'Alex Agent', password },
  requester: { email: 'requester@e2e.test', name: 'Rita Requester', password },
  otherRequester: { email: 'other-requester@e2e.test', name: 'Otto Other', password },
};

/** The OpenID provider of e2e/oidc-op.mjs: its client for the SPA, the API's audience, its one user. */
export const OIDC_CLIENT_ID = 'helpdesk-spa';
export const OIDC_AUDIENCE = 'urn:helpdesk:api';
export const OIDC_ACCOUNT = {
  sub: 'oidc-e2e-1',
  email: 'olivia.oidc@e2e.test',
  password: 'oidc-password-0123',
  name: 'Olivia OIDC',
  roles: ['agent'],
};

/** Debian's Chromium, headless, never reaching past this machine on its own. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Named steps that count passes and failures, each failing on any browser console error it did
 * not expect; `finish()` prints the closing `N passed, M failed` line and exits with its verdict.
 */
export function createRunner() {
  const results = { passed: 0, failed: 0 };
  const consoleErrors = [];
  rateLimitedSignIns = 0;

  function report(name, error) {
    console.log(`FAIL  ${name}\n      ${String(error?.message ?? error).split('\n').join('\n      ')}`);
  }

  return {
    consoleErrors,
    watchConsole(page, label) {
      page.on('console', (message) => {
        if (message.type() === 'error') consoleErrors.push(`[${label}] ${message.text()}`);
      });
      page.on('pageerror', (error) => consoleErrors.push(`[${label}] uncaught: ${error.message}`));
      // The app waits out a session renewal refused for the per-address limit (the suite's
      // browsers share one address); the browser still reports the 429 on its console.
      page.on('response', (response) => {
        if (response.status() === 429 && new URL(response.url()).pathname === '/api/auth/refresh') rateLimitedSignIns++;
      });
    },
    /** `expectedConsoleErrors`: patterns of errors the step provokes on purpose; `true`: any. */
    async step(name, body, { expectedConsoleErrors = [] } = {}) {
      consoleErrors.length = 0;
      try {
        await body();
        if (expectedConsoleErrors !== true) {
          // A sign-in or renewal refused by the per-address limit and waited out (by
          // signInThroughForm, or by the app itself).
          const waitedOut = rateLimitedSignIns > 0 ? [SIGN_IN_RATE_LIMITED] : [];
          rateLimitedSignIns = 0;
          const unexpected = consoleErrors.filter(
            (message) => ![...expectedConsoleErrors, ...waitedOut].some((pattern) => pattern.test(message)),
          );
          assert.deepEqual(unexpected, [], 'browser console errors');
        }
        results.passed++;
        console.log(`ok    ${name}`);
      } catch (error) {
        results.failed++;
        report(name, error);
        throw Object.assign(new Error(name), { reported: true });
      }
    },
    /** For an error outside any step (the browser would not start, say). */
    fail(error) {
      if (error?.reported) return;
      results.failed++;
      report('setting up the browser', error);
    },
    finish() {
      console.log(`${results.passed} passed, ${results.failed} failed`);
      process.exit(results.failed === 0 && results.passed > 0 ? 0 : 1);
    },
  };
}

/**
 * A browser's first page load tries the refresh cookie once; without one that answer is a 401,
 * which Chromium reports on the console. Steps that open a fresh page expect it.
 */
export const NO_SESSION_YET = /Failed to load resource: the server responded with a status of 401/;

/** Fills and sends the sign-in form the SPA shows to anyone without a session. */
export async function submitSignInForm(page, account) {
  const form = page.getByRole('form', { name: 'Sign in with email' });
  await form.getByRole('textbox', { name: 'Email' }).fill(account.email);
  await form.getByLabel('Password').fill(account.password);
  await form.getByRole('button', { name: 'Sign in' }).click();
}

/** How the browser reports a sign-in the server refused for its per-address limit. */
const SIGN_IN_RATE_LIMITED = /the server responded with a status of 429/;
/** Sign-ins refused for the limit and waited out during the current step. */
let rateLimitedSignIns = 0;

/**
 * Signs in through the form and waits for the app. Every browser of the suite comes from one
 * address, which signs in more often than the server's per-address limit (30 sign-in requests a
 * minute, bursts of 10) lets a real client: a refusal for that is waited out and the form sent
 * again, as a person would.
 */
export async function signInThroughForm(page, account) {
  for (let attempt = 1; ; attempt++) {
    await submitSignInForm(page, account);
    const signedIn = page.getByRole('button', { name: 'Sign out' });
    const limited = page.getByText(/too many/i);
    await signedIn.or(limited).first().waitFor();
    if (await signedIn.isVisible()) return;
    assert.ok(attempt < 6, 'sign-in still refused for the rate limit after five waits');
    rateLimitedSignIns++;
    await page.waitForTimeout(4000);
  }
}

/** Every key and value a script of the page can read in Web Storage, and its readable cookies. */
export function readableBrowserState(page) {
  return page.evaluate(() => ({
    storage: [localStorage, sessionStorage].flatMap((storage) =>
      Object.keys(storage).map((key) => `${key}=${storage.getItem(key)}`),
    ),
    cookies: document.cookie,
  }));
}

/**
 * The API from Node, signed in as `account` (one sign-in, so the server's sign-in rate limits
 * are not spent on set-up): `call(method, path, body)` answers `{ status, headers, body }`.
 */
export async function apiAs(apiUrl, account) {
  let login;
  for (let attempt = 1; attempt <= 6; attempt++) {
    login = await fetch(`${apiUrl}/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: account.email, password: account.password }),
    });
    // The per-address sign-in limit (see signInThroughForm): wait it out.
    if (login.status !== 429) break;
    await new Promise((resolve) => setTimeout(resolve, 4000));
  }
  assert.equal(login.status, 200, `signing in as ${account.email} through the API`);
  const { access_token: accessToken, user } = await login.json();
  return {
    accessToken,
    user,
    async call(method, path, body) {
      const response = await fetch(`${apiUrl}${path}`, {
        method,
        headers: {
          Authorization: `Bearer ${accessToken}`,
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
    },
  };
}
