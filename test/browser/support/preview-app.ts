// The real SvelteKit app (Vite dev server) with the in-memory preview node injected, for UI
// tests written from what a person sees. One server and one Chromium per test file; each
// `openApp()` is a fresh device (browser context) with its own preview node.
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import type { NodeStatus } from '../../../src/lib/node/api';
import { launchChromium } from './chromium';
import { bundlePreviewNode, startAppServer, type AppServer } from './app-server';

/** Where the UI tests' page screenshots go, for review (UI_SCREENSHOT_DIR to change). */
export const SCREENSHOT_DIR = process.env.UI_SCREENSHOT_DIR ?? join(tmpdir(), 'ledger-ui-screens');
mkdirSync(SCREENSHOT_DIR, { recursive: true });

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1200, height: 900 };
/** Empty blocks each preview ledger starts with (more than one explorer page). */
export const INITIAL_BLOCKS = 24;
/** How long a UI change may take to appear (a cold dev server compiles routes on demand). */
export const POLL_TIMEOUT_MS = 20_000;
/** First page load on a cold dev server compiles the app; the machine may be busy. */
const WARM_UP_TIMEOUT_MS = 120_000;

export const poll = <T>(read: () => T | Promise<T>) =>
  expect.poll(read, { timeout: POLL_TIMEOUT_MS });

export interface PreviewDevice {
  context: BrowserContext;
  page: Page;
  /** Page errors and console errors: a test expects none. */
  errors: string[];
}

export interface PreviewApp {
  readonly url: string;
  open(viewport?: { width: number; height: number }): Promise<PreviewDevice>;
}

/** Registers the file's beforeAll/afterAll; the app is usable inside tests. */
export function usePreviewApp(): PreviewApp {
  let browser: Browser | undefined;
  let server: AppServer | undefined;
  let script = '';
  const contexts: BrowserContext[] = [];

  async function open(viewport = DESKTOP): Promise<PreviewDevice> {
    if (!browser) throw new Error('the browser is not started (use it inside a test)');
    const context = await browser.newContext({ viewport });
    contexts.push(context);
    await context.addInitScript((initialBlocks) => {
      // Commit only when the test says so, so "pending" is observable.
      window.__ledgerPreviewOptions = {
        commitDelayMs: null,
        startTimeMs: Date.now() - 60_000,
        initialBlocks,
      };
    }, INITIAL_BLOCKS);
    await context.addInitScript({ content: script });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    return { context, page, errors };
  }

  beforeAll(async () => {
    [server, script] = await Promise.all([startAppServer(), bundlePreviewNode()]);
    browser = await launchChromium();
    // Warm the dev server (dependency optimisation can reload a page on first visit).
    const warm = await open();
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
    for (const context of contexts.splice(0)) await context.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
  });

  return {
    get url() {
      if (!server) throw new Error('the app server is not started (use it inside a test)');
      return server.url;
    },
    open,
  };
}

/** Creates a ledger from the start page; returns its chain id (the page is on its Home). */
export async function createLedger(page: Page, url: string, name: string): Promise<string> {
  await page.goto(`${url}/`);
  await page.getByLabel('Ledger name').fill(name);
  await page.getByRole('button', { name: 'Create ledger' }).click();
  await page.waitForURL(/\/ledger\/[0-9a-f]{64}$/);
  await page.getByRole('heading', { name, level: 1 }).waitFor();
  return page.url().split('/').pop() ?? '';
}

export async function commitPending(page: Page): Promise<void> {
  await page.evaluate(() => window.__ledgerPreview?.commitPending());
}

export async function patchStatus(
  page: Page,
  chainId: string,
  change: Partial<NodeStatus>,
): Promise<void> {
  await page.evaluate(([id, patch]) => window.__ledgerPreview?.patchStatus(id, patch), [
    chainId,
    change,
  ] as const);
}

/** Goes to one of the ledger's pages through its navigation, as a person would. */
export async function goTo(page: Page, link: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Ledger' }).getByRole('link', { name: link }).click();
}

/** What is on screen (rendered text: closed details and hidden elements excluded). */
export async function visibleText(locator: Locator | Page): Promise<string> {
  const target = 'goto' in locator ? locator.locator('body') : locator;
  return target.evaluate((element) => (element as HTMLElement).innerText);
}

export async function hasNoHorizontalOverflow(page: Page): Promise<boolean> {
  return page.evaluate(
    () => document.documentElement.scrollWidth <= document.documentElement.clientWidth,
  );
}

/**
 * A message a person reads: a sentence (capital first, full stop last) with no raw code
 * ("record-not-found"), no exception name and no browser error text.
 */
export function expectSentence(text: string): void {
  const trimmed = text.trim();
  expect(trimmed, 'a sentence').toMatch(/^[A-Z“"].*[.?!]$/s);
  expect(trimmed, 'no raw code').not.toMatch(/\b[a-z]+(-[a-z]+)+\b/);
  expect(trimmed, 'no exception text').not.toMatch(/Error\b|atob|Failed to execute|undefined/);
}
