// Opening the store harness pages reliably. Vite's dev server may discover a dependency on the
// first page load (when its up-front scan could not see it) and then reload the page once;
// warmUp() loads a page until it stays put, so later pages never lose their state to a reload.
import type { Browser, BrowserContext, Page } from 'playwright-core';

const STABLE_MS = 1_500;
const RELOADS_MAX = 5;

export async function openPage(context: BrowserContext, url: string, ready: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForFunction((name) => name in globalThis, ready);
  return page;
}

/** Loads `url` in a throwaway page until no reload happens for STABLE_MS. */
export async function warmUp(context: BrowserContext, url: string, ready: string): Promise<void> {
  const page = await openPage(context, url, ready);
  let navigations = 0;
  page.on('framenavigated', () => navigations++);
  for (let seen = -1, round = 0; seen !== navigations && round < RELOADS_MAX; round++) {
    seen = navigations;
    await page.waitForTimeout(STABLE_MS);
    await page.waitForFunction((name) => name in globalThis, ready);
  }
  await page.close();
}

/**
 * A context whose pages never reload on their own: Vite's client (HMR) is replaced by an empty
 * module, so an edit anywhere in the tree during a long run cannot wipe a page's state.
 */
export async function stableContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext();
  await context.route(/\/@vite\/client(\?|$)/, (route) =>
    route.fulfill({ contentType: 'text/javascript', body: 'export {};' }),
  );
  return context;
}
