// The README's pictures of the product at 1280 × 960 as an agent sees it, in headless Chromium:
// the unfiltered home page, and a ticket's page with a conversation on it. scripts/screenshot runs
// it against a freshly seeded scripts/e2e-env, signing in with its accounts (e2e/support.mjs).
// The seed's threads are made up at random, so the pictured one is held through the API first,
// the same every time: a requester's ticket, the agent taking it, noting and replying, and the
// requester answering.
//
//   node e2e/screenshot.mjs BASE_URL OUTPUT.png [TICKET_OUTPUT.png]
//   (TICKET_OUTPUT defaults to OUTPUT with -ticket before .png: docs/screenshot-ticket.png)
//   CHROMIUM_PATH   browser binary (default /usr/bin/chromium)
import assert from 'node:assert/strict';
import path from 'node:path';

import { ACCOUNTS, apiAs, launchBrowser, NO_SESSION_YET, signInThroughForm } from './support.mjs';

const [baseUrlArg, output, ticketOutputArg] = process.argv.slice(2);
if (!baseUrlArg || !output) {
  console.error('usage: node e2e/screenshot.mjs BASE_URL OUTPUT.png [TICKET_OUTPUT.png]');
  process.exit(2);
}
const baseUrl = baseUrlArg.replace(/\/$/, '');
const ticketOutput = ticketOutputArg || output.replace(/(\.png)?$/i, '-ticket.png');

/** A ticket with a short conversation, as it happens: returns its id. */
async function holdConversation() {
  const requester = await apiAs(`${baseUrl}/api`, ACCOUNTS.requester);
  const agent = await apiAs(`${baseUrl}/api`, ACCOUNTS.agent);
  const expect = async (response, status, what) => {
    const { status: got, body } = await response;
    assert.equal(got, status, `${what}: ${JSON.stringify(body)}`);
    return body;
  };
  const ticket = await expect(
    requester.call('POST', '/tickets/', {
      title: 'Invoice PDF shows our old VAT number',
      description:
        'The invoice for March (INV-2031) still shows our old VAT number, although we changed it in the billing settings two weeks ago.\n\n' +
        'Our accountant needs a corrected copy before Friday. Screenshot of the settings: https://example.com/billing-settings.png',
      category: 'billing',
      priority: 'high',
    }),
    201,
    'filing the ticket',
  );
  const comment = (api, body, visibility = 'public') =>
    expect(api.call('POST', `/tickets/${ticket.id}/comments/`, { body, visibility }), 201, 'a comment');
  await expect(agent.call('PATCH', `/tickets/${ticket.id}/`, { assignee_id: agent.user.id }), 200, 'assigning');
  await comment(
    agent,
    'Internal: the VAT number on the PDF comes from the customer record, not from the billing settings. Both need to be in sync — see the known issue in the billing runbook.',
    'internal',
  );
  await comment(
    agent,
    'Thanks for the details! The invoice PDF takes the VAT number from your customer record, which still had the old one. ' +
      'I have updated it and re-issued INV-2031.\n\nYou can download the corrected copy from the Invoices page now.',
  );
  await comment(requester, 'That was quick — the new PDF is correct. Thank you!');
  return ticket.id;
}

/** Nothing focused and the mouse away, so no focus ring or hover in the picture. */
async function settle(page) {
  await page.evaluate(() => document.fonts.ready);
  await page.evaluate(() => document.activeElement instanceof HTMLElement && document.activeElement.blur());
  await page.mouse.move(0, 0);
}

const browser = await launchBrowser();
try {
  const ticketId = await holdConversation();
  const context = await browser.newContext({ viewport: { width: 1280, height: 960 } });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const errors = [];
  page.on('console', (message) => message.type() === 'error' && !NO_SESSION_YET.test(message.text()) && errors.push(message.text()));
  page.on('pageerror', (error) => errors.push(error.message));

  await page.goto(`${baseUrl}/`);
  await signInThroughForm(page, ACCOUNTS.agent);
  await page.getByRole('heading', { name: 'Helpdesk', level: 1 }).waitFor();
  await page.getByRole('group', { name: 'Total tickets' }).waitFor();
  // The list is loaded (cards, not the skeleton) and the stats agree with the seeded database.
  await page.getByRole('list', { name: 'Tickets' }).getByRole('article').first().waitFor();
  await page.waitForFunction(
    () => Number(document.querySelector('[aria-label="Total tickets"] > p:last-child')?.textContent?.replace(/\D/g, '')) > 0,
  );
  await page.getByRole('navigation', { name: 'Queues' }).getByRole('link', { name: /^Mine, / }).waitFor();
  await settle(page);
  if (errors.length) throw new Error(`browser console errors:\n${errors.join('\n')}`);
  await page.screenshot({ path: output, animations: 'disabled' });
  console.log(`screenshot ${path.relative(process.cwd(), path.resolve(output))}`);

  await page.getByRole('list', { name: 'Tickets' }).getByRole('link', { name: 'Invoice PDF shows our old VAT number' }).click();
  await page.waitForURL((url) => url.pathname === `/tickets/${ticketId}`);
  await page.getByRole('list', { name: 'Conversation' }).getByRole('article', { name: 'Reply from Rita Requester' }).waitFor();
  await page.getByRole('list', { name: 'History' }).getByText('Rita Requester replied').waitFor();
  await page.getByRole('region', { name: 'Details' }).getByRole('combobox', { name: 'Assignee' }).getByText('Alex Agent (me)').waitFor({ state: 'attached' });
  await settle(page);
  if (errors.length) throw new Error(`browser console errors:\n${errors.join('\n')}`);
  await page.screenshot({ path: ticketOutput, animations: 'disabled' });
  console.log(`screenshot ${path.relative(process.cwd(), path.resolve(ticketOutput))}`);
} finally {
  await browser.close();
}
