// The IndexedDB store in real Chromium: the shared conformance suite, two tabs of one profile
// racing over the same 200 blocks, a tab closed in the middle of a stream of block commits, a
// full disk (real QuotaExceededError via a CDP quota override), and the device key across a
// reload. Pages: test/browser/pages/store.{html,ts}.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { encodeBlock, encodeCommit, encodeGenesis, toHex } from '../../src/lib/core/index';
import { TestChain } from '../support/fixtures';
import { replay } from '../support/store-chain';
import { storeConformanceCases } from '../support/store-conformance';
import type { CaseResult, StoreWindow, WireChain } from './pages/store-api';
import { launchChromium } from './support/chromium';
import { openPage, stableContext, warmUp } from './support/store-pages';
import { startHarnessServer, type HarnessServer } from './support/harness-server';

const BLOCKS = 200;
const TXS_PER_BLOCK = 5;

let browser: Browser;
let server: HarnessServer;
let wire: WireChain;
let chainId: string;
/** rootsHex[h - 1]: the state root after block h. */
let rootsHex: string[];

function storePage(context: BrowserContext): Promise<Page> {
  return openPage(context, `${server.url}/store.html`, 'storeApi');
}

function evaluate<T, A>(
  page: Page,
  fn: (w: StoreWindow, arg: A) => Promise<T> | T,
  arg: A,
): Promise<T> {
  return page.evaluate(
    ([source, value]) => {
      const run = new Function(`return (${source})`)() as (w: unknown, a: unknown) => unknown;
      return run(globalThis, value);
    },
    [fn.toString(), arg] as const,
  ) as Promise<T>;
}

beforeAll(async () => {
  const chain = await TestChain.create({ validators: 4, accounts: 4 });
  const accounts = chain.accounts;
  await chain.addBlocks(BLOCKS, async (i) =>
    Promise.all(
      Array.from({ length: TXS_PER_BLOCK }, (_, j) =>
        chain.transfer(accounts[(i + j) % 4]!, accounts[(i + j + 1) % 4]!, 1 + j),
      ),
    ),
  );
  const { entries } = await replay(chain);
  chainId = chain.chainId;
  rootsHex = entries.map((entry) => toHex(entry.changes.stateRoot));
  wire = {
    genesisHex: toHex(encodeGenesis(chain.genesis)),
    blocksHex: chain.blocks.map((block) => toHex(encodeBlock(block))),
    commitsHex: chain.commits.map((commit) => toHex(encodeCommit(commit))),
  };
  server = await startHarnessServer();
  browser = await launchChromium();
  const warm = await browser.newContext();
  await warmUp(warm, `${server.url}/store.html`, 'storeApi');
  await warm.close();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('store conformance in Chromium (IndexedDB)', () => {
  let results: CaseResult[] = [];
  beforeAll(async () => {
    const context = await stableContext(browser);
    const page = await storePage(context);
    results = await evaluate(page, (w) => w.storeApi.runConformance(), null);
    await context.close();
  });
  const names = storeConformanceCases({
    freshLedger: () => Promise.reject(new Error('names only')),
    freshDevice: () => Promise.reject(new Error('names only')),
  }).map((item) => item.name);
  test.each(names)('%s', (name) => {
    const result = results.find((r) => r.name === name);
    expect(result?.error).toBeUndefined();
    expect(result?.ok).toBe(true);
  });
});

test('two tabs of one profile apply the same 200 blocks concurrently: each once, one chain', async () => {
  const context = await stableContext(browser);
  const [a, b] = await Promise.all([storePage(context), storePage(context)]);
  await Promise.all([a, b].map((page) => evaluate(page, (w, c) => w.storeApi.prepare(c), wire)));
  const [fromA, fromB] = await Promise.all([
    evaluate(a, (w) => w.storeApi.applyAll(), null),
    evaluate(b, (w) => w.storeApi.applyAll(), null),
  ]);
  expect(fromA).toHaveLength(BLOCKS);
  for (let i = 0; i < BLOCKS; i++) {
    expect([fromA[i], fromB[i]].sort(), `block ${i + 1}`).toEqual(['already-applied', 'applied']);
  }
  const view = await evaluate(b, (w, id) => w.storeApi.inspect(id), chainId);
  expect(view).toMatchObject({
    headHeight: BLOCKS,
    stateHeight: BLOCKS,
    stateRootHex: rootsHex[BLOCKS - 1],
    recomputedRootHex: rootsHex[BLOCKS - 1],
    linked: true,
    nothingAboveHead: true,
  });
  await context.close();
});

test('a tab closed in the middle of block commits leaves a consistent head, chain and state', async () => {
  const context = await stableContext(browser);
  const writer = await storePage(context);
  await evaluate(writer, (w, c) => w.storeApi.prepare(c), wire);
  // Paced (10 ms between blocks) so the close lands well inside the stream.
  await evaluate(writer, (w, pauseMs) => w.storeApi.startStream(pauseMs), 10);
  await writer.waitForFunction(() => (globalThis as unknown as StoreWindow).storeProgress >= 60);
  await writer.close();

  const reader = await storePage(context);
  const view = await evaluate(reader, (w, id) => w.storeApi.inspect(id), chainId);
  expect(view.headHeight).toBeGreaterThanOrEqual(60);
  expect(view.headHeight).toBeLessThan(BLOCKS);
  expect(view).toMatchObject({
    stateHeight: view.headHeight,
    stateRootHex: rootsHex[view.headHeight - 1],
    recomputedRootHex: rootsHex[view.headHeight - 1],
    linked: true,
    nothingAboveHead: true,
  });
  // The reopened tab continues from the head to the end of the chain.
  await evaluate(reader, (w, c) => w.storeApi.prepare(c), wire);
  const outcomes = await evaluate(reader, (w) => w.storeApi.applyAll(), null);
  expect(outcomes.indexOf('applied')).toBe(view.headHeight);
  const final = await evaluate(reader, (w, id) => w.storeApi.inspect(id), chainId);
  expect(final).toMatchObject({ headHeight: BLOCKS, recomputedRootHex: rootsHex[BLOCKS - 1] });
  await context.close();
});

test('a full disk is a StorageFullError that keeps the store consistent and usable', async () => {
  const context = await stableContext(browser);
  const page = await storePage(context);
  await evaluate(page, (w, c) => w.storeApi.prepare(c), wire);
  // Room for the genesis and part of the chain only (~1 MB): a real QuotaExceededError from
  // Chromium. The override must come before the origin first touches IndexedDB (Chromium caches
  // the space left per storage bucket).
  const cdp = await context.newCDPSession(page);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: server.url, quotaSize: 400 * 1024 });
  const full = await evaluate(page, (w) => w.storeApi.applyUntilFull(), null);
  expect(full.errorName).toBe('StorageFullError');
  const view = await evaluate(page, (w, id) => w.storeApi.inspect(id), chainId);
  expect(view.headHeight).toBe(full.height - 1);
  expect(view).toMatchObject({
    recomputedRootHex: view.headHeight === 0 ? view.stateRootHex : rootsHex[view.headHeight - 1],
    linked: true,
    nothingAboveHead: true,
  });
  // Space again: the same store goes on from where it stopped.
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: server.url });
  await evaluate(page, (w) => w.storeApi.applyAll(), null);
  const final = await evaluate(page, (w, id) => w.storeApi.inspect(id), chainId);
  expect(final).toMatchObject({ headHeight: BLOCKS, recomputedRootHex: rootsHex[BLOCKS - 1] });
  await context.close();
});

test('the device key survives a reload, still signs, and its private bytes stay unreadable', async () => {
  const context = await stableContext(browser);
  const page = await storePage(context);
  const created = await evaluate(page, (w) => w.storeApi.createDeviceKey(), null);
  expect(created.verified).toBe(true);
  await page.reload();
  await page.waitForFunction(() => 'storeApi' in globalThis);
  const reloaded = await evaluate(page, (w) => w.storeApi.useDeviceKey(), null);
  expect(reloaded.publicKeyHex).toBe(created.publicKeyHex);
  expect(reloaded.verified).toBe(true);
  expect(reloaded.exportErrors).toEqual([
    'InvalidAccessError',
    'InvalidAccessError',
    'InvalidAccessError',
  ]);
  await context.close();
});
