// Five libp2p peers on loopback TCP: every message type published by one peer reaches all the
// others through gossipsub, with its type, payload and author intact.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Libp2pNetwork } from '../../src/lib/net/libp2p-network';
import { PAYLOAD_BYTES_MAX } from '../../src/lib/net/limits';
import { MESSAGE_TYPES, type MessageType } from '../../src/lib/net/message-types';
import type { InboundMessage } from '../../src/lib/net/network';
import { CHAIN_ID, startMesh, stopAll, waitFor, waitForTopicPeers } from './support/net-fixtures';

let networks: Libp2pNetwork[] = [];

beforeAll(async () => {
  networks = await startMesh(CHAIN_ID, [{}, {}, {}, {}, {}]);
  await waitForTopicPeers(CHAIN_ID, networks);
});

afterAll(async () => {
  await stopAll(networks);
});

test('every message type published by one peer is delivered to all the others', async () => {
  const received = networks.map(() => [] as InboundMessage[]);
  networks.forEach((network, index) => {
    for (const type of MESSAGE_TYPES) {
      network.subscribe(type, (message) => received[index]?.push(message));
    }
  });
  const publisher = networks[2] as Libp2pNetwork;
  const payloadOf = (type: MessageType) => new TextEncoder().encode(`payload of ${type}`);
  for (const type of MESSAGE_TYPES) await publisher.publish(type, payloadOf(type));

  const others = received.filter((_, index) => index !== 2);
  await waitFor('delivery to every peer', () =>
    others.every((messages) => messages.length >= MESSAGE_TYPES.length),
  );
  for (const messages of others) {
    expect(messages.map((m) => m.type).sort()).toEqual([...MESSAGE_TYPES].sort());
    for (const message of messages) {
      expect(message.from).toBe(publisher.peerId);
      expect(new TextDecoder().decode(message.payload)).toBe(`payload of ${message.type}`);
    }
  }
  // The publisher does not hear its own messages.
  expect(received[2]).toEqual([]);
  for (const network of networks) {
    expect(network.validationStats().rejected).toEqual({});
  }
});

test('a proposal of the largest allowed size is delivered', async () => {
  const inbox: InboundMessage[] = [];
  networks[4]!.subscribe('proposal', (message) => inbox.push(message));
  const payload = new Uint8Array(PAYLOAD_BYTES_MAX.proposal).map((_, i) => i & 0xff);
  await networks[0]!.publish('proposal', payload);
  await waitFor('the big proposal', () => inbox.length === 1);
  expect(inbox[0]!.payload).toEqual(payload);
});

test('the peer list reports each connection with its transport and sync status', async () => {
  await waitFor('status exchange', () =>
    networks.every((n) => n.peers().filter((p) => p.status !== null).length === 4),
  );
  for (const network of networks) {
    const peers = network.peers();
    expect(peers).toHaveLength(4);
    for (const peer of peers) {
      expect(peer.transports).toContain('tcp');
      expect(peer.status).toMatchObject({ chainId: CHAIN_ID, height: 0 });
    }
  }
});
