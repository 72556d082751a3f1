// End-to-end journeys through the built SPA against a real Helpdesk server, in headless Chromium,
// signed in with the accounts scripts/e2e-env makes (e2e/support.mjs names them).
//
//   E2E_BASE_URL        server serving the SPA and the API (default http://127.0.0.1:8080)
//   E2E_SCREENSHOT_DIR  where screenshots go (default frontend/test-results/screenshots)
//   E2E_PASSWORD        the test accounts' password, if scripts/e2e-env was given another
//   CHROMIUM_PATH       browser binary (default /usr/bin/chromium)
//   E2E_MAIL_SINK_URL   the mail sink the server sends to (MailDev's web view and REST API)
//   E2E_SMTP_INBOUND    host:port where the server takes mail in by SMTP (SMTP_INBOUND_ADDR)
//   E2E_SUPPORT_ADDRESS its support address (default support@e2e.test, as scripts/e2e-env sets)
//
// With E2E_MAIL_SINK_URL and E2E_SMTP_INBOUND (scripts/e2e-env logs both) a requester also writes
// in by mail and answers the agent's reply by mail; without them that step is skipped.
//
// A server started with PUBLIC_SUBMISSION=true (`GET /api/auth/methods` says so) also gets a
// visitor who submits a request without an account; on one without, that step is skipped and the
// sign-in page must not offer it.
//
// The database need not be empty: the run creates tickets and accounts with unique names and
// finds them by those names. Any browser console error fails the step in which it appeared,
// except those a step provokes on purpose (a dropped connection, the 401 of a first page load
// without a session) and names.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  ACCOUNTS,
  apiAs,
  createRunner,
  launchBrowser,
  NO_SESSION_YET,
  readableBrowserState,
  signInThroughForm,
  submitSignInForm,
  TIMEOUT_MS,
} from './support.mjs';
import { composeMail, header, mailSink, sendMail } from './mail.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const baseUrl = (process.env.E2E_BASE_URL || 'http://127.0.0.1:8080').replace(/\/$/, '');
const screenshotDir = path.resolve(process.env.E2E_SCREENSHOT_DIR || path.join(here, '..', 'test-results', 'screenshots'));

const runId = `e2e-${Date.now().toString(36)}`;
const title = `Checkout crashes ${runId}`;
// Not containing runId, so the searches for runId still find the one ticket above.
const lostAnswerTitle = `Lost answer ${runId.replace('e2e-', 'lost-')}`;
const visitorTitle = `Wrong invoice address ${runId.replace('e2e-', 'visitor-')}`;
const description =
  'Since this morning the app crashes with error 500 every time I try to log in and open checkout. ' +
  'The whole team is blocked and we cannot take payments.';

const mailSinkUrl = process.env.E2E_MAIL_SINK_URL;
const smtpInbound = process.env.E2E_SMTP_INBOUND;
const supportAddress = process.env.E2E_SUPPORT_ADDRESS || 'support@e2e.test';

const runner = createRunner();
const { step, watchConsole } = runner;
const firstLoad = { expectedConsoleErrors: [NO_SESSION_YET] };

/** The API as the agent, from Node: one sign-in for the whole run. */
let agentApi;

async function readStats() {
  const response = await agentApi.call('GET', '/tickets/stats/');
  assert.equal(response.status, 200, 'stats status');
  return response.body;
}

/** A fresh browser profile (no refresh cookie) on the app's sign-in page. */
async function newVisitor(label, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  context.setDefaultTimeout(TIMEOUT_MS);
  const visitor = await context.newPage();
  watchConsole(visitor, label);
  await visitor.goto(`${baseUrl}/`);
  await visitor.getByRole('heading', { name: 'Sign in', level: 2 }).waitFor();
  return visitor;
}

async function screenshot(page, name, { fullPage = true } = {}) {
  const file = path.join(screenshotDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage, animations: 'disabled' });
  console.log(`      screenshot ${path.relative(process.cwd(), file)}`);
}

/** Form controls with no accessible name (label, aria-label, aria-labelledby or button text). */
function unnamedControls(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('input, select, textarea, button')]
      .filter((control) => {
        const labelled = control.labels?.length || control.getAttribute('aria-label') || control.getAttribute('aria-labelledby');
        return !labelled && !(control.tagName === 'BUTTON' && control.textContent.trim());
      })
      .map((control) => control.outerHTML.slice(0, 120)),
  );
}

/**
 * What sticks out sideways: the page wider than the screen, or (fixed layers such as a modal do
 * not widen the page) any visible element of an open dialog reaching past the screen's edges.
 */
function sidewaysOverflow(page) {
  return page.evaluate(() => {
    const found = [];
    const wider = document.documentElement.scrollWidth - window.innerWidth;
    if (wider > 0) found.push(`page is ${wider}px wider than the screen`);
    for (const dialog of document.querySelectorAll('[role="dialog"]')) {
      const scrolls = dialog.scrollWidth - dialog.clientWidth;
      if (scrolls > 0) found.push(`the dialog scrolls ${scrolls}px sideways`);
    }
    for (const element of document.querySelectorAll('[role="dialog"], [role="dialog"] *')) {
      const box = element.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue;
      if (box.left < -0.5 || box.right > window.innerWidth + 0.5) {
        found.push(`${element.outerHTML.slice(0, 80)} spans ${Math.round(box.left)}..${Math.round(box.right)}px`);
      }
    }
    return found;
  });
}

/**
 * The API's vocabulary from its OpenAPI document: `{Category: [...], Priority: [...], Status: [...]}`,
 * named as the selects that offer them are labelled.
 */
async function apiEnums() {
  const response = await fetch(`${baseUrl}/api/openapi.json`);
  assert.equal(response.status, 200, 'openapi.json status');
  const { schemas } = (await response.json()).components;
  return Object.fromEntries(
    ['Category', 'Priority', 'Status', 'Role'].map((name) => {
      assert.ok(Array.isArray(schemas[name]?.enum), `components.schemas.${name}.enum in openapi.json`);
      return [name, schemas[name].enum];
    }),
  );
}

/**
 * Fails unless each named select in `scope` offers exactly the API's values (apart from its
 * empty "Auto-detect"/"All" choice), so a value added on one side only is caught. `enumOf` names
 * the enum when the select's label does not.
 */
async function assertSelectsOfferApiValues(scope, where, names, enums, enumOf = (name) => name) {
  for (const name of names) {
    const options = scope.getByRole('combobox', { name, exact: true }).locator('option');
    const offered = await options.evaluateAll((elements) => elements.map((option) => option.value).filter(Boolean));
    assert.deepEqual(offered.toSorted(), enums[enumOf(name)].toSorted(), `${where}: the ${name} options against the API's`);
  }
}

/** Nothing focused, so single-key shortcuts reach the page rather than a field. */
function blur(page) {
  return page.evaluate(() => document.activeElement instanceof HTMLElement && document.activeElement.blur());
}

/** The queue counts as the nav beside the list reads them out: `{ mine: 3, unassigned: 0, … }`. */
async function shownQueueCounts(page) {
  const names = await page.getByRole('navigation', { name: 'Queues' }).getByRole('link').evaluateAll((links) =>
    links.map((link) => link.getAttribute('aria-label') ?? ''),
  );
  const keys = { Mine: 'mine', Unassigned: 'unassigned', 'Due soon': 'due_soon', Breached: 'breached', All: 'all' };
  return Object.fromEntries(
    names.map((name) => /^(.+), (\d+) tickets?$/.exec(name)).filter(Boolean).map(([, label, count]) => [keys[label], Number(count)]),
  );
}

/** Waits until the queue nav shows `expected` (a subset of the counts). */
async function waitForQueueCounts(page, expected) {
  const deadline = Date.now() + TIMEOUT_MS;
  let shown;
  for (;;) {
    shown = await shownQueueCounts(page);
    if (Object.entries(expected).every(([name, count]) => shown[name] === count)) return;
    if (Date.now() > deadline) assert.fail(`queue counts: expected ${JSON.stringify(expected)}, shown ${JSON.stringify(shown)}`);
    await page.waitForTimeout(200);
  }
}

/** The big number of a stats tile, as shown on screen. */
async function tileValue(page, label) {
  const text = await page.getByRole('group', { name: label, exact: true }).locator('p').last().innerText();
  return Number(text.replace(/[^\d.]/g, ''));
}

let browser;
try {
  browser = await launchBrowser();
  agentApi = await apiAs(`${baseUrl}/api`, ACCOUNTS.agent);
  const methods = await (await fetch(`${baseUrl}/api/auth/methods`)).json();
  await mkdir(screenshotDir, { recursive: true });
  const desktop = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  desktop.setDefaultTimeout(TIMEOUT_MS);
  const page = await desktop.newPage();
  watchConsole(page, 'desktop');
  const form = page.getByRole('region', { name: 'New ticket' });
  const filters = page.getByRole('search', { name: 'Filter tickets' });
  const list = page.getByRole('list', { name: 'Tickets' });
  const card = list.getByRole('article', { name: title });
  let statsBefore;
  let suggested;
  let enums;

  await step('a visitor without a session gets the sign-in page, every control named', async () => {
    await page.goto(`${baseUrl}/`);
    await page.getByRole('heading', { name: 'Helpdesk', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'Sign in', level: 2 }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Create an account' }).count(), 0, 'no sign-up link: sign-up is off');
    assert.equal(
      await page.getByRole('link', { name: 'Submit a request without an account' }).count(),
      methods.public_submission ? 1 : 0,
      `a request without an account is offered exactly when the server takes them (public_submission: ${methods.public_submission})`,
    );
    assert.deepEqual(await unnamedControls(page), []);
  }, firstLoad);

  await step('a wrong password is refused with a clear message', async () => {
    await submitSignInForm(page, { ...ACCOUNTS.agent, password: 'not-the-password' });
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /The email or password is incorrect\./);
  }, { expectedConsoleErrors: [/status of 401/] });

  await step('the agent signs in: header with name and role, stats and list', async () => {
    statsBefore = await readStats();
    await signInThroughForm(page, ACCOUNTS.agent);
    const header = page.getByRole('banner');
    await header.getByText(ACCOUNTS.agent.name).waitFor();
    await header.getByText('Role: Agent').waitFor();
    await page.getByRole('group', { name: 'Total tickets' }).waitFor();
    assert.ok((await tileValue(page, 'Total tickets')) >= statsBefore.total_tickets);
    await form.getByRole('textbox', { name: 'Title' }).waitFor();
  });

  await step("the form's and filter bar's selects offer exactly the API's values (openapi.json)", async () => {
    enums = await apiEnums();
    await assertSelectsOfferApiValues(form, 'the form', ['Category', 'Priority'], enums);
    await assertSelectsOfferApiValues(filters, 'the filter bar', ['Category', 'Priority', 'Status'], enums);
  });

  await step('leaving the description pre-fills category and priority from classify', async () => {
    await form.getByRole('textbox', { name: 'Title' }).fill(title);
    await form.getByRole('textbox', { name: 'Description' }).fill(description);
    await form.getByRole('textbox', { name: 'Title' }).focus();
    await form.getByText(/^Suggested by (AI model|rules \(fallback\))$/).waitFor();
    suggested = {
      category: await form.getByRole('combobox', { name: 'Category' }).inputValue(),
      priority: await form.getByRole('combobox', { name: 'Priority' }).inputValue(),
      source: await form.getByText(/^Suggested by/).innerText(),
    };
    assert.ok(enums.Category.includes(suggested.category), `suggested category ${suggested.category}`);
    assert.ok(enums.Priority.includes(suggested.priority), `suggested priority ${suggested.priority}`);
    console.log(`      suggestion: ${suggested.category} / ${suggested.priority} (${suggested.source})`);
    await screenshot(page, 'desktop-1-suggestion');
  });

  await step('submitting clears the form and lists the ticket first', async () => {
    await form.getByRole('button', { name: 'Submit ticket' }).click();
    await form.getByText(/^Ticket #\d+ created\.$/).waitFor();
    assert.equal(await form.getByRole('textbox', { name: 'Title' }).inputValue(), '');
    assert.equal(await form.getByRole('textbox', { name: 'Description' }).inputValue(), '');
    await card.waitFor();
    const firstTitle = await list.getByRole('article').first().getByRole('heading').innerText();
    assert.equal(firstTitle, title, 'the new ticket is the newest');
    await card.getByText('Status: Open').waitFor();
  });

  await step('the stats count the new ticket', async () => {
    const after = await readStats();
    assert.ok(after.total_tickets >= statsBefore.total_tickets + 1, 'total grew');
    assert.ok(
      after.category_breakdown[suggested.category] >= statsBefore.category_breakdown[suggested.category] + 1,
      'category breakdown grew',
    );
    // The dashboard refetched after the create, without a reload.
    await page.waitForFunction(
      (min) => Number(document.querySelector('[aria-label="Total tickets"] > p:last-child')?.textContent?.replace(/\D/g, '')) >= min,
      statsBefore.total_tickets + 1,
    );
    assert.ok((await tileValue(page, 'Total tickets')) >= statsBefore.total_tickets + 1);
  });

  await step('a create whose answer is lost is retried with the same key: one ticket, one card', async () => {
    const attempts = [];
    const createRoute = (url) => url.pathname === '/api/tickets/';
    await page.route(createRoute, async (route) => {
      const request = route.request();
      if (request.method() !== 'POST') return route.fallback();
      const response = await route.fetch();
      attempts.push({
        key: request.headers()['idempotency-key'],
        status: response.status(),
        replayed: response.headers()['idempotent-replayed'] ?? null,
      });
      // The first attempt reaches the server, which creates the ticket; its answer is dropped.
      if (attempts.length === 1) await route.abort('connectionreset');
      else await route.fulfill({ response });
    });
    try {
      await form.getByRole('textbox', { name: 'Title' }).fill(lostAnswerTitle);
      await form.getByRole('textbox', { name: 'Description' }).fill('The answer to this create is lost on the way back.');
      await form.getByRole('combobox', { name: 'Category' }).selectOption('general');
      await form.getByRole('combobox', { name: 'Priority' }).selectOption('low');
      await form.getByRole('button', { name: 'Submit ticket' }).click();
      const confirmation = form.getByText(/^Ticket #\d+ created\.$/);
      await confirmation.waitFor();

      assert.equal(attempts.length, 2, 'one attempt, then one retry by the SPA itself');
      assert.equal(attempts[0].status, 201, 'the first attempt created the ticket');
      assert.ok(attempts[0].key, 'the first attempt carried an Idempotency-Key');
      assert.equal(attempts[1].key, attempts[0].key, 'the retry carried the same Idempotency-Key');
      assert.deepEqual([attempts[1].status, attempts[1].replayed], [201, 'true'], 'the retry was answered by a replay');

      const { body: stored } = await agentApi.call('GET', `/tickets/?search=${encodeURIComponent(lostAnswerTitle)}`);
      assert.equal(stored.length, 1, 'exactly one ticket stored');
      assert.equal(await confirmation.innerText(), `Ticket #${stored[0].id} created.`);
      const cards = list.getByRole('article', { name: lostAnswerTitle });
      await cards.first().waitFor();
      assert.equal(await cards.count(), 1, 'exactly one card shown');
    } finally {
      await page.unroute(createRoute);
    }
  }, { expectedConsoleErrors: [/net::ERR_CONNECTION_RESET/] });

  await step('filters and search narrow the list to the ticket and live in the URL', async () => {
    await filters.getByRole('combobox', { name: 'Category' }).selectOption(suggested.category);
    await filters.getByRole('combobox', { name: 'Priority' }).selectOption(suggested.priority);
    await filters.getByRole('combobox', { name: 'Status' }).selectOption('open');
    await filters.getByRole('searchbox', { name: 'Search tickets' }).fill(runId);
    await page.waitForURL((url) => url.searchParams.get('search') === runId);
    await page.waitForFunction(() => document.querySelectorAll('[aria-label="Tickets"] > li').length === 1);
    await card.waitFor();
    const url = new URL(page.url());
    assert.equal(url.searchParams.get('category'), suggested.category);
    assert.equal(url.searchParams.get('priority'), suggested.priority);
    assert.equal(url.searchParams.get('status'), 'open');
    await screenshot(page, 'desktop-2-filtered');
  });

  await step('the ticket page opens from the keyboard (j, Enter), and Esc goes back to the list as it was', async () => {
    await blur(page);
    await page.keyboard.press('j');
    const cardLink = card.getByRole('link', { name: title });
    assert.ok(await cardLink.evaluate((link) => link === document.activeElement), 'j selects the ticket and focuses its link');
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => /^\/tickets\/\d+$/.test(url.pathname));
    await page.getByRole('heading', { name: title, level: 2 }).waitFor();
    await page.getByRole('region', { name: 'Details' }).waitFor();
    await page.keyboard.press('Escape');
    await page.waitForURL((url) => url.pathname === '/' && url.searchParams.get('search') === runId);
    await card.waitFor();
    await page.waitForFunction((name) => document.activeElement?.textContent === name, title);
  });

  await step('changing the status on the ticket page saves it with If-Match', async () => {
    await card.getByRole('link', { name: title }).click();
    await page.waitForURL((url) => /^\/tickets\/\d+$/.test(url.pathname));
    const details = page.getByRole('region', { name: 'Details' });
    const patched = page.waitForResponse(
      (response) => response.request().method() === 'PATCH' && response.url().includes('/api/tickets/'),
    );
    // Enabled once the page has the ticket's version tag.
    await details.getByRole('combobox', { name: 'Status' }).selectOption('in_progress');
    const response = await patched;
    assert.equal(response.status(), 200);
    assert.deepEqual(response.request().postDataJSON(), { status: 'in_progress' });
    assert.match(response.request().headers()['if-match'] ?? '', /^"/, 'If-Match sent');
    await details.getByText('Status saved.').waitFor();
    await page.getByRole('main').locator('header').getByText('Status: In progress').waitFor();
    await screenshot(page, 'desktop-3-ticket', { fullPage: false });
    await page.getByRole('link', { name: /Back to tickets/ }).click();
    // The list is filtered to open tickets, so the ticket has left it; show in-progress ones.
    await page.waitForURL((url) => url.pathname === '/' && url.searchParams.get('status') === 'open');
    await card.waitFor({ state: 'detached' });
    await filters.getByRole('combobox', { name: 'Status' }).selectOption('in_progress');
    await card.getByText('Status: In progress').waitFor();
  });

  await step('after a reload: still signed in through the refresh cookie, filters and status kept, no token a script can read', async () => {
    const refreshed = page.waitForResponse((response) => response.url() === `${baseUrl}/api/auth/refresh`);
    await page.reload();
    assert.equal((await refreshed).status(), 200, 'the refresh cookie restored the session');
    await card.getByText('Status: In progress').waitFor();
    assert.equal(await page.getByRole('heading', { name: 'Sign in' }).count(), 0, 'no sign-in page');
    assert.equal(await filters.getByRole('combobox', { name: 'Status' }).inputValue(), 'in_progress');
    assert.equal(await filters.getByRole('searchbox', { name: 'Search tickets' }).inputValue(), runId);
    const readable = await readableBrowserState(page);
    assert.deepEqual(readable.storage.filter((entry) => /token|eyJ/i.test(entry)), [], 'Web Storage holds no token');
    assert.doesNotMatch(readable.cookies, /helpdesk_refresh/, 'the refresh cookie is HttpOnly');
    const [cookie] = (await desktop.cookies()).filter((c) => c.name === 'helpdesk_refresh');
    assert.deepEqual([cookie?.httpOnly, cookie?.path, cookie?.sameSite], [true, '/api/auth', 'Strict']);
    const { body: [ticket] } = await agentApi.call('GET', `/tickets/?search=${encodeURIComponent(runId)}`);
    assert.equal(ticket.title, title);
    assert.equal(ticket.status, 'in_progress');
    await screenshot(page, 'desktop-4-after-reload');
  });

  await step('every control has an accessible name', async () => {
    assert.deepEqual(await unnamedControls(page), []);
  });

  await step("every control has an accessible name on the ticket page, whose selects offer the API's values", async () => {
    await card.getByRole('link', { name: title }).click();
    const details = page.getByRole('region', { name: 'Details' });
    await details.getByRole('combobox', { name: 'Status' }).waitFor();
    await page.getByRole('form', { name: 'Reply or note' }).waitFor();
    await assertSelectsOfferApiValues(details, 'the ticket page', ['Status', 'Category', 'Priority'], enums);
    assert.deepEqual(await unnamedControls(page), []);
    await blur(page);
    await page.keyboard.press('Escape');
    await card.waitFor();
  });

  const conversation = {
    // Without runId, so the requester's search for runId further on still finds only their own.
    title: `VPN drops every hour ${runId.replace('e2e-', 'conv-')}`,
    description: 'Since Monday the VPN drops every hour.\nThe log is at https://example.com/vpn-log, if that helps.',
    reply: 'Thanks for the log.\nPlease update the client to 5.2 and tell us if it still drops.',
    note: `Internal: the certificate expires on Friday ${runId}`,
    requesterReply: 'Updated, and it dropped again at 10:14.',
  };
  let requesterApi;

  await step('working a ticket: the agent takes it from the Unassigned queue, replies publicly (in progress, first response) and adds an internal note', async () => {
    requesterApi = await apiAs(`${baseUrl}/api`, ACCOUNTS.requester);
    const filed = await requesterApi.call('POST', '/tickets/', {
      title: conversation.title,
      description: conversation.description,
      category: 'technical',
      priority: 'high',
    });
    assert.equal(filed.status, 201, 'the requester files the ticket');
    conversation.id = filed.body.id;
    assert.deepEqual(
      [filed.body.assignee_id, filed.body.sla, filed.body.sla_due_at, filed.body.first_response_due_at],
      [null, null, null, null],
      'unassigned, and a requester is sent no SLA',
    );
    const before = (await agentApi.call('GET', '/tickets/queues/')).body;

    await filters.getByRole('button', { name: 'Clear filters' }).click();
    await page.getByRole('navigation', { name: 'Queues' }).getByRole('link', { name: /^Unassigned,/ }).click();
    await page.waitForURL((url) => url.searchParams.get('queue') === 'unassigned');
    await waitForQueueCounts(page, { mine: before.mine, unassigned: before.unassigned });
    await filters.getByRole('searchbox', { name: 'Search tickets' }).fill(conversation.title);
    const queued = list.getByRole('article', { name: conversation.title });
    await queued.getByText('Unassigned').waitFor();
    await queued.getByText(/Response due in /).waitFor();
    await queued.getByRole('link', { name: conversation.title }).click();
    await page.waitForURL((url) => url.pathname === `/tickets/${conversation.id}`);

    const details = page.getByRole('region', { name: 'Details' });
    const service = page.getByRole('region', { name: 'Service level' });
    await service.getByText(/^Due /).first().waitFor();
    const description = page.getByRole('article', { name: 'Request from Rita Requester' });
    assert.equal(await description.getByRole('link').getAttribute('href'), 'https://example.com/vpn-log', 'the address in the text is a link');

    const assigned = page.waitForResponse(
      (response) => response.request().method() === 'PATCH' && response.url().endsWith(`/api/tickets/${conversation.id}/`),
    );
    await details.getByRole('button', { name: 'Assign to me' }).click();
    const assignment = await assigned;
    assert.equal(assignment.status(), 200, 'assigned');
    assert.deepEqual(assignment.request().postDataJSON(), { assignee_id: agentApi.user.id });
    assert.match(assignment.request().headers()['if-match'] ?? '', /^"/, 'If-Match sent');
    await details.getByText('Assignee saved.').waitFor();
    assert.equal(await details.getByRole('combobox', { name: 'Assignee' }).inputValue(), String(agentApi.user.id));

    // r writes a reply; Ctrl+Enter sends it.
    await blur(page);
    await page.keyboard.press('r');
    const replyForm = page.getByRole('form', { name: 'Reply or note' });
    const replyBox = replyForm.getByRole('textbox', { name: 'Reply' });
    assert.ok(await replyBox.evaluate((box) => box === document.activeElement), 'r focuses the reply box');
    await replyBox.fill(conversation.reply);
    const replied = page.waitForResponse(
      (response) => response.request().method() === 'POST' && response.url().endsWith(`/api/tickets/${conversation.id}/comments/`),
    );
    await page.keyboard.press('Control+Enter');
    const reply = await replied;
    assert.equal(reply.status(), 201, 'the reply is stored');
    assert.deepEqual(reply.request().postDataJSON(), { body: conversation.reply, visibility: 'public' });
    const thread = page.getByRole('list', { name: 'Conversation' });
    const shownReply = thread.getByRole('article', { name: 'Reply from Alex Agent' });
    await shownReply.waitFor();
    assert.equal(await shownReply.locator('p').last().innerText(), conversation.reply, 'shown as written, line break kept');
    assert.equal(await replyBox.inputValue(), '', 'the box is emptied');
    await page.getByRole('main').locator('header').getByText('Status: In progress').waitFor();
    await service.getByText(/^Responded /).waitFor();

    const stored = (await agentApi.call('GET', `/tickets/${conversation.id}/`)).body;
    assert.equal(stored.status, 'in_progress', 'a public staff reply starts work on an open ticket');
    assert.ok(stored.first_responded_at, 'the first response is recorded');
    assert.equal(stored.assignee_id, agentApi.user.id);
    assert.equal(stored.sla_target, 'resolution', 'the resolution target runs now');

    await replyForm.locator('label', { hasText: 'Internal note' }).click();
    const noteBox = replyForm.getByRole('textbox', { name: 'Internal note' });
    await noteBox.fill(conversation.note);
    await replyForm.getByRole('button', { name: 'Add internal note' }).click();
    const shownNote = thread.getByRole('article', { name: 'Internal note by Alex Agent' });
    await shownNote.waitFor();
    await shownNote.getByText('Only staff can see this.').waitFor();

    const history = page.getByRole('list', { name: 'History' });
    for (const line of [
      'Rita Requester opened the ticket',
      'Assigned to Alex Agent by Alex Agent',
      'Alex Agent replied',
      'System moved status open → in progress',
      'Alex Agent added an internal note',
    ]) {
      await history.getByText(line, { exact: true }).waitFor();
    }
    assert.deepEqual(await unnamedControls(page), []);
    await blur(page);
    await screenshot(page, 'desktop-8-conversation');

    // The queues count the ticket as the agent's now.
    await page.getByRole('link', { name: /Back to tickets/ }).click();
    await page.waitForURL((url) => url.pathname === '/' && url.searchParams.get('queue') === 'unassigned');
    await queued.waitFor({ state: 'detached' });
    await waitForQueueCounts(page, { mine: before.mine + 1, unassigned: before.unassigned - 1 });
    const after = (await agentApi.call('GET', '/tickets/queues/')).body;
    assert.deepEqual([after.mine, after.unassigned], [before.mine + 1, before.unassigned - 1], 'the API counts the same');
    await page.getByRole('navigation', { name: 'Queues' }).getByRole('link', { name: /^Mine,/ }).click();
    await queued.waitFor();
  });

  await step('working a ticket: the requester sees the public reply but not the note, and their reply reopens it once resolved', async () => {
    // The agent resolves it meanwhile.
    const resolved = await agentApi.call('PATCH', `/tickets/${conversation.id}/`, { status: 'resolved' });
    assert.equal(resolved.status, 200, 'resolved');
    assert.ok(resolved.body.resolved_at, 'the resolution is recorded');
    assert.equal(resolved.body.sla, null, 'no target runs on a resolved ticket');

    const comments = await requesterApi.call('GET', `/tickets/${conversation.id}/comments/`);
    assert.equal(comments.status, 200);
    assert.deepEqual(comments.body.map((comment) => [comment.visibility, comment.body]), [['public', conversation.reply]], 'the API holds back the note');
    const events = await requesterApi.call('GET', `/tickets/${conversation.id}/events/`);
    assert.deepEqual(events.body.filter((event) => event.visibility !== 'public'), [], 'and the internal history');
    const noted = await requesterApi.call('POST', `/tickets/${conversation.id}/comments/`, { body: 'sneaky', visibility: 'internal' });
    assert.equal(noted.status, 403, 'a requester cannot write an internal note');

    const visitor = await newVisitor('requester-conversation');
    await signInThroughForm(visitor, ACCOUNTS.requester);
    await visitor.getByRole('searchbox', { name: 'Search tickets' }).fill(conversation.title);
    const own = visitor.getByRole('list', { name: 'Tickets' }).getByRole('article', { name: conversation.title });
    await own.getByText('Status: Resolved').waitFor();
    await own.getByRole('link', { name: conversation.title }).click();
    await visitor.waitForURL((url) => url.pathname === `/tickets/${conversation.id}`);
    const thread = visitor.getByRole('list', { name: 'Conversation' });
    await thread.getByRole('article', { name: 'Reply from Alex Agent' }).waitFor();
    const history = visitor.getByRole('list', { name: 'History' });
    await history.getByText('Alex Agent replied', { exact: true }).waitFor();
    assert.equal(await visitor.getByText(conversation.note).count(), 0, 'the internal note is not shown');
    assert.equal(await visitor.getByRole('main').getByText(/internal/i).count(), 0, 'nothing internal is mentioned');
    assert.equal(await visitor.getByRole('main').getByText(/SLA|due in|overdue|Service level/).count(), 0, 'no targets');
    assert.equal(await visitor.getByRole('combobox', { name: 'Assignee' }).count(), 0, 'no assignee control');
    assert.equal(await visitor.getByRole('region', { name: 'Details' }).count(), 0, 'no staff controls');
    assert.equal(await visitor.getByRole('radio').count(), 0, 'no choice of who reads a reply');

    const replyForm = visitor.getByRole('form', { name: 'Reply' });
    await replyForm.getByRole('textbox', { name: 'Reply' }).fill(conversation.requesterReply);
    await replyForm.getByRole('button', { name: 'Send reply' }).click();
    await thread.getByRole('article', { name: 'Reply from Rita Requester' }).waitFor();
    await visitor.getByRole('main').locator('header').getByText('Status: Open').waitFor();
    await history.getByText('System moved status resolved → open', { exact: true }).waitFor();
    assert.deepEqual(await unnamedControls(visitor), []);
    await blur(visitor);
    await screenshot(visitor, 'desktop-9-requester-conversation');
    await visitor.context().close();

    const stored = (await agentApi.call('GET', `/tickets/${conversation.id}/`)).body;
    assert.equal(stored.status, 'open', "the requester's reply reopened the resolved ticket");
    assert.equal(stored.resolved_at, null, 'no longer resolved');
  }, firstLoad);

  await step("working a ticket: the agent's page shows the requester's reply and every change in the history", async () => {
    await page.goto(`${baseUrl}/tickets/${conversation.id}`);
    const thread = page.getByRole('list', { name: 'Conversation' });
    await thread.getByRole('article', { name: 'Reply from Rita Requester' }).waitFor();
    const authors = await thread.getByRole('article').evaluateAll((articles) => articles.map((article) => article.getAttribute('aria-label')));
    assert.deepEqual(authors, [
      'Request from Rita Requester',
      'Reply from Alex Agent',
      'Internal note by Alex Agent',
      'Reply from Rita Requester',
    ]);
    const history = page.getByRole('list', { name: 'History' });
    for (const line of ['Alex Agent changed status in progress → resolved', 'Rita Requester replied', 'System moved status resolved → open']) {
      await history.getByText(line, { exact: true }).waitFor();
    }
    // Opened by its address: Esc goes to the list.
    await blur(page);
    await page.keyboard.press('Escape');
    await page.waitForURL((url) => url.pathname === '/');
    await page.getByRole('group', { name: 'Median first response' }).locator('p').last().waitFor();
    const stats = await readStats();
    // The medians are recomputed at most once a minute, so the reply just sent may not be in them yet.
    assert.ok(stats.median_first_response_minutes === null || stats.median_first_response_minutes >= 0);
    assert.ok(
      stats.open_by_assignee.some((load) => load.assignee_id === agentApi.user.id && load.tickets >= 1),
      `the agent holds open work: ${JSON.stringify(stats.open_by_assignee)}`,
    );
    const load = page.getByRole('figure', { name: 'Open by assignee' });
    await load.getByText(ACCOUNTS.agent.name).waitFor();
  }, firstLoad);

  await step('a duplicate: the agent finds the earlier report among the likely duplicates and merges the second into it', async () => {
    // Without runId, so the searches for runId still find only their own tickets.
    const duplicateTitle = `Printer on floor 2 jams every morning ${runId.replace('e2e-', 'dup-')}`;
    const file = async () => {
      const filed = await requesterApi.call('POST', '/tickets/', {
        title: duplicateTitle,
        description: 'The printer on floor 2 jams every morning before nine.',
        category: 'general',
        priority: 'low',
      });
      assert.equal(filed.status, 201, 'the requester files the ticket');
      return filed.body.id;
    };
    const first = await file();
    const second = await file();

    await page.goto(`${baseUrl}/tickets/${second}`);
    const panel = page.getByRole('region', { name: 'Likely duplicates' });
    await panel.getByRole('link', { name: `${duplicateTitle} #${first}` }).waitFor();
    await panel.getByRole('button', { name: `Mark this ticket as a duplicate of #${first}` }).click();
    const dialog = page.getByRole('dialog', { name: `Mark #${second} as a duplicate of #${first}?` });
    const merged = page.waitForResponse(
      (response) => response.request().method() === 'POST' && response.url().endsWith(`/api/tickets/${second}/merge/`),
    );
    await dialog.getByRole('button', { name: 'Mark as duplicate' }).click();
    const response = await merged;
    assert.equal(response.status(), 200);
    assert.deepEqual(response.request().postDataJSON(), { into: first });

    await page.getByRole('note').getByRole('link', { name: `#${first}` }).waitFor();
    await page.getByRole('main').locator('header').getByText('Status: Closed').waitFor();
    assert.equal(await panel.count(), 0, 'a duplicate has no likely duplicates to merge');
    const seen = (await requesterApi.call('GET', `/tickets/${second}/`)).body;
    assert.deepEqual([seen.status, seen.duplicate_of, seen.needs_triage], ['closed', first, null], 'the requester sees the merge, not the triage');
    await screenshot(page, 'desktop-5-duplicate', { fullPage: false });
    await page.goto(`${baseUrl}/`);
    await list.getByRole('article').first().waitFor();
  }, firstLoad);

  if (mailSinkUrl && smtpInbound) {
    await step('by mail: a mail to the support address opens a ticket, the agent replies in the app, the requester gets it and answers by mail into the thread', async () => {
      const sink = mailSink(mailSinkUrl);
      // A new address: the mail makes a requester account (without a password) for it, and the
      // sink's mails to it are this run's only. Its marker is not runId, whose searches find one ticket.
      const marker = runId.replace('e2e-', 'mail-');
      const requester = { name: 'Mia Mailer', email: `mailer-${runId}@e2e.test` };
      const mailed = {
        title: `Report export does nothing ${marker}`,
        description: 'Since the update the Export button on the Reports page does nothing.\nChrome 131 on Windows 11.',
        reply: 'Thanks for writing in.\nPlease use the CSV export until the fix ships tomorrow.',
        requesterReply: 'The CSV export works for now, thank you!',
      };

      const received = await sendMail(smtpInbound, {
        from: requester.email,
        to: supportAddress,
        message: composeMail({
          from: `${requester.name} <${requester.email}>`,
          to: supportAddress,
          subject: mailed.title,
          text: mailed.description,
        }),
      });
      assert.match(received.text, /accepted/, `the server took the mail as a new ticket: ${received.text}`);

      // The agent finds it by its subject's marker and opens it.
      await page.goto(`${baseUrl}/`);
      await filters.getByRole('searchbox', { name: 'Search tickets' }).fill(marker);
      await page.waitForURL((url) => url.searchParams.get('search') === marker);
      const mailedCard = list.getByRole('article', { name: mailed.title });
      await mailedCard.getByRole('link', { name: mailed.title }).click();
      await page.waitForURL((url) => /^\/tickets\/\d+$/.test(url.pathname));
      const id = Number(new URL(page.url()).pathname.split('/').pop());
      const thread = page.getByRole('list', { name: 'Conversation' });
      const request = thread.getByRole('article', { name: `Request from ${requester.name}` });
      await request.getByText('Since the update the Export button').waitFor();
      const stored = (await agentApi.call('GET', `/tickets/${id}/`)).body;
      assert.deepEqual(
        [stored.title, stored.description, stored.requester_email, stored.requester_name],
        [mailed.title, mailed.description, requester.email, requester.name],
        'subject → title, text → description, sender → requester',
      );

      // The requester's mail client got the receipt with the ticket's number.
      const receipt = await sink.waitFor('receipt', (mail) => mail.subject === `[#${id}] ${mailed.title}`, { to: requester.email });
      assert.match(receipt.replyTo?.[0]?.address ?? '', /^support\+[0-9a-f]{32}@e2e\.test$/, 'the receipt names the reply address');

      // The agent replies publicly through the reply form.
      const replyForm = page.getByRole('form', { name: 'Reply or note' });
      await replyForm.getByRole('textbox', { name: 'Reply' }).fill(mailed.reply);
      const replied = page.waitForResponse(
        (response) => response.request().method() === 'POST' && response.url().endsWith(`/api/tickets/${id}/comments/`),
      );
      await replyForm.getByRole('button', { name: 'Send reply' }).click();
      assert.equal((await replied).status(), 201, 'the reply is stored');
      await thread.getByRole('article', { name: 'Reply from Alex Agent' }).waitFor();

      // … which reaches the requester's mail client.
      const subject = `Re: [#${id}] ${mailed.title}`;
      const reply = await sink.waitFor('mail of the agent\'s reply', (mail) => mail.subject === subject, { to: requester.email });
      const replyText = reply.text.replace(/\r\n/g, '\n');
      assert.ok(replyText.includes(mailed.reply), `the mail holds the reply:\n${replyText}`);
      const replyTo = reply.replyTo?.[0]?.address ?? '';
      assert.match(replyTo, /^support\+[0-9a-f]{32}@e2e\.test$/, 'Reply-To: the ticket\'s reply address');
      assert.equal(replyTo, receipt.replyTo[0].address, 'one reply address per ticket');
      const messageId = header(reply, 'message-id');
      assert.match(messageId ?? '', /^<[^<>\s]+@[^<>\s]+>$/, 'a Message-ID');

      // The requester answers from their mail client, as Gmail does: the answer on top, the
      // received mail quoted below an "On … wrote:" line.
      const quoted = replyText.trimEnd().split('\n').map((line) => (line ? `> ${line}` : '>')).join('\n');
      const sender = reply.from?.[0];
      const answer = await sendMail(smtpInbound, {
        from: requester.email,
        to: replyTo,
        message: composeMail({
          from: `${requester.name} <${requester.email}>`,
          to: replyTo,
          subject,
          text: `${mailed.requesterReply}\n\nOn Mon, 30 Nov 2026 at 10:14, ${sender?.name || 'Helpdesk'} <${sender?.address ?? supportAddress}> wrote:\n${quoted}\n`,
          headers: {
            'In-Reply-To': messageId,
            References: [header(reply, 'references'), messageId].filter(Boolean).join(' '),
          },
        }),
      });
      assert.match(answer.text, /accepted/, `the server took the answer: ${answer.text}`);

      // On the agent's page (after a reload: the thread is not polled) the answer is in the
      // thread, marked as received by email, without the quoted mail.
      await page.reload();
      const answered = thread.getByRole('article', { name: `Reply from ${requester.name}` });
      await answered.waitFor();
      await answered.getByText('Received by email').waitFor();
      assert.equal(await answered.locator('p').last().innerText(), mailed.requesterReply, 'the answer alone, quoted history stripped');
      assert.doesNotMatch(await answered.innerText(), /wrote:|Please use the CSV export|##-/, 'nothing quoted');
      const authors = await thread.getByRole('article').evaluateAll((articles) => articles.map((article) => article.getAttribute('aria-label')));
      assert.deepEqual(authors, [`Request from ${requester.name}`, 'Reply from Alex Agent', `Reply from ${requester.name}`]);
      assert.equal(await thread.getByRole('article', { name: 'Reply from Alex Agent' }).getByText(/by email/).count(), 0, 'the app reply is not marked');
      const comments = (await agentApi.call('GET', `/tickets/${id}/comments/`)).body;
      assert.deepEqual(
        comments.map((comment) => [comment.author_name, comment.visibility, comment.via, comment.body]),
        [
          ['Alex Agent', 'public', 'web', mailed.reply],
          [requester.name, 'public', 'email', mailed.requesterReply],
        ],
      );
      await blur(page);
      await screenshot(page, 'desktop-10-email-thread');
      // Back to the list, where the next step starts.
      await page.keyboard.press('Escape');
      await page.waitForURL((url) => url.pathname === '/');
      await filters.getByRole('searchbox', { name: 'Search tickets' }).waitFor();
    }, firstLoad);
  } else {
    console.log('skip  by mail: no mail sink (E2E_MAIL_SINK_URL) and inbound SMTP (E2E_SMTP_INBOUND) given');
  }

  await step('"Load more" follows the Link header to the next page', async () => {
    const marker = `${runId}-bulk`;
    const pageSize = 20;
    for (let i = 0; i <= pageSize; i++) {
      const response = await agentApi.call('POST', '/tickets/', {
        title: `Bulk ${i} ${marker}`,
        description: `Paging check ${marker}`,
        category: 'general',
        priority: 'low',
      });
      assert.equal(response.status, 201, 'bulk create');
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
    assert.equal(await list.getByRole('article').first().getByRole('heading').innerText(), `Bulk ${pageSize} ${marker}`);
    await page.getByRole('button', { name: 'Load more' }).click();
    await list.getByRole('article', { name: `Bulk 0 ${marker}` }).waitFor();
    assert.equal(await list.getByRole('article').count(), pageSize + 1);
    assert.equal(await page.getByRole('button', { name: 'Load more' }).count(), 0);
  });

  await step('a requester signs in, files a ticket and sees only their own', async () => {
    const otherTitle = `Someone else's printer ${runId}`;
    const filed = await agentApi.call('POST', '/tickets/', {
      title: otherTitle,
      description: 'Filed by an agent for another requester.',
      requester_email: ACCOUNTS.otherRequester.email,
    });
    assert.equal(filed.status, 201, 'an agent files a ticket for the other requester');
    assert.equal(filed.body.requester_email, ACCOUNTS.otherRequester.email);

    const visitor = await newVisitor('requester');
    await signInThroughForm(visitor, ACCOUNTS.requester);
    await visitor.getByRole('heading', { name: 'My tickets' }).waitFor();
    assert.equal(await visitor.getByRole('heading', { name: 'Overview' }).count(), 0, 'no statistics');
    assert.equal(await visitor.getByRole('link', { name: 'Users' }).count(), 0, 'no Users page');
    const requesterForm = visitor.getByRole('region', { name: 'New ticket' });
    assert.equal(await requesterForm.getByRole('textbox', { name: /on behalf of/i }).count(), 0, 'no on-behalf field');
    const ownTitle = `My own monitor ${runId}`;
    await requesterForm.getByRole('textbox', { name: 'Title' }).fill(ownTitle);
    await requesterForm.getByRole('textbox', { name: 'Description' }).fill('The monitor flickers since this morning.');
    await requesterForm.getByRole('button', { name: 'Submit ticket' }).click();
    await requesterForm.getByText(/^Ticket #\d+ created\.$/).waitFor();

    await visitor.getByRole('searchbox', { name: 'Search tickets' }).fill(runId);
    await visitor.waitForURL((url) => url.searchParams.get('search') === runId);
    // The list keeps showing the unfiltered page (which holds their conversation ticket too)
    // until the search's answer arrives.
    await visitor.waitForFunction(() => document.querySelectorAll('[aria-label="Tickets"] > li').length === 1);
    const ownCard = visitor.getByRole('list', { name: 'Tickets' }).getByRole('article', { name: ownTitle });
    await ownCard.waitFor();
    const titles = await visitor.getByRole('list', { name: 'Tickets' }).getByRole('heading').allInnerTexts();
    assert.deepEqual(titles, [ownTitle], 'only their own ticket is listed');
    assert.equal(await visitor.getByText(otherTitle).count(), 0);

    // Nor can they reach the other's ticket by its id.
    const requesterApi = await apiAs(`${baseUrl}/api`, ACCOUNTS.requester);
    assert.equal((await requesterApi.call('GET', `/tickets/${filed.body.id}/`)).status, 404, "another's ticket is not found");
    assert.equal((await requesterApi.call('GET', '/tickets/stats/')).status, 403, 'no statistics for a requester');

    await ownCard.getByRole('link', { name: ownTitle }).click();
    await visitor.getByRole('heading', { name: ownTitle, level: 2 }).waitFor();
    assert.equal(await visitor.getByRole('main').getByRole('combobox').count(), 0, 'nothing to choose: only closing');
    await visitor.getByRole('button', { name: 'Close ticket…' }).click();
    const dialog = visitor.getByRole('dialog', { name: `Close “${ownTitle}”?` });
    await dialog.getByRole('button', { name: 'Close ticket' }).click();
    await dialog.waitFor({ state: 'detached' });
    await visitor.getByText('This ticket is closed. If you need more help, submit a new ticket.').waitFor();
    assert.equal(await visitor.getByRole('form', { name: 'Reply' }).count(), 0, 'no replies to a closed ticket');
    await visitor.getByRole('link', { name: /Back to tickets/ }).click();
    await ownCard.getByText('Status: Closed').waitFor();
    await screenshot(visitor, 'desktop-5-requester');
    await visitor.context().close();
  }, firstLoad);

  await step('an admin invites an agent with a password, who then signs in and works the queue', async () => {
    const invited = { email: `new-agent-${runId}@e2e.test`, name: `New Agent ${runId}`, password: `pw-${runId}-long-enough` };
    const visitor = await newVisitor('admin');
    await signInThroughForm(visitor, ACCOUNTS.admin);
    await visitor.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Users' }).click();
    await visitor.waitForURL((url) => url.pathname === '/users');
    const invite = visitor.getByRole('region', { name: 'Invite someone' });
    await assertSelectsOfferApiValues(invite, 'the invite form', ['Role'], enums);
    await invite.getByRole('textbox', { name: 'Email' }).fill(invited.email);
    await invite.getByRole('textbox', { name: 'Name' }).fill(invited.name);
    await invite.getByRole('combobox', { name: 'Role' }).selectOption('agent');
    await invite.getByLabel(/Password/).fill(invited.password);
    await invite.getByRole('button', { name: 'Invite' }).click();
    await invite.getByText(`${invited.name} (${invited.email}) was added as agent.`).waitFor();
    const row = visitor.getByRole('list', { name: 'Users' }).getByRole('article', { name: invited.name });
    await row.waitFor();
    const roleSelect = `Role of ${invited.name}`;
    await assertSelectsOfferApiValues(row, 'a user row', [roleSelect], enums, () => 'Role');
    assert.equal(await row.getByRole('combobox', { name: roleSelect }).inputValue(), 'agent');
    assert.deepEqual(await unnamedControls(visitor), []);
    await screenshot(visitor, 'desktop-6-users');

    // The SLA targets: the stored ones, checked before sending, saved, and put back.
    const targets = visitor.getByRole('region', { name: 'SLA targets' });
    const policy = (await agentApi.call('GET', '/sla-policy/')).body;
    const lowResolution = targets.getByRole('textbox', { name: 'Resolution (low)' });
    assert.equal(await lowResolution.inputValue(), String(policy.low.resolution_minutes), 'the stored target is shown');
    assert.equal(await targets.getByRole('textbox', { name: 'First response (critical)' }).inputValue(), String(policy.critical.first_response_minutes));
    await lowResolution.fill('0');
    await targets.getByRole('button', { name: 'Save targets' }).click();
    await targets.locator('input[aria-invalid="true"]').waitFor();
    const changed = policy.low.resolution_minutes + 60;
    await lowResolution.fill(String(changed));
    const saved = visitor.waitForResponse((response) => response.request().method() === 'PUT' && response.url().endsWith('/api/sla-policy/'));
    await targets.getByRole('button', { name: 'Save targets' }).click();
    assert.equal((await saved).status(), 200, 'the policy is saved');
    await targets.getByText('SLA targets saved.').waitFor();
    assert.equal((await agentApi.call('GET', '/sla-policy/')).body.low.resolution_minutes, changed);
    await lowResolution.fill(String(policy.low.resolution_minutes));
    await targets.getByRole('button', { name: 'Save targets' }).click();
    await targets.getByText('SLA targets saved.').waitFor();
    assert.deepEqual((await agentApi.call('GET', '/sla-policy/')).body, policy, 'the policy is as it was');

    await visitor.getByRole('button', { name: 'Sign out' }).click();
    await visitor.getByRole('heading', { name: 'Sign in', level: 2 }).waitFor();
    await signInThroughForm(visitor, invited);
    await visitor.getByRole('banner').getByText(invited.name).waitFor();
    await visitor.getByRole('heading', { name: 'Tickets' }).waitFor();
    await visitor.getByRole('group', { name: 'Total tickets' }).waitFor();
    assert.equal(await visitor.getByRole('link', { name: 'Users' }).count(), 0, 'an agent has no Users page');
    await visitor.getByRole('searchbox', { name: 'Search tickets' }).fill(title);
    const queued = visitor.getByRole('list', { name: 'Tickets' }).getByRole('article', { name: title });
    await queued.getByRole('link', { name: title }).click();
    const details = visitor.getByRole('region', { name: 'Details' });
    await details.getByRole('combobox', { name: 'Status' }).selectOption('resolved');
    await details.getByText('Status saved.').waitFor();
    await visitor.getByRole('link', { name: /Back to tickets/ }).click();
    await queued.getByText('Status: Resolved').waitFor();
    await visitor.context().close();
  }, firstLoad);

  if (methods.public_submission) {
    await step('a visitor without an account sends a request: no token, field errors, its number, no list', async () => {
      const visitor = await newVisitor('visitor');
      const ticketReads = [];
      visitor.on('request', (request) => {
        if (request.method() === 'GET' && new URL(request.url()).pathname.startsWith('/api/tickets/')) ticketReads.push(request.url());
      });
      await visitor.getByRole('link', { name: 'Submit a request without an account' }).click();
      await visitor.waitForURL((url) => url.pathname === '/request');
      const request = visitor.getByRole('region', { name: 'Submit a request' });
      assert.deepEqual(await unnamedControls(visitor), []);
      await assertSelectsOfferApiValues(request, 'the request form', ['Category', 'Priority'], enums);

      const email = `visitor-${runId}@e2e.test`;
      await request.getByRole('textbox', { name: 'Your email' }).fill(`visitor-${runId}@`);
      await request.getByRole('textbox', { name: 'Your name' }).fill('Vera Visitor');
      await request.getByRole('textbox', { name: 'Title' }).fill(visitorTitle);
      await request.getByRole('textbox', { name: 'Description' }).fill('My invoice for March shows my old billing address.');
      await request.getByRole('textbox', { name: 'Title' }).focus();
      await request.getByText(/^Suggested by (AI model|rules \(fallback\))$/).waitFor();

      // The server's own message, by the field it is about.
      await request.getByRole('button', { name: 'Send request' }).click();
      const emailBox = request.getByRole('textbox', { name: 'Your email' });
      await request.locator('input[name="requester_email"][aria-invalid="true"]').waitFor();
      const described = await emailBox.evaluate((box) =>
        box.getAttribute('aria-describedby').split(' ').map((id) => document.getElementById(id)?.textContent).join(' '),
      );
      assert.match(described, /must be an email address/i, "the server's message describes the email field");

      await emailBox.fill(email);
      const sent = visitor.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname === '/api/tickets/');
      await request.getByRole('button', { name: 'Send request' }).click();
      const post = await sent;
      assert.equal(post.headers()['authorization'], undefined, 'no bearer token');
      assert.ok(post.headers()['idempotency-key'], 'an Idempotency-Key');
      assert.deepEqual(
        [post.postDataJSON().requester_email, post.postDataJSON().requester_name],
        [email, 'Vera Visitor'],
        'who asks, in the body',
      );
      const confirmation = request.getByText(/^Request #\d+ received — we will reply to /);
      await confirmation.waitFor();
      const id = Number(/#(\d+)/.exec(await confirmation.innerText())[1]);
      assert.equal(await confirmation.innerText(), `Request #${id} received — we will reply to ${email}.`);
      assert.equal(await request.getByRole('textbox', { name: 'Title' }).inputValue(), '', 'the form is cleared');
      assert.equal(await request.getByRole('textbox', { name: 'Your email' }).inputValue(), '');
      assert.equal(await visitor.getByRole('list', { name: 'Tickets' }).count(), 0, 'no list');
      assert.deepEqual(ticketReads, [], 'no ticket was asked for');
      await screenshot(visitor, 'desktop-7-request');

      const { status, body: stored } = await agentApi.call('GET', `/tickets/${id}/`);
      assert.equal(status, 200, 'the agent finds the request by its number');
      assert.deepEqual(
        [stored.title, stored.requester_id, stored.requester_email, stored.requester_name],
        [visitorTitle, null, email, 'Vera Visitor'],
      );

      await visitor.setViewportSize({ width: 375, height: 812 });
      assert.deepEqual(await sidewaysOverflow(visitor), [], 'the request page on a phone');
      await visitor.context().close();
    }, { expectedConsoleErrors: [NO_SESSION_YET, /status of 400/] });
  } else {
    console.log('skip  a visitor without an account sends a request: this server has PUBLIC_SUBMISSION off');
  }

  await step('on a 375 px phone screen nothing overflows sideways', async () => {
    const mobile = await newVisitor('phone', { viewport: { width: 375, height: 812 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    assert.deepEqual(await sidewaysOverflow(mobile), [], 'sign-in page');
    await screenshot(mobile, 'phone-0-sign-in');
    await signInThroughForm(mobile, ACCOUNTS.agent);
    await mobile.goto(`${baseUrl}/?search=${encodeURIComponent(title)}`);
    const mobileCard = mobile.getByRole('list', { name: 'Tickets' }).getByRole('article', { name: title });
    await mobileCard.waitFor();
    await mobile.getByRole('group', { name: 'Total tickets' }).waitFor();
    assert.deepEqual(await sidewaysOverflow(mobile), [], 'home page');
    await screenshot(mobile, 'phone-1-home');
    await mobileCard.getByRole('link', { name: title }).click();
    await mobile.getByRole('region', { name: 'Details' }).getByRole('combobox', { name: 'Status' }).waitFor();
    assert.deepEqual(await sidewaysOverflow(mobile), [], 'a ticket page');
    await mobile.goto(`${baseUrl}/tickets/${conversation.id}`);
    await mobile.getByRole('article', { name: 'Internal note by Alex Agent' }).waitFor();
    await mobile.getByRole('list', { name: 'History' }).getByText('Rita Requester replied').waitFor();
    assert.deepEqual(await sidewaysOverflow(mobile), [], 'a ticket page with its conversation');
    await screenshot(mobile, 'phone-2-ticket');
    await mobile.context().close();
  }, firstLoad);

} catch (error) {
  runner.fail(error);
} finally {
  await browser?.close();
}

runner.finish();
