// A validator in a background tab keeps its consensus timing (issue #6). Chromium throttles the
// timers of hidden pages (chained timeouts wake at most once a second, once a minute after five
// minutes hidden), so the node schedules consensus timeouts in a dedicated Worker
// (src/lib/node/worker-timers.ts). These tests hide a real tab — headful Chromium on a virtual X
// display, the page behind another tab of the same window — and race the two kinds of timer in
// it: the main thread's must be throttled (the condition bites) while the Worker's keep pace.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { launchHeadfulChromium, type HeadfulChromium } from './support/chromium';
import { startHarnessServer, type HarnessServer } from './support/harness-server';
import { startXvfb, type VirtualDisplay } from './support/xvfb';
import type { RaceCounts } from './pages/hidden-tab';

/** How long each race runs: several of Chromium's 1 s wake-ups of a hidden page. */
const RACE_WINDOW_MS = 4_000;
const TIMER_DELAY_MS = 50;
const HEARTBEAT_MS = 100;
/** The page's module graph goes through Vite on first load; slow on a busy machine. */
const PAGE_LOAD_TIMEOUT_MS = 90_000;

let server: HarnessServer;
let display: VirtualDisplay;
let chromium: HeadfulChromium;
/** The page under test, and the tab that covers it when brought to the front. */
let page: Page;
let cover: Page;

beforeAll(async () => {
  server = await startHarnessServer();
  display = await startXvfb();
  chromium = await launchHeadfulChromium(display.display);
  page = chromium.context.pages()[0] ?? (await chromium.context.newPage());
  // What went wrong if the page never loads (a module that fails to load throws no pageerror).
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
  page.on('response', (response) => {
    if (response.status() >= 400) pageErrors.push(`${response.status()} ${response.url()}`);
  });
  await page.goto(`${server.url}/hidden-tab.html`);
  // Poll on a timer, not on animation frames: a tab not (yet) shown draws no frames.
  await page
    .waitForFunction(() => window.hiddenTab, undefined, {
      timeout: PAGE_LOAD_TIMEOUT_MS,
      polling: 250,
    })
    .catch((error: unknown) => {
      throw new Error(`hidden-tab.html did not load (page errors: ${pageErrors.join('; ')})`, {
        cause: error,
      });
    });
  cover = await chromium.context.newPage();
  await cover.goto('about:blank');
});

afterAll(async () => {
  await chromium?.close();
  await display?.close();
  await server?.close();
});

async function show(front: Page, state: DocumentVisibilityState): Promise<void> {
  await front.bringToFront();
  await expect
    .poll(() => page.evaluate(() => window.hiddenTab.visibility()), { timeout: 10_000 })
    .toBe(state);
}

async function race(start: () => Promise<void>): Promise<RaceCounts> {
  await start();
  await new Promise((resolve) => setTimeout(resolve, RACE_WINDOW_MS));
  const counts = await page.evaluate(() => window.hiddenTab.stopRace());
  console.log(`hidden-tab race: ${JSON.stringify(counts)}`);
  return counts;
}

test('in a hidden tab main-thread timers are throttled and the Worker timers keep pace', async () => {
  await show(cover, 'hidden');
  const hidden = await race(() =>
    page.evaluate((delayMs) => window.hiddenTab.startTimerRace(delayMs), TIMER_DELAY_MS),
  );
  // The page stayed hidden the whole race.
  expect(hidden.visibility).toEqual(['hidden']);
  const nominal = hidden.elapsedMs / TIMER_DELAY_MS;
  // The condition bites: the main-thread chain fired at a fraction of its nominal rate.
  expect(hidden.mainThread).toBeLessThan(nominal / 4);
  // The Worker's chain did not: near its nominal rate, many times the main thread's.
  expect(hidden.worker).toBeGreaterThan(nominal / 4);
  expect(hidden.worker).toBeGreaterThanOrEqual(5 * Math.max(hidden.mainThread, 1));

  // Control: the same page in front runs both chains alike, so the gap above is the hiding.
  await show(page, 'visible');
  const visible = await race(() =>
    page.evaluate((delayMs) => window.hiddenTab.startTimerRace(delayMs), TIMER_DELAY_MS),
  );
  expect(visible.visibility).toEqual(['visible']);
  expect(visible.mainThread).toBeGreaterThanOrEqual(visible.worker / 2);
});

test('a validator in a hidden tab keeps committing on Worker timers', async () => {
  await show(cover, 'hidden');
  // Two single-validator ledgers in the hidden page, idle but for a heartbeat every 100 ms
  // (a consensus timeout: each firing commits an empty block); one on each kind of timer.
  const heights = await race(() =>
    page.evaluate((heartbeatMs) => window.hiddenTab.startValidatorRace(heartbeatMs), HEARTBEAT_MS),
  );
  expect(heights.visibility).toEqual(['hidden']);
  expect(heights.worker).toBeGreaterThanOrEqual(3 * Math.max(heights.mainThread, 1));
  expect(heights.worker).toBeGreaterThan(heights.elapsedMs / HEARTBEAT_MS / 4);
});
