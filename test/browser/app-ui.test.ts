// The app's UI in real Chromium, driven as a user would: the real SvelteKit app (Vite dev
// server, project config) with the in-memory preview node injected through the app's
// `window.__ledgerDeviceOverride` hook. Proves the pages render the node's state and call its
// actions; the node itself is tested elsewhere. Screenshots go to /tmp/ui-*.png for review.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './support/chromium';
import { bundlePreviewNode, startAppServer, type AppServer } from './support/app-server';

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1100, height: 900 };
/** Empty blocks each preview ledger starts with (more than one explorer page). */
const INITIAL_BLOCKS = 24;
/** How long a UI change may take to appear (a cold dev server compiles routes on demand). */
const POLL_TIMEOUT_MS = 20_000;
/** First page load on a cold dev server compiles the app; the machine may be busy. */
const WARM_UP_TIMEOUT_MS = 120_000;
/** Tab presses allowed to reach the Send button from the top of the ledger page. */
const TAB_PRESSES_MAX = 40;

const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: POLL_TIMEOUT_MS });

let browser: Browser;
let server: AppServer;
let previewScript: string;

beforeAll(async () => {
  [server, previewScript] = await Promise.all([startAppServer(), bundlePreviewNode()]);
  browser = await launchChromium();
  // Warm the dev server (dependency optimisation can reload a page on first visit).
  const warm = await openApp();
  await warm.page.goto(`${server.url}/`);
  await warm.page
    .getByRole('heading', { name: 'Your ledgers' })
    .waitFor({ timeout: WARM_UP_TIMEOUT_MS })
    .catch((error: unknown) => {
      throw new Error(`the app did not start: ${warm.errors.join('; ')}`, { cause: error });
    });
  await warm.context.close();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** A fresh device (browser context) whose app uses the preview node. */
async function openApp(
  viewport = DESKTOP,
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport });
  await context.addInitScript((initialBlocks) => {
    // Commit only when the test says so, so "pending" is observable.
    window.__ledgerPreviewOptions = {
      commitDelayMs: null,
      startTimeMs: Date.now() - 60_000,
      initialBlocks,
    };
  }, INITIAL_BLOCKS);
  await context.addInitScript({ content: previewScript });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  return { context, page, errors };
}

async function commitPending(page: Page): Promise<void> {
  await page.evaluate(() => window.__ledgerPreview?.commitPending());
}

async function hasNoHorizontalOverflow(page: Page): Promise<boolean> {
  return page.evaluate(
    () => document.documentElement.scrollWidth <= document.documentElement.clientWidth,
  );
}

test('a user creates a ledger, sends, explores, and invites a device', async () => {
  const { context, page, errors } = await openApp();
  await page.goto(`${server.url}/`);
  await poll(() => page.getByText('No ledger yet').count()).toBe(1);
  // The indicator follows the browser's connectivity (offline inside a loopback-only test
  // namespace, so compare with navigator.onLine rather than assume).
  const connectivity = page.getByRole('status').filter({ hasText: /^(Online|Offline)$/ });
  const browserOnline = await page.evaluate(() => navigator.onLine);
  await poll(async () => (await connectivity.textContent())?.trim()).toBe(
    browserOnline ? 'Online' : 'Offline',
  );
  await context.setOffline(true);
  await poll(async () => (await connectivity.textContent())?.trim()).toBe('Offline');
  await context.setOffline(false);
  await page.screenshot({ path: '/tmp/ui-start.png', fullPage: true });

  // Create: a missing name is refused next to the field, then the ledger is created.
  await page.getByRole('button', { name: 'Create ledger' }).click();
  await poll(() => page.getByText('Give the ledger a name.').count()).toBe(1);
  await page.getByLabel('Ledger name').fill('Household');
  await page.getByRole('button', { name: 'Add a balance' }).click();
  await page.getByLabel('Address 1').fill('a'.repeat(40));
  await page.getByLabel('Amount 1').fill('250');
  await page.getByRole('button', { name: 'Create ledger' }).click();
  await page.waitForURL(/\/ledger\/[0-9a-f]{64}$/);
  const chainId = page.url().split('/').pop() ?? '';
  await page.getByRole('heading', { name: 'Household', level: 1 }).waitFor();
  expect(await page.getByTestId('role').textContent()).toBe('Validator');
  expect(await page.getByTestId('height').textContent()).toBe(String(INITIAL_BLOCKS));
  // The preview node reports 120 kB used of 2 GB, persistent.
  expect(await page.getByTestId('storage').textContent()).toContain('120.0 kB of 2.0 GB');

  // Listed on the start page with its height; open it again from there.
  await page.getByRole('link', { name: 'Ledgers' }).click();
  const listed = page.getByRole('list', { name: 'Ledgers on this device' }).getByRole('listitem');
  await poll(() => listed.count()).toBe(1);
  expect(await listed.textContent()).toContain(`height ${INITIAL_BLOCKS}`);
  await page.getByRole('link', { name: 'Household' }).click();
  await page.waitForURL(`**/ledger/${chainId}`);

  // Send: validation messages, then pending, then committed at the next height.
  await page.getByRole('button', { name: 'Send' }).click();
  await poll(() => page.getByText('Enter an address.').count()).toBe(1);
  expect(await page.getByText('Enter an amount.').count()).toBe(1);
  await page.getByLabel('To address').fill('b'.repeat(40));
  await page.getByLabel('Amount').fill('12x');
  await page.getByRole('button', { name: 'Send' }).click();
  await poll(() => page.getByText('The amount is a whole number.').count()).toBe(1);
  await page.getByLabel('Amount').fill('100');
  await page.getByRole('button', { name: 'Send' }).click();
  const activity = page.getByRole('list', { name: 'Your activity' }).getByRole('listitem');
  await poll(() => activity.first().getAttribute('data-status')).toBe('pending');
  expect(await activity.first().textContent()).toContain('Pending');
  await commitPending(page);
  await expect
    .poll(() => activity.first().textContent())
    .toContain(`Committed at height ${INITIAL_BLOCKS + 1}`);
  expect(await page.getByTestId('height').textContent()).toBe(String(INITIAL_BLOCKS + 1));

  // A record, and a transfer the ledger rejects, with its reason in words.
  await page.getByLabel('Key').fill('greeting');
  await page.getByLabel('Value').fill('hello');
  await page.getByRole('button', { name: 'Save record' }).click();
  await page.getByLabel('To address').fill('c'.repeat(40));
  await page.getByLabel('Amount').fill('999999');
  await page.getByRole('button', { name: 'Send' }).click();
  await poll(() => activity.count()).toBe(3);
  await commitPending(page);
  await expect
    .poll(() => activity.first().textContent())
    .toContain('Rejected: insufficient-balance');
  expect(await activity.first().textContent()).toContain('The balance is too low');
  expect(await activity.nth(1).textContent()).toContain(
    `Committed at height ${INITIAL_BLOCKS + 2}`,
  );
  await page.getByLabel('Key').fill('greeting');
  await page.getByRole('button', { name: 'Delete record' }).click();
  await poll(() => activity.count()).toBe(4);
  await commitPending(page);

  // A node problem shows as an alert banner; catching up shows its progress.
  await page.evaluate(
    (id) =>
      window.__ledgerPreview?.patchStatus(id, {
        problem: {
          code: 'storage-full',
          message: 'This browser refused to store more blocks.',
        },
      }),
    chainId,
  );
  const alert = page.getByRole('alert').filter({ hasText: 'storage-full' });
  await poll(() => alert.count()).toBe(1);
  await page.screenshot({ path: '/tmp/ui-ledger-home.png', fullPage: true });
  await page.evaluate(
    (id) =>
      window.__ledgerPreview?.patchStatus(id, {
        problem: null,
        role: 'catching-up',
        sync: { fromHeight: 0, currentHeight: 30, targetHeight: 120 },
      }),
    chainId,
  );
  await poll(() => alert.count()).toBe(0);
  const progress = page.getByRole('progressbar', { name: 'Catching up: block 30 of 120' });
  await poll(() => progress.count()).toBe(1);
  expect(await progress.evaluate((bar) => (bar as HTMLProgressElement).position)).toBe(0.25);
  expect(await page.getByTestId('role').textContent()).toBe('Catching up');
  await page.screenshot({ path: '/tmp/ui-catching-up.png' });
  await page.evaluate(
    (id) => window.__ledgerPreview?.patchStatus(id, { role: 'validator', sync: null }),
    chainId,
  );
  await poll(() => progress.count()).toBe(0);

  // Explorer: the newest blocks, then the block with our transfer, its commit and evidence.
  await page
    .getByRole('navigation', { name: 'Ledger' })
    .getByRole('link', { name: 'Explorer' })
    .click();
  await page.getByRole('link', { name: `Block ${INITIAL_BLOCKS + 4}` }).waitFor();
  await page.screenshot({ path: '/tmp/ui-explorer.png', fullPage: true });
  await page.getByRole('button', { name: 'Older blocks' }).click();
  await expect
    .poll(() => page.getByRole('link', { name: `Block ${INITIAL_BLOCKS + 4}` }).count())
    .toBe(0);
  await page.getByRole('button', { name: 'Newer blocks' }).click();
  await page.getByRole('link', { name: `Block ${INITIAL_BLOCKS + 1}` }).click();
  await page.getByRole('heading', { name: `Block ${INITIAL_BLOCKS + 1}` }).waitFor();
  const txs = page.getByRole('region', { name: 'Transactions' });
  expect(await txs.textContent()).toContain('Send 100 to bbbbbbbb');
  const commit = page.getByRole('region', { name: 'Commit signatures' });
  expect(await commit.textContent()).toContain('commit');
  expect(await page.getByRole('region', { name: 'Evidence' }).textContent()).toContain(
    'No misbehaviour',
  );
  await page.screenshot({ path: '/tmp/ui-block.png', fullPage: true });

  // Accounts and records.
  await page.getByRole('link', { name: 'Accounts' }).click();
  const accounts = page.getByRole('region', { name: 'Accounts and balances' });
  await poll(() => accounts.textContent()).toContain('900');
  await page.getByRole('link', { name: 'Records' }).click();
  await page.getByRole('region', { name: 'Records' }).waitFor();
  await poll(() => page.getByText('No records').count()).toBe(1);

  // Network: peers with their transport, validators, live consensus and the plot.
  await page.getByRole('link', { name: 'Network' }).click();
  const peers = page.getByRole('region', { name: /Peers/ });
  await poll(() => peers.textContent()).toContain('WebRTC');
  expect(await peers.textContent()).toContain('Relay');
  expect(await peers.textContent()).toContain('Tab');
  const validators = page.getByRole('region', { name: 'Validators' });
  await poll(() => validators.textContent()).toContain('online');
  expect(await page.getByTestId('consensus-height').textContent()).toBe(String(INITIAL_BLOCKS + 5));
  const plots = page.locator('svg[role="img"] path');
  expect(await plots.count()).toBe(2);
  await page.screenshot({ path: '/tmp/ui-network.png', fullPage: true });
  const votes = page.getByRole('list', { name: 'Latest votes' }).getByRole('listitem');
  expect(await votes.count()).toBeGreaterThan(0);
  expect(await votes.first().textContent()).toContain(`precommit`);

  // Devices: invite link with its QR code, and approving a join request.
  await page.evaluate((id) => window.__ledgerPreview?.addJoinRequest(id, "Anna's phone"), chainId);
  await page.getByRole('link', { name: 'Devices' }).click();
  const inviteLink = await page.getByLabel('Invite link').inputValue();
  expect(inviteLink).toMatch(/\/join#[A-Za-z0-9_-]+$/);
  const qr = page.getByRole('img', { name: 'QR code of the invite link' });
  await qr.waitFor();
  expect(await qr.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  await page.getByRole('button', { name: 'Copy invite link' }).click();
  await poll(() => page.getByText('Copied.').count()).toBe(1);
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(inviteLink);
  await page.getByRole('button', { name: "Approve Anna's phone" }).click();
  await poll(() => page.getByText('You approved').count()).toBe(1);
  await page.screenshot({ path: '/tmp/ui-devices.png', fullPage: true });

  expect(errors).toEqual([]);
  await context.close();

  // Another device opens the invite link: it joins as an observer that can ask to join.
  const other = await openApp(PHONE);
  await other.page.goto(inviteLink);
  await other.page.waitForURL(`**/ledger/${chainId}`);
  await other.page.getByRole('heading', { name: 'Household', level: 1 }).waitFor();
  expect(await other.page.getByTestId('role').textContent()).toBe('Observer');
  await other.page.getByRole('link', { name: 'Devices' }).click();
  await other.page.getByLabel('Name of this device').fill('Laptop');
  await other.page.getByRole('button', { name: 'Ask to join' }).click();
  await poll(() => other.page.getByText('Request sent.').count()).toBe(1);
  await other.page.screenshot({ path: '/tmp/ui-phone-observer.png', fullPage: true });
  expect(other.errors).toEqual([]);
  await other.context.close();
});

test('the Send button is reachable with the keyboard alone and shows focus', async () => {
  const { context, page } = await openApp();
  await page.goto(`${server.url}/`);
  await page.getByLabel('Ledger name').fill('Keys');
  await page.getByLabel('Ledger name').press('Enter');
  await page.waitForURL(/\/ledger\/[0-9a-f]{64}$/);
  await page.getByRole('button', { name: 'Send' }).waitFor();
  await page.locator('body').click({ position: { x: 1, y: 1 } });

  let reached = false;
  for (let presses = 0; presses < TAB_PRESSES_MAX && !reached; presses += 1) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement?.textContent?.trim() === 'Send');
  }
  expect(reached).toBe(true);
  const focusRing = await page.evaluate(() => {
    const active = document.activeElement;
    return active ? getComputedStyle(active).boxShadow : 'none';
  });
  expect(focusRing).not.toBe('none');
  // Enter on the focused button submits the form (here: the validation messages).
  await page.keyboard.press('Enter');
  await poll(() => page.getByText('Enter an address.').count()).toBe(1);
  await context.close();
});

test('every page fits a 390 px wide phone screen without horizontal scrolling', async () => {
  const { context, page } = await openApp(PHONE);
  await page.goto(`${server.url}/`);
  expect(await hasNoHorizontalOverflow(page)).toBe(true);
  // A failed action is announced in a banner, in words.
  await page.getByLabel('Invite link').fill('https://example.invalid/join#garbage');
  await page.getByRole('button', { name: 'Join' }).click();
  const failure = page.getByRole('alert').filter({ hasText: 'Could not join.' });
  await poll(() => failure.textContent()).toContain('damaged');
  expect(await hasNoHorizontalOverflow(page)).toBe(true);
  await page.screenshot({ path: '/tmp/ui-phone-start.png', fullPage: true });
  await page.getByLabel('Ledger name').fill('A ledger with a rather long name for a phone');
  await page.getByRole('button', { name: 'Create ledger' }).click();
  await page.waitForURL(/\/ledger\/[0-9a-f]{64}$/);
  await page.getByLabel('To address').fill('d'.repeat(40));
  await page.getByLabel('Amount').fill('5');
  await page.getByRole('button', { name: 'Send' }).click();
  await commitPending(page);

  const nav = page.getByRole('navigation', { name: 'Ledger' });
  const pages: { link: string; ready: () => Promise<unknown> }[] = [
    { link: 'Home', ready: () => page.getByRole('button', { name: 'Send' }).waitFor() },
    {
      link: 'Explorer',
      ready: () => page.getByRole('link', { name: `Block ${INITIAL_BLOCKS + 1}` }).waitFor(),
    },
    { link: 'Accounts', ready: () => page.getByRole('table').waitFor() },
    { link: 'Records', ready: () => page.getByText('No records').waitFor() },
    {
      link: 'Network',
      ready: () => page.getByRole('region', { name: 'Validators' }).getByRole('table').waitFor(),
    },
    { link: 'Devices', ready: () => page.getByRole('img', { name: /QR code/ }).waitFor() },
  ];
  for (const { link, ready } of pages) {
    await nav.getByRole('link', { name: link }).click();
    await ready();
    expect({ link, fits: await hasNoHorizontalOverflow(page) }).toEqual({ link, fits: true });
    await page.screenshot({ path: `/tmp/ui-phone-${link.toLowerCase()}.png`, fullPage: true });
  }
  await nav.getByRole('link', { name: 'Explorer' }).click();
  await page.getByRole('link', { name: `Block ${INITIAL_BLOCKS + 1}` }).click();
  await page.getByRole('heading', { name: `Block ${INITIAL_BLOCKS + 1}` }).waitFor();
  expect(await hasNoHorizontalOverflow(page)).toBe(true);
  await page.screenshot({ path: '/tmp/ui-phone-block.png', fullPage: true });
  await context.close();
});
