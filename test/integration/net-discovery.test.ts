// Discovery under attack, with a real relay and Node peers on loopback: an announcement for a
// peer id its sender does not hold is refused by the relay and by nodes; a node dials an
// announced peer only at an address a ledger peer can have (WebRTC through its own relay, at
// the relay's configured address), never a foreign relay, a LAN or loopback host, or a DNS
// name; and it dials announced peers within its budget, however many are announced.
import { generateKeyPair, publicKeyToProtobuf } from '@libp2p/crypto/keys';
import type { PrivateKey } from '@libp2p/interface';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import { createServer, type Server } from 'node:net';
import { afterEach, expect, test } from 'vitest';
import { encodeAnnouncement } from '../../src/lib/net/discovery-guard';
import type { Libp2pNetwork } from '../../src/lib/net/libp2p-network';
import { createNodeLibp2p } from '../../src/lib/net/libp2p-node';
import { DISCOVERY_TOPIC } from '../../src/lib/net/message-types';
import { createNodeNetwork, type NodeNetworkOptions } from '../../src/lib/net/node-network';
import { startRelay, type Relay } from '../../src/relay/relay';
import { arraySource, CHAIN_ID, waitFor } from './support/net-fixtures';

const stops: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop().catch(() => undefined)));
});

/** `count` Ed25519 keys in the order of their peer ids (the smaller id dials the larger). */
async function keysByPeerId(count: number): Promise<PrivateKey[]> {
  const keys = await Promise.all(Array.from({ length: count }, () => generateKeyPair('Ed25519')));
  return keys.sort((a, b) => (a.publicKey.toString() < b.publicKey.toString() ? -1 : 1));
}

async function relay(): Promise<Relay> {
  // Every peer of this test connects from 127.0.0.1, and several at once.
  const started = await startRelay({
    listen: ['/ip4/127.0.0.1/tcp/0/ws'],
    limits: { newConnectionsPerAddressPerS: 100 },
  });
  stops.push(() => started.stop());
  return started;
}

async function honestNode(
  relayNode: Relay,
  privateKey: PrivateKey,
  options: Partial<NodeNetworkOptions> = {},
): Promise<Libp2pNetwork> {
  const network = await createNodeNetwork(
    {
      chainId: CHAIN_ID,
      relays: relayNode.multiaddrs(),
      discovery: true,
      privateKey,
      ...options,
    },
    { blocks: arraySource(CHAIN_ID, []) },
  );
  await network.start();
  stops.push(() => network.stop());
  return network;
}

/** A bare libp2p peer (no ledger network, no discovery module) that publishes what it likes. */
async function rogue(privateKey: PrivateKey, dial: Multiaddr[]) {
  const node = await createNodeLibp2p({
    chainIds: [CHAIN_ID],
    listen: ['/ip4/127.0.0.1/tcp/0'],
    privateKey,
  });
  await node.start();
  stops.push(async () => node.stop());
  for (const address of dial) await node.dial(address);
  return node;
}

/** A TCP port that counts who connects to it (a LAN host a page must not be made to dial). */
async function trap(): Promise<{ port: number; connections: () => number }> {
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stops.push(() => new Promise((resolve) => server.close(resolve)));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    connections: () => connections,
  };
}

type Rogue = Awaited<ReturnType<typeof rogue>>;

/**
 * Publish `data` on the discovery topic every 500 ms (as announcements repeat) until `done`:
 * the relay forwards only to its gossip mesh, which a newcomer joins within a heartbeat.
 */
async function announceUntil(from: Rogue, data: Uint8Array, what: string, done: () => boolean) {
  let lastMs = 0;
  await waitFor(what, () => {
    if (done()) return true;
    if (Date.now() - lastMs >= 500) {
      lastMs = Date.now();
      void from.services.pubsub.publish(DISCOVERY_TOPIC, data).catch(() => undefined);
    }
    return false;
  });
}

function announcement(key: PrivateKey, addresses: string[]): Uint8Array {
  return encodeAnnouncement({
    publicKey: publicKeyToProtobuf(key.publicKey),
    addresses: addresses.map((a) => multiaddr(a)),
  });
}

test('an announcement for a peer id its sender does not hold is refused by relay and node', async () => {
  const relayNode = await relay();
  const [honestKey, rogueKey, victimKey] = await keysByPeerId(3);
  const honest = await honestNode(relayNode, honestKey!);
  await waitFor('honest on the relay', () => honest.connectivity().discoveryPeers.length > 0);
  const liar = await rogue(rogueKey!, [
    multiaddr(relayNode.multiaddrs()[0]!),
    ...honest.node.getMultiaddrs(),
  ]);
  const victim = victimKey!.publicKey.toString();
  await waitFor(
    'the rogue sees the discovery topic',
    () => liar.services.pubsub.getSubscribers(DISCOVERY_TOPIC).length >= 2,
  );
  // Signed by the rogue's key, announcing the victim's (a real dialable form, via the relay).
  const forged = announcement(victimKey!, [`${relayNode.multiaddrs()[0]}/p2p-circuit/webrtc`]);
  await announceUntil(liar, forged, 'refused by the relay and by the node', () => {
    const atRelay = relayNode.stats().discovery.rejected['discovery-forged-sender'] ?? 0;
    const atNode = honest.validationStats().rejected['discovery-forged-sender'] ?? 0;
    return atRelay >= 1 && atNode >= 1;
  });
  expect(honest.connectivity().known.map((k) => k.id)).not.toContain(victim);
}, 30_000);

test('a node dials an announced peer only through its own relay, never a LAN host', async () => {
  const relayNode = await relay();
  const lan = await trap();
  const [honestKey, scannerKey, announcerKey] = await keysByPeerId(3);
  // Private addresses denied, as for a page whose relay is on the internet.
  const honest = await honestNode(relayNode, honestKey!, { privateAddresses: 'deny' });
  await waitFor('honest on the relay', () => honest.connectivity().discoveryPeers.length > 0);
  const ownRelay = relayNode.multiaddrs()[0]!;
  // One announces only a LAN host (by address and by name; a foreign relay there is refused
  // alike: test/unit/net/dial-policy.test.ts).
  const scanner = await rogue(scannerKey!, [multiaddr(ownRelay)]);
  const scan = announcement(scannerKey!, [
    `/ip4/127.0.0.1/tcp/${lan.port}/ws`,
    `/dns4/localhost/tcp/${lan.port}/ws`,
  ]);
  let scansHeard = 0;
  honest.node.services.pubsub.addEventListener('message', (event) => {
    const from = event.detail.type === 'signed' ? event.detail.from.toString() : '';
    if (event.detail.topic === DISCOVERY_TOPIC && from === scanner.peerId.toString()) scansHeard++;
  });
  await announceUntil(scanner, scan, 'the LAN announcement heard', () => scansHeard >= 1);
  // Another announces its own relay's circuit with a LAN host in front of the relay's id.
  const announcer = await rogue(announcerKey!, [multiaddr(ownRelay)]);
  const announcerId = announcer.peerId.toString();
  const legal = announcement(announcerKey!, [
    `/ip4/127.0.0.1/tcp/${lan.port}/ws/p2p/${relayNode.peerId}/p2p-circuit/webrtc`,
  ]);
  // The dial fails (a Node peer has no WebRTC): what matters is where it went.
  await announceUntil(announcer, legal, 'the legal announcement dialled', () =>
    honest.connectivity().known.some((k) => k.id === announcerId && k.lastError !== null),
  );
  expect(lan.connections()).toBe(0);
  const known = honest.connectivity().known;
  expect(known.map((k) => k.id)).not.toContain(scanner.peerId.toString());
  // Rebuilt on the configured relay address: the LAN host in the announcement is not used.
  expect(known.find((k) => k.id === announcerId)?.lastAddress).toBe(
    `${ownRelay}/p2p-circuit/webrtc/p2p/${announcerId}`,
  );
}, 30_000);

test('dials to announced peers stay within the budget however many are announced', async () => {
  const relayNode = await relay();
  const [honestKey, ...sybilKeys] = await keysByPeerId(7);
  const budget = { concurrentMax: 2, rate: { burst: 3, perSecond: 0.001 } };
  const honest = await honestNode(relayNode, honestKey!, { discoveryDials: budget });
  await waitFor('honest on the relay', () => honest.connectivity().discoveryPeers.length > 0);
  const sybils = await Promise.all(
    sybilKeys.map((key) => rogue(key, [multiaddr(relayNode.multiaddrs()[0]!)])),
  );
  const sybilIds = new Set(sybils.map((s) => s.peerId.toString()));
  for (const [i, sybil] of sybils.entries()) {
    // Its own key and its own TCP address (loopback: allowed, the relay is on loopback too).
    const data = announcement(
      sybilKeys[i]!,
      sybil.getMultiaddrs().map((a) => a.decapsulateCode(421).toString()),
    );
    const id = sybil.peerId.toString();
    await announceUntil(sybil, data, 'the sybil known', () =>
      honest.connectivity().known.some((k) => k.id === id),
    );
  }
  const connectedSybils = () => honest.peers().filter((p) => sybilIds.has(p.id)).length;
  await waitFor('every sybil known, three connected, the rest deferred', () => {
    const report = honest.connectivity();
    return (
      report.known.filter((k) => sybilIds.has(k.id)).length === sybils.length &&
      connectedSybils() === budget.rate.burst &&
      report.deferred.length === sybils.length - budget.rate.burst
    );
  });
  expect(connectedSybils()).toBe(budget.rate.burst);
}, 30_000);
