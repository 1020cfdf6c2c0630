// gossipsub settings shared by browser and Node nodes: peer scoring on, with per-topic
// parameters that punish invalid messages (what the edge validators report) and nothing that
// would punish an honest but quiet peer (validators can be idle for minutes).
import { gossipsub, type GossipsubOpts } from '@chainsafe/libp2p-gossipsub';
import type { RPC } from '@chainsafe/libp2p-gossipsub/message';
import { createPeerScoreParams, createTopicScoreParams } from '@chainsafe/libp2p-gossipsub/score';
import { toHex } from '../core/bytes';
import { GOSSIP_RPC_BYTES_MAX } from './limits';
import { DISCOVERY_TOPIC, TOPIC_NAMES, topicString } from './message-types';

/**
 * Score weight of invalid messages; the penalty is weight * count^2 with the count decaying
 * 10% a second, so a burst of 4 invalid messages crosses the gossip threshold (-10: no more
 * gossip to it) and 7 cross the graylist threshold (-80: its traffic is ignored).
 */
export const INVALID_MESSAGE_SCORE_WEIGHT = -2;

export function gossipOptions(chainIds: readonly string[]): Partial<GossipsubOpts> {
  const topics: Record<string, ReturnType<typeof createTopicScoreParams>> = {};
  for (const chainId of chainIds) {
    for (const name of TOPIC_NAMES) {
      topics[topicString(chainId, name)] = createTopicScoreParams({
        topicWeight: 1,
        timeInMeshWeight: 0.01,
        timeInMeshQuantum: 1_000,
        timeInMeshCap: 100,
        firstMessageDeliveriesWeight: 1,
        firstMessageDeliveriesDecay: 0.9,
        firstMessageDeliveriesCap: 50,
        // Quiet peers are normal here (no empty-block spam): no under-delivery penalty.
        meshMessageDeliveriesWeight: 0,
        meshFailurePenaltyWeight: 0,
        invalidMessageDeliveriesWeight: INVALID_MESSAGE_SCORE_WEIGHT,
        invalidMessageDeliveriesDecay: 0.9,
      });
    }
  }
  return {
    allowPublishToZeroTopicPeers: true,
    ignoreDuplicatePublishError: true,
    emitSelf: false,
    fallbackToFloodsub: false,
    globalSignaturePolicy: 'StrictSign',
    // gossipsub checks a message's signature before it looks the id up in its seen cache, so
    // each duplicate copy (one per mesh peer) cost an Ed25519 key import and verify. The fast
    // id (author + seqno, read from the raw message) is consulted first; it is cached only
    // after a copy passed validation, so a forged copy cannot shadow the real one.
    fastMsgIdFn: authorSeqnoId,
    maxInboundDataLength: GOSSIP_RPC_BYTES_MAX,
    // Only ledger topics and discovery; anything else is dropped unread.
    allowedTopics: [DISCOVERY_TOPIC, ...Object.keys(topics)],
    scoreParams: createPeerScoreParams({
      topics,
      // Tabs on one machine or behind one NAT share an address: colocation is not a signal.
      IPColocationFactorWeight: 0,
    }),
  };
}

/** The default message id's fields (author, seqno) as text, without checking the signature. */
export function authorSeqnoId(message: RPC.Message): string {
  return `${toHex(message.from ?? EMPTY)}:${toHex(message.seqno ?? EMPTY)}`;
}

const EMPTY = new Uint8Array(0);

export function gossipService(chainIds: readonly string[]) {
  return gossipsub(gossipOptions(chainIds));
}
