// The ledgers on one device with the real node (issue 13, item 11), as `npm start` serves the
// app: the production build, the static server, real IndexedDB. An address stored as an older
// version stored invite strings (unchecked) no longer stops the ledger from opening, and can be
// forgotten; removing a ledger deletes its database and its entry, reloads another tab that had
// it open, and leaves the device key and the other ledgers as they were.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { build } from 'vite';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startStaticServer, type StaticServer } from '../../src/server/static-server';
import { launchChromium, newDevice } from './support/chromium';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const buildDir = `${projectRoot}/build`;
const STEP_TIMEOUT_MS = 60_000;
const waitStep = { timeout: STEP_TIMEOUT_MS };
/** What an older version stored from an invite link as it came (this string bricked a ledger). */
const BAD_ADDRESS = 'not a relay address';

let browser: Browser;
let server: StaticServer;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  // `npm test` builds before the browser step; build here only when run on its own.
  if (!existsSync(`${buildDir}/index.html`)) {
    await build({ configFile: `${projectRoot}/vite.config.ts`, logLevel: 'warn' });
  }
  // No relay: one device alone commits its own ledger.
  server = await startStaticServer({
    root: buildDir,
    host: '127.0.0.1',
    port: 0,
    relays: () => [],
  });
  browser = await launchChromium();
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await server?.close();
});

async function device(): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await newDevice(browser);
  contexts.push(context);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return { context, page, errors };
}

/** Creates a ledger from the start page; returns its chain id once this device validates. */
async function create(page: Page, name: string): Promise<string> {
  await page.goto(`${server.url}/`);
  await page.getByLabel('Ledger name').fill(name);
  await page.getByRole('button', { name: 'Create ledger' }).click();
  await page.waitForURL(/\/ledger\/[0-9a-f]{64}$/, waitStep);
  await expect.poll(() => page.getByTestId('role').textContent(), waitStep).toBe('Validator');
  return page.url().split('/').pop() ?? '';
}

/** The IndexedDB databases of this profile, by name. */
function databases(page: Page): Promise<string[]> {
  return page.evaluate(async () => (await indexedDB.databases()).map((db) => db.name ?? '').sort());
}

/** Reads or writes one object store of a database of this profile, in the page. */
function idb<T>(
  page: Page,
  args: { db: string; store: string; write?: { value: unknown } },
): Promise<T[]> {
  return page.evaluate(
    ({ db, store, write }) =>
      new Promise<T[]>((resolve, reject) => {
        const open = indexedDB.open(db);
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const connection = open.result;
          const tx = connection.transaction(store, write ? 'readwrite' : 'readonly');
          if (write) tx.objectStore(store).put(write.value);
          const all = tx.objectStore(store).getAll();
          tx.oncomplete = () => {
            connection.close();
            resolve(all.result as T[]);
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
    args,
  );
}

test('an address no browser can use, stored for a ledger, no longer stops it from opening', async () => {
  const { page, errors } = await device();
  const chainId = await create(page, 'Sturdy');
  await idb(page, {
    db: `ledger-${chainId}`,
    store: 'peers',
    write: { value: { address: BAD_ADDRESS, lastSeenMs: Date.now() } },
  });

  // Reopened, the ledger works: it validates and confirms a transfer.
  await page.reload();
  await page.getByRole('heading', { name: 'Sturdy', level: 1 }).waitFor(waitStep);
  await expect.poll(() => page.getByTestId('role').textContent(), waitStep).toBe('Validator');
  await page.getByLabel('To address').fill('ab'.repeat(20));
  await page.getByLabel('Amount').fill('25');
  await page.getByRole('button', { name: 'Send' }).click();
  const sent = page.getByRole('list', { name: 'Your activity' }).getByRole('listitem').first();
  await expect.poll(() => sent.textContent(), waitStep).toMatch(/Confirmed in block \d+/);

  // The Network page shows the address as unusable, and forgets it for good.
  await page.getByRole('link', { name: 'Network' }).click();
  const bad = page
    .getByRole('list', { name: 'Remembered addresses' })
    .getByRole('listitem')
    .filter({ hasText: BAD_ADDRESS });
  await expect.poll(() => bad.textContent(), waitStep).toContain('Cannot be used; skipped');
  await page.getByRole('button', { name: `Forget ${BAD_ADDRESS}` }).click();
  await page.getByText('None: this device uses only this site’s relays.').waitFor(waitStep);
  expect(await idb(page, { db: `ledger-${chainId}`, store: 'peers' })).toEqual([]);
  await page.reload();
  await page.getByText('None: this device uses only this site’s relays.').waitFor(waitStep);
  expect(errors).toEqual([]);
});

test('removing a ledger deletes its database and entry; the key and other ledgers stay', async () => {
  const { context, page, errors } = await device();
  const stays = await create(page, 'Stays');
  await page.getByLabel('To address').fill('ab'.repeat(20));
  await page.getByLabel('Amount').fill('25');
  await page.getByRole('button', { name: 'Send' }).click();
  await page.getByText(/Confirmed in block \d+/).waitFor(waitStep);
  const goes = await create(page, 'Goes');
  const keyBefore = await idb<{ publicKey: Uint8Array }>(page, {
    db: 'ledger-device',
    store: 'device',
  });
  expect(await databases(page)).toEqual(
    ['ledger-device', `ledger-${goes}`, `ledger-${stays}`].sort(),
  );
  // Another tab has the ledger open.
  const other = await context.newPage();
  await other.goto(`${server.url}/ledger/${goes}`);
  await other.getByRole('heading', { name: 'Goes', level: 1 }).waitFor(waitStep);

  await page.getByRole('link', { name: 'Ledgers' }).click();
  await page.getByRole('button', { name: 'Remove Goes from this device' }).click();
  const confirm = page.getByRole('region', { name: 'Remove “Goes” from this device?' });
  await confirm.getByText('This device is the only validator of “Goes”').waitFor(waitStep);
  await confirm.getByRole('button', { name: 'Remove it and stop the ledger' }).click();
  await page.getByText('“Goes” was removed from this device.').waitFor(waitStep);
  await expect
    .poll(() => page.getByRole('list', { name: 'Ledgers on this device' }).innerText(), waitStep)
    .not.toContain('Goes');

  // The other tab let go (it reloads) and finds the ledger gone; the database is deleted.
  await other.getByText('This ledger is not on this device.').waitFor(waitStep);
  await expect
    .poll(() => databases(page), waitStep)
    .toEqual(['ledger-device', `ledger-${stays}`].sort());
  const entries = await idb<{ chainId: string }>(page, { db: 'ledger-device', store: 'ledgers' });
  expect(entries.map((entry) => entry.chainId)).toEqual([stays]);
  const keyAfter = await idb<{ publicKey: Uint8Array }>(page, {
    db: 'ledger-device',
    store: 'device',
  });
  expect(keyAfter.map((key) => [...key.publicKey])).toEqual(
    keyBefore.map((key) => [...key.publicKey]),
  );

  // The ledger that stays is as it was, and still confirms changes.
  await page.getByRole('link', { name: 'Stays' }).click();
  await expect.poll(() => page.getByTestId('balance').textContent(), waitStep).toContain('975');
  await expect.poll(() => page.getByTestId('role').textContent(), waitStep).toBe('Validator');
  expect(errors).toEqual([]);
});
