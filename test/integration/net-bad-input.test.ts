// Bad gossip at the edge: random bytes, truncated envelopes, oversized payloads, wrong chain,
// wrong topic, unknown types, replays and stale messages are refused with a reason, counted,
// never forwarded or delivered, lower the sender's gossipsub score, and leave the node working.
import { encode } from 'cborg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { encodeEnvelope } from '../../src/lib/net/envelope';
import type { Libp2pNetwork } from '../../src/lib/net/libp2p-network';
import {
  GOSSIP_MESSAGE_BYTES_MAX,
  GOSSIP_RPC_BYTES_MAX,
  VOTE_BYTES_MAX,
} from '../../src/lib/net/limits';
import { topicString, type TopicName } from '../../src/lib/net/message-types';
import type { InboundMessage, MessageValidator } from '../../src/lib/net/network';
import {
  CHAIN_ID,
  OTHER_CHAIN_ID,
  startMesh,
  stopAll,
  waitFor,
  waitForTopicPeers,
} from './support/net-fixtures';

/** Test payloads are a 4-byte height; anything below the window is a replayed old message. */
const HEIGHT_WINDOW_MIN = 10;
const heightValidator: MessageValidator = async (_type, payload) => {
  if (payload.byteLength < 4) return { result: 'accept' };
  const height = new DataView(payload.buffer, payload.byteOffset).getUint32(0);
  return height < HEIGHT_WINDOW_MIN
    ? { result: 'reject', reason: 'stale-height' }
    : { result: 'accept' };
};

function heightPayload(height: number, bytes = 8): Uint8Array {
  const payload = new Uint8Array(bytes);
  new DataView(payload.buffer).setUint32(0, height);
  return payload;
}

let networks: Libp2pNetwork[] = [];
let honestA: Libp2pNetwork;
let honestB: Libp2pNetwork;
let garbler: Libp2pNetwork;
let replayer: Libp2pNetwork;
let bloater: Libp2pNetwork;
const delivered: InboundMessage[][] = [[], []];

beforeAll(async () => {
  networks = await startMesh(CHAIN_ID, [
    { validator: heightValidator },
    { validator: heightValidator },
    {},
    {},
    {},
  ]);
  [honestA, honestB, garbler, replayer, bloater] = networks as [
    Libp2pNetwork,
    Libp2pNetwork,
    Libp2pNetwork,
    Libp2pNetwork,
    Libp2pNetwork,
  ];
  for (const [index, network] of [honestA, honestB].entries()) {
    for (const type of ['tx', 'vote', 'commit'] as const) {
      network.subscribe(type, (message) => delivered[index]?.push(message));
    }
  }
  await waitForTopicPeers(CHAIN_ID, networks);
});

afterAll(async () => {
  await stopAll(networks);
});

/** Publish raw bytes on one of the ledger's topics, bypassing the envelope encoder. */
async function publishRaw(from: Libp2pNetwork, topic: TopicName, bytes: Uint8Array) {
  await from.node.services.pubsub.publish(topicString(CHAIN_ID, topic), bytes);
}

function rejectedOf(network: Libp2pNetwork, reason: string): number {
  return network.validationStats().rejected[reason] ?? 0;
}

test('garbage envelopes are rejected with a reason and the sender loses score', async () => {
  const random = new Uint8Array(300).map((_, i) => (i * 7919 + 13) & 0xff);
  const valid = encodeEnvelope('tx', CHAIN_ID, heightPayload(50, 64));
  await publishRaw(garbler, 'tx', random);
  await publishRaw(garbler, 'tx', valid.subarray(0, valid.byteLength - 10));
  await publishRaw(
    garbler,
    'consensus',
    encode([1, 'vote', CHAIN_ID, new Uint8Array(VOTE_BYTES_MAX + 1)]),
  );
  await publishRaw(garbler, 'tx', encode([1, 'gossip', CHAIN_ID, new Uint8Array(8)]));
  await publishRaw(garbler, 'blocks', new Uint8Array(GOSSIP_MESSAGE_BYTES_MAX + 1));

  for (const network of [honestA, honestB]) {
    await waitFor('garbage counted', () => {
      const r = network.validationStats().rejected;
      return Object.values(r).reduce((a, b) => a + b, 0) >= 5;
    });
    expect(network.validationStats().rejected).toEqual({
      'envelope-malformed': 2,
      'envelope-payload-too-large': 1,
      'envelope-too-large': 1,
      'envelope-unknown-type': 1,
    });
    await waitFor('score below zero', () => network.gossipScore(garbler.peerId) < 0);
  }
  expect(delivered).toEqual([[], []]);
});

test('a gossip frame larger than the RPC limit is dropped before decoding', async () => {
  const before = [honestA, honestB].map((n) => n.validationStats());
  await publishRaw(bloater, 'blocks', new Uint8Array(GOSSIP_RPC_BYTES_MAX + 1));
  // gossipsub refuses the oversized RPC before any validator sees it (and drops that stream);
  // an honest message sent after it arrives, the big one never does.
  await honestB.publish('tx', heightPayload(77));
  await waitFor('later honest message', () =>
    delivered[0]!.some((m) => m.from === honestB.peerId && m.type === 'tx'),
  );
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(delivered.flat().filter((m) => m.from === bloater.peerId)).toEqual([]);
  expect(honestA.validationStats().rejected).toEqual(before[0]!.rejected);
  expect(honestB.validationStats().rejected).toEqual(before[1]!.rejected);
});

test('wrong chain, wrong topic, replays and stale messages are refused and counted', async () => {
  const vote = heightPayload(500);
  await honestA.publish('vote', vote);
  await waitFor('original vote at B', () => delivered[1]!.some((m) => m.type === 'vote'));

  // A replay: the same signed vote re-published by another peer in a new gossip message.
  await publishRaw(replayer, 'consensus', encodeEnvelope('vote', CHAIN_ID, vote));
  await publishRaw(replayer, 'tx', encodeEnvelope('tx', OTHER_CHAIN_ID, heightPayload(60)));
  await publishRaw(replayer, 'tx', encodeEnvelope('vote', CHAIN_ID, heightPayload(61)));
  await replayer.publish('commit', heightPayload(3));

  for (const network of [honestA, honestB]) {
    await waitFor('all refused', () => {
      const s = network.validationStats();
      return (s.ignored.duplicate ?? 0) >= 1 && rejectedOf(network, 'stale-height') >= 1;
    });
    expect(rejectedOf(network, 'wrong-chain')).toBe(1);
    expect(rejectedOf(network, 'wrong-topic')).toBe(1);
    expect(network.validationStats().ignored).toEqual({ duplicate: 1 });
    await waitFor('score below zero', () => network.gossipScore(replayer.peerId) < 0);
  }
  expect(delivered[1]!.filter((m) => m.type === 'vote')).toHaveLength(1);
  expect(delivered.flat().filter((m) => m.type === 'commit')).toEqual([]);
});

test('after all that the honest peers still exchange messages', async () => {
  await honestB.publish('commit', heightPayload(1_000));
  await waitFor('honest commit', () =>
    delivered[0]!.some((m) => m.type === 'commit' && m.from === honestB.peerId),
  );
  expect(honestA.gossipScore(honestB.peerId)).toBeGreaterThanOrEqual(0);
  expect(honestA.peers().map((p) => p.id)).toContain(honestB.peerId);
});
