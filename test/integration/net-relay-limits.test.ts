// The relay's per-address and per-peer limits, attacked over real WebSockets on loopback. The
// clients bind distinct loopback source addresses (127.0.0.2, 127.0.0.3, ...: all of 127/8
// is this machine), so one relay sees several hosts: one host cannot take every reservation or
// connection, a reservation does not outlive its peer's connection, one peer id holds at most
// two connections (a new one replacing its oldest), and discovery announcements are forwarded
// within a rate.
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2';
import { publicKeyToProtobuf } from '@libp2p/crypto/keys';
import { identify } from '@libp2p/identify';
import type { Connection } from '@libp2p/interface';
import { webSockets } from '@libp2p/websockets';
import { multiaddr } from '@multiformats/multiaddr';
import { createLibp2p, type Libp2p } from 'libp2p';
import { afterEach, expect, test } from 'vitest';
import { encodeAnnouncement } from '../../src/lib/net/discovery-guard';
import { gossipService } from '../../src/lib/net/gossip-config';
import { DISCOVERY_TOPIC } from '../../src/lib/net/message-types';
import { startRelay, type Relay, type RelayOptions } from '../../src/relay/relay';
import { CHAIN_ID, waitFor } from './support/net-fixtures';

const stops: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop().catch(() => undefined)));
});

async function relay(options: Partial<RelayOptions> = {}): Promise<Relay> {
  const started = await startRelay({ listen: ['/ip4/127.0.0.1/tcp/0/ws'], ...options });
  stops.push(() => started.stop());
  return started;
}

/**
 * A client from `sourceIp` as a tab is one: WebSockets to the relay, a circuit-relay listener
 * (so it asks for a reservation as soon as it is connected), gossipsub.
 */
async function client(sourceIp: string) {
  const node = await createLibp2p({
    addresses: { listen: ['/p2p-circuit'] },
    transports: [webSockets({ websocket: { localAddress: sourceIp } }), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: { denyDialMultiaddr: () => false },
    services: { identify: identify(), pubsub: gossipService([CHAIN_ID]) },
  });
  stops.push(async () => node.stop());
  return node;
}

const reserved = (node: Libp2p) =>
  node.getMultiaddrs().some((a) => a.toString().includes('/p2p-circuit'));

test('one address cannot take every reservation, and a reservation ends with its connection', async () => {
  const relayNode = await relay({ limits: { reservationsPerAddressMax: 2 } });
  const address = multiaddr(relayNode.multiaddrs()[0]!);
  const fromOne = [];
  for (let i = 0; i < 3; i += 1) {
    const node = await client('127.0.0.2');
    await node.dial(address);
    fromOne.push(node);
    if (i < 2) await waitFor(`reservation ${i + 1}`, () => reserved(node));
  }
  await waitFor(
    'the third refused',
    () => relayNode.stats().refused['reservations-per-address'] >= 1,
  );
  expect(reserved(fromOne[2]!)).toBe(false);
  // Another host is not affected.
  const other = await client('127.0.0.3');
  await other.dial(address);
  await waitFor('a reservation from another address', () => reserved(other));
  const byAddress = (key: string) =>
    relayNode.stats().reservations.filter((r) => r.address === key).length;
  expect([byAddress('127.0.0.2'), byAddress('127.0.0.3')]).toEqual([2, 1]);
  // A peer that leaves takes its reservation with it (not after the two-hour TTL): its place
  // on the first address is free for a newcomer.
  await fromOne[0]!.stop();
  await waitFor('the reservation dropped', () => byAddress('127.0.0.2') === 1);
  const newcomer = await client('127.0.0.2');
  await newcomer.dial(address);
  await waitFor('the newcomer reserved', () => reserved(newcomer));
}, 30_000);

test('one address cannot take every connection', async () => {
  const relayNode = await relay({ limits: { connectionsPerAddressMax: 3 } });
  const address = multiaddr(relayNode.multiaddrs()[0]!);
  for (let i = 0; i < 5; i += 1) {
    const node = await client('127.0.0.4');
    await node.dial(address).catch(() => undefined);
  }
  const other = await client('127.0.0.5');
  await other.dial(address);
  await waitFor('two refused, the other address served', () => {
    const stats = relayNode.stats();
    return (
      stats.refused['connections-per-address'] >= 2 && stats.connectionsByAddress['127.0.0.5'] === 1
    );
  });
  expect(relayNode.stats().connectionsByAddress['127.0.0.4']).toBe(3);
}, 30_000);

test('one peer id holds at most two connections: a new one replaces its oldest', async () => {
  const relayNode = await relay({ limits: { connectionsPerPeerMax: 2 } });
  const address = multiaddr(relayNode.multiaddrs()[0]!);
  const node = await client('127.0.0.8');
  // force: a new connection each time, though one is open already (as a device back on a new
  // network would, its old connections not yet seen dead by the relay).
  const dialed: Connection[] = [];
  for (let i = 0; i < 4; i += 1) dialed.push(await node.dial(address, { force: true }));
  await waitFor('two replaced, two held', () => {
    const stats = relayNode.stats();
    return stats.replacedConnections >= 2 && relayNode.connectionCount() === 2;
  });
  // The newest is the one kept: the key holder is never locked out by what it left behind.
  const newest = dialed.at(-1)!;
  expect(newest.status).toBe('open');
  await waitFor('the oldest closed', () => dialed[0]!.status === 'closed');
  expect(relayNode.node.getConnections().map((c) => c.status)).toEqual(['open', 'open']);
}, 30_000);

test('discovery is forwarded within a rate per sending peer', async () => {
  const relayNode = await relay({ discoverySourceRate: { burst: 3, perSecond: 0.001 } });
  const address = multiaddr(relayNode.multiaddrs()[0]!);
  const listener = await client('127.0.0.6');
  listener.services.pubsub.subscribe(DISCOVERY_TOPIC);
  await listener.dial(address);
  const flooder = await client('127.0.0.7');
  await flooder.dial(address);
  const flooderId = flooder.peerId.toString();
  let heard = 0;
  listener.services.pubsub.addEventListener('message', (event) => {
    if (event.detail.type === 'signed' && event.detail.from.toString() === flooderId) heard += 1;
  });
  await waitFor(
    'the listener in the relay mesh, the relay a topic peer of the flooder',
    () =>
      relayNode.stats().discoveryMeshPeers >= 1 &&
      flooder.services.pubsub.getSubscribers(DISCOVERY_TOPIC).length >= 1,
  );
  // The flooder announces itself (the sender check passes), 30 times in a row.
  const selfAnnouncement = encodeAnnouncement({
    publicKey: publicKeyToProtobuf(flooder.peerId.publicKey!),
    addresses: [],
  });
  for (let i = 0; i < 30; i += 1) {
    await flooder.services.pubsub.publish(DISCOVERY_TOPIC, selfAnnouncement);
  }
  await waitFor('the relay judged all 30', () => {
    const { accepted, ignored } = relayNode.stats().discovery;
    return accepted + Object.values(ignored).reduce((a, b) => a + b, 0) >= 30;
  });
  const { accepted, ignored } = relayNode.stats().discovery;
  expect(accepted).toBe(3);
  expect(ignored['discovery-source-rate']).toBe(27);
  await waitFor('the forwarded ones heard', () => heard === accepted);
}, 30_000);
