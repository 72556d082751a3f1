// The SPA hosted as static files on one origin, talking to the API on another through CORS, in
// headless Chromium — the "static host + API Gateway" deployment without a shared front door.
// Signed in as scripts/e2e-env's agent account (e2e/support.mjs), whose refresh cookie the API
// sets from its own origin: the two are the same site (loopback), so it comes back on a reload.
//
//   E2E_SPA_URL          the built SPA on an origin the API allows (its config.json points at E2E_API_URL)
//   E2E_API_URL          the API base URL, e.g. http://127.0.0.1:8081/api
//   E2E_REFUSED_SPA_URL  optional: the same SPA on an origin the API does not allow
//   E2E_PASSWORD         the test accounts' password, if not the default
//   CHROMIUM_PATH        browser binary (default /usr/bin/chromium)
//
// Any browser console error fails a step, except the 401 of the first page load without a
// session, and in the refused-origin step, where the CORS refusal is exactly what the browser
// must report.
import assert from 'node:assert/strict';

import { ACCOUNTS, apiAs, createRunner, launchBrowser, NO_SESSION_YET, signInThroughForm, TIMEOUT_MS } from './support.mjs';

const spaUrl = required('E2E_SPA_URL').replace(/\/$/, '');
const apiUrl = required('E2E_API_URL').replace(/\/$/, '');
const refusedSpaUrl = process.env.E2E_REFUSED_SPA_URL?.replace(/\/$/, '');
const spaOrigin = new URL(spaUrl).origin;
const apiOrigin = new URL(apiUrl).origin;

const runId = `xo-${Date.now().toString(36)}`;
const title = `Cross-origin login failure ${runId}`;
const description =
  'Since the update I cannot log in: the password reset email never arrives and my account is locked.';

const runner = createRunner();
const { step, watchConsole, consoleErrors } = runner;

function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is required`);
    process.exit(2);
  }
  return value;
}

/** The API from Node as the agent (no Origin header, no CORS involved), for set-up and checks. */
let agentApi;

/** A ticket created from Node for the paging check. */
async function createDirectly(ticket) {
  const response = await agentApi.call('POST', '/tickets/', ticket);
  assert.equal(response.status, 201, 'direct create');
}

let browser;
try {
  browser = await launchBrowser();
  assert.notEqual(spaOrigin, apiOrigin, 'the SPA and the API must be on different origins');
  agentApi = await apiAs(apiUrl, ACCOUNTS.agent);

  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(TIMEOUT_MS);
  const page = await context.newPage();
  watchConsole(page, 'allowed');
  const apiRequests = [];
  page.on('request', (request) => {
    if (request.resourceType() === 'xhr' || request.resourceType() === 'fetch') apiRequests.push(request);
  });
  const form = page.getByRole('region', { name: 'New ticket' });
  const filters = page.getByRole('search', { name: 'Filter tickets' });
  const list = page.getByRole('list', { name: 'Tickets' });
  const card = list.getByRole('article', { name: title });

  await step('the SPA reads config.json, signs in and sends every API call to the other origin', async () => {
    const config = page.waitForResponse((response) => response.url() === `${spaUrl}/config.json`);
    await page.goto(`${spaUrl}/`);
    assert.equal((await config).status(), 200, 'config.json status');
    assert.equal((await (await config).json()).apiBaseUrl, apiUrl, 'config.json names the API');
    await page.getByRole('heading', { name: 'Helpdesk', level: 1 }).waitFor();
    await signInThroughForm(page, ACCOUNTS.agent);
    await page.getByRole('group', { name: 'Total tickets' }).locator('p').last().waitFor();
    await list.or(page.getByText('No tickets yet')).first().waitFor();
    const calls = apiRequests.map((r) => r.url()).filter((url) => !url.endsWith('/config.json'));
    for (const path of ['/auth/methods', '/auth/refresh', '/auth/login', '/tickets/stats/']) {
      assert.ok(calls.includes(`${apiUrl}${path}`), `${path} was requested (${calls.join(', ')})`);
    }
    for (const url of calls) assert.ok(url.startsWith(`${apiUrl}/`), `${url} goes to the API origin`);
  }, { expectedConsoleErrors: [NO_SESSION_YET] });

  await step('a reload keeps the session: the refresh cookie goes back to the API origin of the same site', async () => {
    const refreshed = page.waitForResponse((response) => response.url() === `${apiUrl}/auth/refresh`);
    await page.reload();
    assert.equal((await refreshed).status(), 200, 'refresh with the cookie');
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.getByRole('group', { name: 'Total tickets' }).locator('p').last().waitFor();
  });

  await step('the API answers the preflight for the SPA origin with what the SPA sends', async () => {
    const response = await fetch(`${apiUrl}/tickets/1/`, {
      method: 'OPTIONS',
      headers: {
        Origin: spaOrigin,
        'Access-Control-Request-Method': 'PATCH',
        'Access-Control-Request-Headers': 'authorization,content-type,if-match,idempotency-key',
      },
    });
    assert.ok(response.ok, `preflight status ${response.status}`);
    assert.equal(response.headers.get('access-control-allow-origin'), spaOrigin);
    assert.equal(response.headers.get('access-control-allow-credentials'), 'true', 'the refresh cookie may cross');
    assert.match(response.headers.get('access-control-allow-methods') ?? '', /PATCH/);
    const allowed = (response.headers.get('access-control-allow-headers') ?? '').toLowerCase();
    for (const header of ['authorization', 'content-type', 'if-match', 'idempotency-key']) {
      assert.ok(allowed.includes(header), `allows ${header} (${allowed})`);
    }
  });

  await step('creating a ticket: classify pre-fills, the POST carries an Idempotency-Key', async () => {
    await form.getByRole('textbox', { name: 'Title' }).fill(title);
    await form.getByRole('textbox', { name: 'Description' }).fill(description);
    await form.getByRole('textbox', { name: 'Title' }).focus();
    await form.getByText(/^Suggested by (AI model|rules \(fallback\))$/).waitFor();
    const created = page.waitForResponse(
      (response) => response.request().method() === 'POST' && response.url() === `${apiUrl}/tickets/`,
    );
    await form.getByRole('button', { name: 'Submit ticket' }).click();
    const response = await created;
    assert.equal(response.status(), 201);
    assert.ok(response.request().headers()['idempotency-key'], 'Idempotency-Key sent');
    await form.getByText(/^Ticket #\d+ created\.$/).waitFor();
    await card.waitFor();
    await card.getByText('Status: Open').waitFor();
  });

  await step('the page can read Link, ETag, Location and x-request-id from the API', async () => {
    const seen = await page.evaluate(async ({ api, token }) => {
      const authorization = { Authorization: `Bearer ${token}` };
      const post = await fetch(`${api}/tickets/`, {
        method: 'POST',
        headers: { ...authorization, 'Content-Type': 'application/json', 'Idempotency-Key': crypto.randomUUID() },
        body: JSON.stringify({ title: 'Header check', description: 'Exposed headers', category: 'general', priority: 'low' }),
      });
      const ticket = await post.json();
      const one = await fetch(`${api}/tickets/${ticket.id}/`, { headers: authorization });
      const page1 = await fetch(`${api}/tickets/?limit=1`, { headers: authorization });
      return {
        location: post.headers.get('location'),
        requestId: post.headers.get('x-request-id'),
        etag: one.headers.get('etag'),
        link: page1.headers.get('link'),
        id: ticket.id,
      };
    }, { api: apiUrl, token: agentApi.accessToken });
    assert.equal(seen.location, `/api/tickets/${seen.id}/`);
    assert.match(seen.requestId ?? '', /\S/, 'x-request-id');
    assert.match(seen.etag ?? '', /"/, 'ETag');
    assert.match(seen.link ?? '', /^<\/api\/tickets\/\?[^>]*cursor=[^>]+>; rel="next"$/, 'Link');
  });

  await step('"Load more" follows the Link path on the API origin', async () => {
    const marker = `${runId}-bulk`;
    const pageSize = 20;
    for (let i = 0; i <= pageSize; i++) {
      await createDirectly({ title: `Bulk ${i} ${marker}`, description: `Paging check ${marker}`, category: 'general', priority: 'low' });
    }
    await filters.getByRole('searchbox', { name: 'Search tickets' }).fill(marker);
    await page.waitForURL((url) => url.searchParams.get('search') === marker);
    await page.waitForFunction(
      ({ marker, pageSize }) => {
        const titles = [...document.querySelectorAll('[aria-label="Tickets"] h3')].map((h) => h.textContent);
        return titles.length === pageSize && titles.every((t) => t.endsWith(marker));
      },
      { marker, pageSize },
    );
    const next = page.waitForRequest((request) => request.url().includes('cursor='));
    await page.getByRole('button', { name: 'Load more' }).click();
    const nextUrl = (await next).url();
    assert.ok(nextUrl.startsWith(`${apiUrl}/tickets/?`), `next page requested from the API origin: ${nextUrl}`);
    await list.getByRole('article', { name: `Bulk 0 ${marker}` }).waitFor();
    assert.equal(await list.getByRole('article').count(), pageSize + 1);
    assert.equal(await page.getByRole('button', { name: 'Load more' }).count(), 0);
  });

  await step('on the ticket page, changing the status sends If-Match, and a reply is posted', async () => {
    await filters.getByRole('searchbox', { name: 'Search tickets' }).fill(title);
    await page.waitForURL((url) => url.searchParams.get('search') === title);
    await card.getByRole('link', { name: title }).click();
    const details = page.getByRole('region', { name: 'Details' });
    const patched = page.waitForResponse(
      (response) => response.request().method() === 'PATCH' && response.url().startsWith(`${apiUrl}/tickets/`),
    );
    await details.getByRole('combobox', { name: 'Status' }).selectOption('in_progress');
    const response = await patched;
    assert.equal(response.status(), 200);
    assert.match(response.request().headers()['if-match'] ?? '', /"/, 'If-Match sent');
    await details.getByText('Status saved.').waitFor();
    // A reply goes to the API's origin too, and the thread and history read from there.
    const reply = page.getByRole('form', { name: 'Reply or note' });
    await reply.getByRole('textbox', { name: 'Reply' }).fill(`Looking into it (${runId}).`);
    const posted = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().startsWith(`${apiUrl}/tickets/`));
    await reply.getByRole('button', { name: 'Send reply' }).click();
    assert.match((await posted).url(), /\/tickets\/\d+\/comments\/$/);
    await page.getByRole('list', { name: 'Conversation' }).getByText(`Looking into it (${runId}).`).waitFor();
    await page.getByRole('list', { name: 'History' }).getByText('Alex Agent replied').waitFor();
    await page.getByRole('link', { name: /Back to tickets/ }).click();
    await card.getByText('Status: In progress').waitFor();
    const { body: [ticket] } = await agentApi.call('GET', `/tickets/?search=${encodeURIComponent(title)}`);
    assert.equal(ticket.status, 'in_progress');
  });

  await context.close();

  if (refusedSpaUrl) {
    await step(
      'the same SPA on an origin the API does not allow is refused by the browser',
      async () => {
        const refusedOrigin = new URL(refusedSpaUrl).origin;
        // The API is up and answers that origin, only without an Access-Control-Allow-Origin.
        const direct = await fetch(`${apiUrl}/auth/methods`, { headers: { Origin: refusedOrigin } });
        assert.equal(direct.status, 200);
        assert.equal(direct.headers.get('access-control-allow-origin'), null);

        const refused = await browser.newContext();
        refused.setDefaultTimeout(TIMEOUT_MS);
        const other = await refused.newPage();
        watchConsole(other, 'refused');
        await other.goto(`${refusedSpaUrl}/`);
        await other.getByRole('heading', { name: 'Helpdesk', level: 1 }).waitFor();
        // Asking how to sign in gives up after its retries and says so.
        await other.getByRole('alert').filter({ hasText: 'Helpdesk could not start' }).waitFor();
        await other.getByText(/could not reach the server/i).first().waitFor();
        const failure = await other.evaluate(
          (api) => fetch(`${api}/auth/methods`).then(() => 'read', (error) => `${error.name}: ${error.message}`),
          apiUrl,
        );
        assert.match(failure, /^TypeError: Failed to fetch/, 'a script cannot read the answer');
        assert.ok(
          consoleErrors.some((line) => line.includes('blocked by CORS policy')),
          `the browser reports the CORS refusal:\n${consoleErrors.join('\n')}`,
        );
        await refused.close();
      },
      { expectedConsoleErrors: true },
    );
  }
} catch (error) {
  runner.fail(error);
} finally {
  await browser?.close();
}

runner.finish();
