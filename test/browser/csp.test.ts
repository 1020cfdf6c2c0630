// The app's Content-Security-Policy, from the production build as `npm start` serves it: the
// page states its policy in a <meta> tag (so static hosts carry it) and the server sends it as
// a header with frame-ancestors 'none'. The app works under it (its Worker timers, the service
// worker, the WebSocket to the relay, consensus); markup injected into the page cannot run
// script; and a page of another origin cannot frame the app.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, expect, test } from 'vitest';
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
let app: StaticServer;
/** Another origin (another port): a site that would frame the app. */
let other: StaticServer;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  // `npm test` builds before the browser step; build here only when run on its own.
  if (!existsSync(`${buildDir}/index.html`)) {
    await build({ configFile: `${projectRoot}/vite.config.ts`, logLevel: 'warn' });
  }
  relay = await startRelayProcess(await freePort(), relayKeyFile());
  app = await startStaticServer({
    root: buildDir,
    host: '127.0.0.1',
    port: 0,
    relays: () => relay.multiaddrs,
  });
  const otherRoot = mkdtempSync(join(tmpdir(), 'framing-site-'));
  writeFileSync(
    join(otherRoot, 'index.html'),
    `<!doctype html><title>elsewhere</title><iframe src="${app.url}/" width="600" height="400"></iframe>`,
  );
  other = await startStaticServer({ root: otherRoot, host: '127.0.0.1', port: 0 });
  browser = await launchChromium();
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await app?.close();
  await other?.close();
  await relay?.kill();
});

interface Device {
  page: Page;
  /** Console messages about the Content-Security-Policy (each a refused load or script). */
  violations: string[];
}

async function device(): Promise<Device> {
  const context = await newDevice(browser);
  contexts.push(context);
  const page = await context.newPage();
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  page.on('pageerror', (error) => violations.push(`page error: ${error.message}`));
  return { page, violations };
}

let appDevice: Device;

test('the app runs under its policy: Worker timers, service worker, relay, a commit', async () => {
  appDevice = await device();
  const { page, violations } = appDevice;
  const relayPort = relay.multiaddrs[0]!.split('/')[4];
  const sockets: string[] = [];
  page.on('websocket', (socket) => {
    if (socket.url().includes(`:${relayPort}`)) sockets.push(socket.url());
  });
  const response = await page.goto(`${app.url}/`);
  const header = response?.headers()['content-security-policy'] ?? '';
  expect(header).toContain("frame-ancestors 'none'");
  expect(header).toMatch(/script-src 'self' 'sha256-[^']+'/);
  const meta = await page
    .locator('meta[http-equiv="content-security-policy"]')
    .getAttribute('content');
  expect(header.startsWith(meta ?? 'no meta policy')).toBe(true);

  await page.getByLabel('Ledger name').fill('Under policy');
  await page.getByRole('button', { name: 'Create ledger' }).click();
  await page.waitForURL(/\/ledger\/[0-9a-f]{64}$/, { timeout: STEP_TIMEOUT_MS });
  await expect
    .poll(() => page.getByRole('heading', { name: /This device/ }).textContent(), {
      timeout: STEP_TIMEOUT_MS,
    })
    .toContain('Validator');
  // A commit needs the node's timers, which run in a Worker.
  await page.getByLabel('To address').fill('ab'.repeat(20));
  await page.getByLabel('Amount').fill('5');
  await page.getByRole('button', { name: 'Send' }).click();
  await page
    .getByText(/Confirmed in block \d+/)
    .first()
    .waitFor({ timeout: STEP_TIMEOUT_MS });
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  // The relay is another origin (its own port): a WebSocket the policy must allow.
  await expect.poll(() => sockets.length, { timeout: STEP_TIMEOUT_MS }).toBeGreaterThan(0);
  expect(violations).toEqual([]);
}, 120_000);

test('markup injected into the page cannot run script', async () => {
  const { page, violations } = appDevice;
  const ran = await page.evaluate(async () => {
    const w = window as unknown as { __injected?: string; __injectedScript?: boolean };
    // What an injection bug would insert: an inline handler and an inline script.
    const image = document.createElement('img');
    image.setAttribute('onerror', 'window.__injected = "handler"');
    const failed = new Promise((resolve) => image.addEventListener('error', resolve));
    image.src = 'data:,not-an-image';
    document.body.append(image);
    const script = document.createElement('script');
    script.textContent = 'window.__injectedScript = true';
    document.body.append(script);
    await failed; // the inline handler, had it been allowed, ran before this listener
    return [w.__injected ?? null, w.__injectedScript ?? null];
  });
  expect(ran).toEqual([null, null]);
  await expect.poll(() => violations.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
});

test('another site cannot frame the app', async () => {
  const { page, violations } = await device();
  await page.goto(`${other.url}/`);
  await expect
    .poll(() => violations.some((v) => v.includes('frame-ancestors')), { timeout: 10_000 })
    .toBe(true);
  const framed = page.frames().find((frame) => frame !== page.mainFrame());
  expect(framed?.url()).not.toBe(`${app.url}/`);
});
