// The real app end to end, as `npm start` serves it: the production build, the static server
// with /relay.json, a relay process, the real node (IndexedDB, libp2p/WebRTC, Worker timers)
// and the service worker. Clicked through as a new user would.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { build } from 'vite';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startStaticServer, type StaticServer } from '../../src/server/static-server';
import { launchChromium, newDevice } from './support/chromium';
import {
  freePort,
  relayKeyFile,
  startRelayProcess,
  type RelayProcess,
} from './support/relay-process';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const buildDir = `${projectRoot}/build`;
const STEP_TIMEOUT_MS = 60_000;

let browser: Browser;
let relay: RelayProcess;
let server: StaticServer;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  // `npm test` builds before the browser step; build here only when run on its own.
  if (!existsSync(`${buildDir}/index.html`)) {
    await build({ configFile: `${projectRoot}/vite.config.ts`, logLevel: 'warn' });
  }
  relay = await startRelayProcess(await freePort(), relayKeyFile());
  server = await startStaticServer({
    root: buildDir,
    host: '127.0.0.1',
    port: 0,
    relays: () => relay.multiaddrs,
  });
  browser = await launchChromium();
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await server?.close();
  await relay?.kill();
});

async function device(): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await newDevice(browser);
  contexts.push(context);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return { context, page, errors };
}

test('create a ledger, send, reload offline from the cache, and let a second device join', async () => {
  const a = await device();
  await a.page.goto(`${server.url}/`);
  await a.page.getByLabel('Ledger name').fill('Household');
  await a.page.getByRole('button', { name: 'Create ledger' }).click();
  await a.page.waitForURL(/\/ledger\/[0-9a-f]{64}$/, { timeout: STEP_TIMEOUT_MS });
  const chainId = a.page.url().split('/').pop() as string;
  await expect
    .poll(() => a.page.getByRole('heading', { name: /Your role/ }).textContent(), {
      timeout: STEP_TIMEOUT_MS,
    })
    .toContain('Validator');

  await a.page.getByLabel('To address').fill('ab'.repeat(20));
  await a.page.getByLabel('Amount').fill('25');
  await a.page.getByRole('button', { name: 'Send' }).click();
  await a.page
    .getByText(/Committed at height \d+/)
    .first()
    .waitFor({ timeout: STEP_TIMEOUT_MS });

  // Offline: the service worker serves the shell and the ledger reads from IndexedDB.
  await a.page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  await a.context.setOffline(true);
  await a.page.reload();
  await a.page.getByRole('heading', { name: 'Household' }).waitFor({ timeout: STEP_TIMEOUT_MS });
  await a.page
    .getByText(/Committed at height \d+/)
    .first()
    .waitFor({ timeout: STEP_TIMEOUT_MS });
  await a.context.setOffline(false);
  await a.page.reload();

  // A second device opens the invite link from the Devices page.
  await a.page.getByRole('link', { name: 'Devices' }).click();
  const invite = await a.page.getByLabel('Invite link').inputValue();
  expect(invite).toContain('/join#');
  const b = await device();
  await b.page.goto(invite);
  await b.page.waitForURL(new RegExp(`/ledger/${chainId}$`), { timeout: STEP_TIMEOUT_MS });
  await expect
    .poll(() => b.page.getByRole('heading', { name: /Your role/ }).textContent(), {
      timeout: STEP_TIMEOUT_MS,
    })
    .toContain('Observer');

  await b.page.getByRole('link', { name: 'Devices' }).click();
  await b.page.getByRole('button', { name: 'Ask to join' }).click();
  await a.page
    .getByRole('button', { name: /^Approve/ })
    .first()
    .click({ timeout: STEP_TIMEOUT_MS });
  await b.page.getByRole('link', { name: 'Home' }).click();
  await expect
    .poll(() => b.page.getByRole('heading', { name: /Your role/ }).textContent(), {
      timeout: STEP_TIMEOUT_MS,
    })
    .toContain('Validator');
  expect(a.errors).toEqual([]);
  expect(b.errors).toEqual([]);
});
