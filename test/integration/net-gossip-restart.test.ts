// A peer that restarts with the same id (the always-on peer after SIGKILL, a tab reloaded with its
// stored key) while the other side still holds its old connection: over WebRTC the death of
// that connection is noticed only tens of seconds later. gossipsub keeps its outbound stream to
// that id on the old connection and never opens one on the new, so without the repair in
// gossip-watchdog.ts the new incarnation hears nothing, and a validator restarted so never
// votes again with the others (seen as a halted ledger in the always-on peer test under load).
//
// Here the old incarnation is simply kept running (its connection stays open, as a dead one not
// yet noticed does), the new one connects with the same key, and the survivor publishes.
import { generateKeyPair } from '@libp2p/crypto/keys';
import type { PrivateKey } from '@libp2p/interface';
import { afterAll, expect, test } from 'vitest';
import { GOSSIP_REPAIR_INTERVAL_MS } from '../../src/lib/net/gossip-watchdog';
import type { Libp2pNetwork } from '../../src/lib/net/libp2p-network';
import type { InboundMessage } from '../../src/lib/net/network';
import { createNodeNetwork } from '../../src/lib/net/node-network';
import {
  arraySource,
  CHAIN_ID,
  startMesh,
  stopAll,
  waitFor,
  waitForTopicPeers,
} from './support/net-fixtures';

const started: Libp2pNetwork[] = [];
afterAll(async () => {
  await stopAll(started);
});

async function incarnation(privateKey: PrivateKey, survivor: Libp2pNetwork) {
  const network = await createNodeNetwork(
    {
      chainId: CHAIN_ID,
      privateKey,
      bootstrap: survivor.node.getMultiaddrs().map(String),
    },
    { blocks: arraySource(CHAIN_ID, []) },
  );
  await network.start();
  started.push(network);
  return network;
}

/** Publishes a vote every 200 ms until `heard` holds; resolves then, or rejects after 30 s. */
async function publishUntil(from: Libp2pNetwork, what: string, heard: () => boolean) {
  let sent = 0;
  const deadline = Date.now() + 30_000;
  while (!heard()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what} (${sent} published)`);
    await from.publish('vote', new TextEncoder().encode(`vote ${sent++}`));
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

test('a peer back with the same id, its old connection still open, hears gossip again', async () => {
  const [survivor] = (await startMesh(CHAIN_ID, [{}])) as [Libp2pNetwork];
  started.push(survivor);
  const key = await generateKeyPair('Ed25519');
  const first = await incarnation(key, survivor);
  await waitForTopicPeers(CHAIN_ID, [survivor, first]);
  const heardByFirst: InboundMessage[] = [];
  first.subscribe('vote', (message) => heardByFirst.push(message));
  await publishUntil(
    survivor,
    'the first incarnation hears the survivor',
    () => heardByFirst.length > 0,
  );
  expect(survivor.connectivity().gossipRepairs).toBe(0);

  // The restart: a second incarnation, same key, while the first's connection stays open.
  const second = await incarnation(key, survivor);
  const peerId = first.node.peerId;
  await waitFor(
    'the survivor holds both connections of that id',
    () => survivor.node.getConnections(peerId).length >= 2,
  );
  const heardBySecond: InboundMessage[] = [];
  second.subscribe('vote', (message) => heardBySecond.push(message));
  await publishUntil(
    survivor,
    'the restarted peer hears the survivor',
    () => heardBySecond.length > 0,
  );
  expect(survivor.connectivity().gossipRepairs).toBeGreaterThan(0);

  // The old connection ends at last (with its streams): the new one keeps hearing.
  await first.stop();
  await waitFor(
    'the old connection is gone',
    () => survivor.node.getConnections(peerId).length === 1,
  );
  await new Promise((resolve) => setTimeout(resolve, 2 * GOSSIP_REPAIR_INTERVAL_MS));
  const before = heardBySecond.length;
  await publishUntil(
    survivor,
    'the restarted peer still hears after the old one ended',
    () => heardBySecond.length >= before + 3,
  );
  // The restarted peer's own messages reach the survivor too.
  const heardBySurvivor: InboundMessage[] = [];
  survivor.subscribe('vote', (message) => heardBySurvivor.push(message));
  await publishUntil(
    second,
    'the survivor hears the restarted peer',
    () => heardBySurvivor.length > 0,
  );
});
