// Four devices (browser contexts) form one ledger over a real relay and direct WebRTC: A creates
// it, B, C and D join from A's invite link, sync, ask to join, and are approved by more than 2/3
// of the validators' power; then a transfer and a record from B commit identically everywhere.
// Driven through the node's public API (test/browser/pages/node.ts); the UI has its own tests.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, newDevice } from './support/chromium';
import { startHarnessServer, type HarnessServer } from './support/harness-server';
import {
  freePort,
  relayKeyFile,
  startRelayProcess,
  type RelayProcess,
} from './support/relay-process';

const STEP_TIMEOUT_MS = 90_000;

let browser: Browser;
let server: HarnessServer;
let relay: RelayProcess;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  relay = await startRelayProcess(await freePort(), relayKeyFile());
  server = await startHarnessServer({ relays: relay.multiaddrs });
  browser = await launchChromium();
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await server?.close();
  await relay?.kill();
});

async function device(): Promise<Page> {
  const context = await newDevice(browser);
  contexts.push(context);
  const page = await context.newPage();
  // Page errors are printed to help diagnose a failure; the assertions are on ledger state.
  page.on('console', (message) => {
    if (message.type() === 'error') console.log(`page error: ${message.text()}`);
  });
  await page.goto(`${server.url}/node.html`);
  await page.waitForFunction(() => window.ledger !== undefined);
  return page;
}

async function until<T>(
  label: string,
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = STEP_TIMEOUT_MS,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null && value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out: ${label}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const status = (page: Page, chainId: string) =>
  page.evaluate((id) => window.ledger.status(id), chainId);

async function committed(page: Page, chainId: string, hash: string): Promise<number> {
  return until(`tx ${hash.slice(0, 8)} committed`, async () => {
    const entries = await page.evaluate((id) => window.ledger.activity(id), chainId);
    const entry = entries.find((e) => e.hash === hash);
    if (entry?.status === 'rejected') throw new Error(`tx rejected: ${entry.code}`);
    return entry?.status === 'committed' ? entry.height : null;
  });
}

test('four devices join one ledger by invite and approval, then agree on every block', async () => {
  const a = await device();
  const chainId = await a.evaluate(() => window.ledger.create('four devices', 1_000_000));
  const link = await a.evaluate((id) => window.ledger.invite(id), chainId);
  const members: Page[] = [a];

  for (const label of ['B', 'C', 'D']) {
    const page = await device();
    expect(await page.evaluate((invite) => window.ledger.join(invite), link)).toBe(chainId);
    const publicKey = (await status(page, chainId)).fingerprint;
    await page.evaluate(([id, name]) => window.ledger.requestToJoin(id!, name!), [chainId, label]);

    // Every current validator approves on its own device until the change applies.
    for (const member of members) {
      const request = await until(`${label}'s join request reaches a validator`, async () => {
        const requests = await member.evaluate((id) => window.ledger.joinRequests(id), chainId);
        return requests.find((r) => r.publicKey.startsWith(publicKey));
      });
      if (request.approvedByMe) continue;
      const activity = await member.evaluate(
        ([id, key]) => window.ledger.approve(id!, key!),
        [chainId, request.publicKey],
      );
      await committed(member, chainId, activity.hash);
    }
    await until(`${label} becomes a validator`, async () => {
      const role = (await status(page, chainId)).role;
      return role === 'validator' ? role : null;
    });
    members.push(page);
  }

  for (const page of members) {
    const validators = await page.evaluate((id) => window.ledger.validators(id), chainId);
    expect(validators).toHaveLength(4);
    const peers = await until('a direct WebRTC peer', async () => {
      const list = await page.evaluate((id) => window.ledger.peers(id), chainId);
      return list.some((peer) => peer.transport === 'webrtc') ? list : null;
    });
    expect(peers.length).toBeGreaterThan(0);
  }

  // B needs funds: A sends some; then B transfers to C and writes a record.
  const [, b, c] = members as [Page, Page, Page, Page];
  const bAddress = await b.evaluate(() => window.ledger.address());
  const cAddress = await c.evaluate(() => window.ledger.address());
  const funding = await a.evaluate(
    ([id, to]) => window.ledger.transfer(id!, to!, 500),
    [chainId, bAddress],
  );
  await committed(a, chainId, funding.hash);
  const transfer = await b.evaluate(
    ([id, to]) => window.ledger.transfer(id!, to!, 123),
    [chainId, cAddress],
  );
  const record = await b.evaluate(
    (id) => window.ledger.putRecord(id, 'greeting', 'hello'),
    chainId,
  );
  await committed(b, chainId, transfer.hash);
  const height = await committed(b, chainId, record.hash);

  const views = await Promise.all(
    members.map(async (page) => {
      await until('the block reaches every device', async () =>
        (await status(page, chainId)).height >= height ? true : null,
      );
      return page.evaluate(
        async ([id, h, to]) => ({
          hash: (await window.ledger.block(id!, Number(h)))?.hash,
          balance: await window.ledger.balance(id!, to!),
          records: await window.ledger.records(id!, ''),
        }),
        [chainId, String(height), cAddress],
      );
    }),
  );
  expect(new Set(views.map((view) => view.hash)).size).toBe(1);
  for (const view of views) {
    expect(view.balance).toBe(123);
    expect(view.records).toContainEqual({ owner: bAddress, key: 'greeting', value: 'hello' });
  }
});
