import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from './support/chromium';
import { startHarnessServer, type HarnessServer } from './support/harness-server';
import { BLOCK_TXS_MAX } from '../../src/lib/core/params';

let browser: Browser;
let server: HarnessServer;

beforeAll(async () => {
  server = await startHarnessServer();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

test('a harness page runs the project modules in real Chromium', async () => {
  const page = await browser.newPage();
  await page.goto(`${server.url}/smoke.html`);
  const smoke = await page.waitForFunction(() => window.smoke).then((h) => h.jsonValue());
  expect(smoke).toEqual({ blockTxsMax: BLOCK_TXS_MAX, hasIndexedDb: true, hasWebRtc: true });
});
