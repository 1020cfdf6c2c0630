// Four devices (browser contexts) form one ledger over a real relay and direct WebRTC: A creates
// it, B, C and D join from A's invite link, sync, ask to join, and are approved by more than 2/3
// of the validators' power; each names the others in its peer list (their signed claims); then a
// transfer and a record from B commit identically everywhere.
// Driven through the node's public API (test/browser/pages/node.ts); the UI has its own tests.
import { expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { committed, formLedger, until, viewsAt } from './support/ledger-devices';
import { useLedgerWorld } from './support/ledger-world';

const world = useLedgerWorld();

test('four devices join one ledger by invite and approval, then agree on every block', async () => {
  const { chainId, members } = await formLedger(world.browser, world.server.url, world.contexts, 4);
  const [a] = members as [Page];

  for (const page of members) {
    const validators = await page.evaluate((id) => window.ledger.validators(id), chainId);
    expect(validators).toHaveLength(4);
    const self = await page.evaluate(() => window.ledger.address());
    // Over libp2p each peer proves which device it is (a signed claim in its sync status), so
    // the peer list names every other validator's device.
    const others = validators.map((v) => v.address).filter((address) => address !== self);
    const peers = await until('every other device named in the peer list', async () => {
      const list = await page.evaluate((id) => window.ledger.peers(id), chainId);
      const named = new Set(list.map((peer) => peer.address));
      return list.some((peer) => peer.transport === 'webrtc') && others.every((a) => named.has(a))
        ? list
        : null;
    });
    expect(peers.filter((peer) => peer.role === 'relay').map((peer) => peer.address)).toEqual([
      null,
    ]);
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

  const views = await viewsAt(members, chainId, height, cAddress);
  expect(new Set(views.map((view) => view.hash)).size).toBe(1);
  for (const view of views) {
    expect(view.balance).toBe(123);
    expect(view.records).toContainEqual({ owner: bAddress, key: 'greeting', value: 'hello' });
  }
});
