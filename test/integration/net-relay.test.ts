// The relay as Node peers see it: peers that know only the relay discover each other through
// its pubsub discovery topic, connect directly and gossip; the relay itself never subscribes to
// a ledger topic.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Libp2pNetwork } from '../../src/lib/net/libp2p-network';
import { DISCOVERY_TOPIC } from '../../src/lib/net/message-types';
import type { InboundMessage } from '../../src/lib/net/network';
import { createNodeNetwork } from '../../src/lib/net/node-network';
import { startRelay, type Relay } from '../../src/relay/relay';
import { arraySource, CHAIN_ID, stopAll, waitFor } from './support/net-fixtures';

let relay: Relay;
const networks: Libp2pNetwork[] = [];

beforeAll(async () => {
  relay = await startRelay({ listen: ['/ip4/127.0.0.1/tcp/0/ws'] });
  for (let i = 0; i < 3; i += 1) {
    const network = await createNodeNetwork(
      { chainId: CHAIN_ID, relays: relay.multiaddrs(), discovery: true },
      { blocks: arraySource(CHAIN_ID, []) },
    );
    await network.start();
    networks.push(network);
  }
});

afterAll(async () => {
  await stopAll(networks);
  await relay?.stop();
});

test('peers that know only the relay find each other and connect directly', async () => {
  await waitFor(
    'direct connections between all peers',
    () =>
      networks.every(
        (n) =>
          n.peers().filter((p) => p.id !== relay.peerId && p.transports.includes('tcp')).length ===
          2,
      ),
    60_000,
  );
  for (const network of networks) {
    expect(network.peers().find((p) => p.id === relay.peerId)?.transports).toEqual(['websocket']);
  }
});

test('gossip flows between them and the relay joins no ledger topic', async () => {
  const inbox: InboundMessage[] = [];
  networks[2]!.subscribe('vote', (m) => inbox.push(m));
  await waitFor('vote delivered', () => {
    void networks[0]!.publish('vote', new Uint8Array([inbox.length, 1, 2]));
    return inbox.length > 0;
  });
  expect(relay.topics()).toEqual([DISCOVERY_TOPIC]);
  expect(relay.connectionCount()).toBe(3);
});
