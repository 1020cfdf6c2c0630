// The tab's full node in real Chromium: IndexedDB, Web Locks, BroadcastChannel, Worker timers.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, newDevice } from './support/chromium';
import { startHarnessServer, type HarnessServer } from './support/harness-server';
import {
  freePort,
  relayKeyFile,
  startRelayProcess,
  type RelayProcess,
} from './support/relay-process';

let browser: Browser;
let server: HarnessServer;
// Tabs of one profile also meet over the network (through the relay, then WebRTC), so each
// sees the other's votes: a double-sign at the hand-over would become evidence.
let relay: RelayProcess;

beforeAll(async () => {
  relay = await startRelayProcess(await freePort(), relayKeyFile());
  server = await startHarnessServer({ relays: relay.multiaddrs });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await relay?.kill();
});

async function openNodePage(page: Page): Promise<void> {
  await page.goto(`${server.url}/node.html`);
  await page.waitForFunction(() => window.ledger !== undefined);
}

/** Polls `probe` in the page until it returns a non-null value (bounded). */
async function poll<T>(page: Page, probe: () => Promise<T | null>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting in the page');
    await page.waitForTimeout(100);
  }
}

function waitForCommitted(page: Page, chainId: string, hash: string): Promise<number> {
  return poll(page, async () => {
    const entries = await page.evaluate((id) => window.ledger.activity(id), chainId);
    const entry = entries.find((e) => e.hash === hash);
    return entry?.status === 'committed' ? entry.height : null;
  });
}

test('a device creates a ledger and commits a transfer alone, and a reload keeps it', async () => {
  const context = await newDevice(browser);
  const page = await context.newPage();
  await openNodePage(page);
  const chainId = await page.evaluate(() => window.ledger.create('solo', 1_000));
  const recipient = 'ab'.repeat(20);
  const activity = await page.evaluate(
    ([id, to]) => window.ledger.transfer(id as string, to as string, 40),
    [chainId, recipient],
  );
  const height = await waitForCommitted(page, chainId, activity.hash);
  expect(height).toBeGreaterThanOrEqual(1);

  await page.reload();
  await page.waitForFunction(() => window.ledger !== undefined);
  const after = await page.evaluate(
    async ([id, to]) => ({
      status: await window.ledger.status(id as string),
      balance: await window.ledger.balance(id as string, to as string),
    }),
    [chainId, recipient],
  );
  expect(after.status.height).toBeGreaterThanOrEqual(height);
  expect(after.balance).toBe(40);
  await context.close();
});

test('two tabs: one validates; closing it hands the role over without a double-sign', async () => {
  const context = await newDevice(browser);
  const first = await context.newPage();
  await openNodePage(first);
  const chainId = await first.evaluate(() => window.ledger.create('two tabs', 1_000));
  expect((await first.evaluate((id) => window.ledger.status(id), chainId)).role).toBe('validator');

  const second = await context.newPage();
  await openNodePage(second);
  expect((await second.evaluate((id) => window.ledger.status(id), chainId)).role).toBe('standby');
  // The standby tab hears the validator's proposals and votes over WebRTC.
  await poll(
    second,
    async () => {
      const peers = await second.evaluate((id) => window.ledger.peers(id), chainId);
      return peers.some((peer) => peer.transport === 'webrtc') ? true : null;
    },
    90_000,
  );

  const one = await first.evaluate((id) => window.ledger.transfer(id, 'cd'.repeat(20), 1), chainId);
  await waitForCommitted(first, chainId, one.hash);
  const signedBefore = await first.evaluate((id) => window.ledger.signerState(id), chainId);
  expect(await first.evaluate((id) => window.ledger.evidenceSeen(id), chainId)).toEqual([]);

  await first.close();
  await poll(second, async () => {
    const status = await second.evaluate((id) => window.ledger.status(id), chainId);
    return status.role === 'validator' ? true : null;
  });
  const two = await second.evaluate(
    (id) => window.ledger.transfer(id, 'cd'.repeat(20), 2),
    chainId,
  );
  const height = await waitForCommitted(second, chainId, two.hash);
  const signedAfter = await second.evaluate((id) => window.ledger.signerState(id), chainId);
  expect(signedAfter!.height).toBeGreaterThan(signedBefore!.height);
  expect(height).toBeGreaterThan(signedBefore!.height);
  expect(await second.evaluate((id) => window.ledger.balance(id, 'cd'.repeat(20)), chainId)).toBe(
    3,
  );

  // No evidence against this device's validator: none in any committed block, none gossiped
  // or received by the tab that validates now (everything that enters its evidence pool).
  const accused = await second.evaluate(
    async ([id, top]) => {
      const validator = await window.ledger.address();
      const inBlocks = [];
      for (let height = 1; height <= Number(top); height++) {
        const block = await window.ledger.block(id!, height);
        if (!block) throw new Error(`block ${height} missing`);
        inBlocks.push(...block.evidence.filter((item) => item.validator === validator));
      }
      const seen = window.ledger.evidenceSeen(id!).filter((item) => item.validator === validator);
      return { inBlocks, seen };
    },
    [chainId, String(height)],
  );
  expect(accused).toEqual({ inBlocks: [], seen: [] });
  await context.close();
});
