// The README's picture of the product: the unfiltered home page at 1280 × 960 as an agent sees
// it, in headless Chromium. scripts/screenshot runs it against a freshly seeded scripts/e2e-env,
// signing in with its agent account (e2e/support.mjs).
//
//   node e2e/screenshot.mjs BASE_URL OUTPUT.png
//   CHROMIUM_PATH   browser binary (default /usr/bin/chromium)
import path from 'node:path';

import { ACCOUNTS, launchBrowser, NO_SESSION_YET, signInThroughForm } from './support.mjs';

const [baseUrlArg, output] = process.argv.slice(2);
if (!baseUrlArg || !output) {
  console.error('usage: node e2e/screenshot.mjs BASE_URL OUTPUT.png');
  process.exit(2);
}
const baseUrl = baseUrlArg.replace(/\/$/, '');

const browser = await launchBrowser();
try {
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
  await page.evaluate(() => document.fonts.ready);
  // Nothing focused, so no focus ring in the picture.
  await page.evaluate(() => document.activeElement instanceof HTMLElement && document.activeElement.blur());
  await page.mouse.move(0, 0);
  if (errors.length) throw new Error(`browser console errors:\n${errors.join('\n')}`);

  await page.screenshot({ path: output, animations: 'disabled' });
  console.log(`screenshot ${path.relative(process.cwd(), path.resolve(output))}`);
} finally {
  await browser.close();
}
