// Byzantine behaviours: each deviates where a real attacker would — in what it publishes (and
// to whom), what it signs, what it proposes, or what it remembers after a restart — around an
// otherwise unchanged shipped node. They sign with the validator's real key, so every message
// they send passes signature checks; the damage has to be contained by consensus, the gossip
// edge and block validation.

import { buildBlock } from '../../src/lib/core/block';
import {
  decodeProposalMessage,
  decodeVote,
  encodeEvidence,
  encodeProposalMessage,
  encodeTx,
  encodeVote,
} from '../../src/lib/core/encoding';
import { blockHash } from '../../src/lib/core/hash';
import { MESSAGE_BYTES_MAX } from '../../src/lib/core/params';
import {
  joinSignBytes,
  possessionSignBytes,
  proposalSignBytes,
  txSignBytes,
  voteSignBytes,
} from '../../src/lib/core/signing';
import { encodeJoinRequest, encodeTxBatch } from '../../src/lib/node/wire';
import type {
  Block,
  Evidence,
  Proposal,
  Tx,
  TxBody,
  TxKind,
  UnsignedProposal,
  UnsignedTx,
  UnsignedVote,
  Vote,
} from '../../src/lib/core/types';
import { encodeEnvelope } from '../../src/lib/net/envelope';
import { TOPIC_OF, type MessageType } from '../../src/lib/net/message-types';
import type { SignerGuard } from '../../src/lib/node/signer-guard';
import type { ByzantineBehaviour } from './faults';
import type { Adversary, SimNode } from './sim-node';

/** How far ahead 'future' messages claim to be. */
export const FUTURE_HEIGHT_OFFSET = 1_000;
export const FUTURE_ROUND_OFFSET = 100;
/** Probability that a garbage message is oversized (costly to allocate, so rare). */
export const OVERSIZED_PROBABILITY = 0.05;

function envelope(node: SimNode, type: MessageType, payload: Uint8Array): Uint8Array {
  return encodeEnvelope(type, node.env.chainId, payload);
}

/** Per peer: gets message A, message B, or both (in random order). */
async function splitSend(
  node: SimNode,
  type: MessageType,
  a: Uint8Array,
  b: Uint8Array,
): Promise<void> {
  const network = node.network;
  if (!network) return;
  const bytesA = envelope(node, type, a);
  const bytesB = envelope(node, type, b);
  for (const peer of node.env.hub.neighbours(node.peerId)) {
    const choice = node.prng.int(0, 3);
    const order =
      choice === 0
        ? [bytesA]
        : choice === 1
          ? [bytesB]
          : choice === 2
            ? [bytesA, bytesB]
            : [bytesB, bytesA];
    for (const bytes of order) await network.sendRawTo(peer.peerId, TOPIC_OF[type], bytes);
  }
}

async function signProposal(node: SimNode, unsigned: UnsignedProposal): Promise<Proposal> {
  return { ...unsigned, signature: await node.config.rawSigner.sign(proposalSignBytes(unsigned)) };
}

async function signVote(node: SimNode, unsigned: UnsignedVote): Promise<Vote> {
  return { ...unsigned, signature: await node.config.rawSigner.sign(voteSignBytes(unsigned)) };
}

/** A different block for the same slot: the honest one with another time. */
function otherBlock(node: SimNode, block: Block): Block {
  const state = node.node?.state;
  if (!state) return block;
  return buildBlock(state, {
    txs: block.txs,
    time: block.header.time + 1 + node.prng.int(0, 50),
    proposer: block.header.proposer,
    lastCommit: block.lastCommit,
    evidence: block.evidence,
  });
}

/** Two proposals for one (height, round): its honest block, and a different one. */
const equivocate: Adversary = {
  async publish(node, type, payload, honest) {
    if (type !== 'proposal') return honest();
    const message = decodeProposalMessage(payload);
    const other = otherBlock(node, message.block);
    const { signature: _signature, ...unsigned } = message.proposal;
    const proposal = await signProposal(node, { ...unsigned, blockHash: blockHash(other) });
    await splitSend(node, type, payload, encodeProposalMessage({ proposal, block: other }));
  },
};

/** Every vote is paired with a conflicting one (nil <-> the block, or a made-up block). */
const doubleVote: Adversary = {
  async publish(node, type, payload, honest) {
    if (type !== 'vote') return honest();
    const vote = decodeVote(payload);
    const { signature: _signature, ...unsigned } = vote;
    const otherHash = vote.blockHash === null ? node.prng.bytes(32) : null;
    const conflicting = await signVote(node, { ...unsigned, blockHash: otherHash });
    await splitSend(node, type, payload, encodeVote(conflicting));
  },
};

/**
 * A guard that remembers nothing and refuses nothing: what a validator whose signer state was
 * lost (a wiped profile, a copied key) would sign.
 */
function forgetfulGuard(): SignerGuard {
  return {
    authorize: async () => undefined,
    async signVote(vote, signer, timestampMs) {
      const stamped = { ...vote, timestamp: timestampMs };
      return { ...stamped, signature: await signer.sign(voteSignBytes(stamped)) };
    },
    async signProposal(proposal, signer) {
      return { ...proposal, signature: await signer.sign(proposalSignBytes(proposal)) };
    },
    last: async () => null,
    votesAt: async () => [],
  };
}

/**
 * Amnesia: every time its round moves it restarts with its signer state forgotten, so it holds
 * no lock and prevotes whatever is proposed next.
 */
function amnesia(): Adversary {
  const lastRound = new Map<number, string>();
  return {
    tamper: { guard: () => forgetfulGuard() },
    async afterEvent(node) {
      const consensus = node.node?.status.consensus;
      if (!consensus) return false;
      const at = `${consensus.height}/${consensus.round}`;
      const before = lastRound.get(node.index);
      lastRound.set(node.index, at);
      if (before === undefined || before === at || consensus.round === 0) return false;
      node.crash();
      await node.start();
      return true;
    },
  };
}

/** Sends nothing at all. */
const silent: Adversary = { muted: true };

/** Proposes blocks that are well-formed and correctly signed but break a validity rule. */
function invalidProposal(prng: SimNode['prng']): Adversary {
  return {
    tamper: {
      proposal(block, state) {
        const header = { ...block.header };
        switch (prng.int(0, 3)) {
          case 0:
            header.stateRoot = prng.bytes(32);
            break;
          case 1:
            header.time = state.lastBlockTime; // not after the previous block
            break;
          case 2:
            header.previousHash = prng.bytes(32);
            break;
          default:
            header.txsRoot = prng.bytes(32);
            break;
        }
        return { ...block, header };
      },
    },
  };
}

function garbageBytes(node: SimNode, real: Uint8Array): Uint8Array {
  switch (node.prng.int(0, 4)) {
    case 0:
      return node.prng.bytes(node.prng.int(0, 2_000));
    case 1: {
      // A valid envelope around a random payload: reaches the core's strict decoders.
      const types: MessageType[] = ['vote', 'proposal', 'commit', 'evidence', 'tx', 'join'];
      return envelope(node, node.prng.pick(types), node.prng.bytes(node.prng.int(1, 500)));
    }
    case 2: {
      const flipped = real.slice();
      const at = node.prng.int(0, flipped.length - 1);
      flipped[at] = (flipped[at] as number) ^ (1 << node.prng.int(0, 7));
      return flipped;
    }
    case 3:
      return node.prng.chance(OVERSIZED_PROBABILITY)
        ? new Uint8Array(MESSAGE_BYTES_MAX + 1).fill(7)
        : real.subarray(0, Math.max(1, real.length >> 1)); // truncated
    default:
      return new Uint8Array(0);
  }
}

/** Honest, plus a stream of garbage, corrupted, truncated and oversized messages. */
const garbage: Adversary = {
  async publish(node, type, payload, honest) {
    await honest();
    const network = node.network;
    if (!network || (type !== 'vote' && type !== 'proposal')) return;
    const topic = TOPIC_OF[type];
    await network.publishRaw(topic, garbageBytes(node, envelope(node, type, payload)));
    if (type === 'vote') {
      // A well-formed vote with a broken signature.
      const vote = decodeVote(payload);
      const signature = vote.signature.slice();
      signature[0] = (signature[0] as number) ^ 0xff;
      await network.publishRaw(topic, envelope(node, type, encodeVote({ ...vote, signature })));
    }
  },
};

/** Honest, plus correctly signed votes and proposals for far-future heights and rounds. */
const future: Adversary = {
  async publish(node, type, payload, honest) {
    await honest();
    const network = node.network;
    if (!network) return;
    if (type === 'proposal') {
      const message = decodeProposalMessage(payload);
      const { signature: _signature, ...unsigned } = message.proposal;
      const proposal = await signProposal(node, {
        ...unsigned,
        height: unsigned.height + FUTURE_HEIGHT_OFFSET,
      });
      const bytes = encodeProposalMessage({ proposal, block: message.block });
      await network.publishRaw(TOPIC_OF[type], envelope(node, type, bytes));
    } else if (type === 'vote') {
      const { signature: _signature, ...unsigned } = decodeVote(payload);
      for (const shifted of [
        { ...unsigned, height: unsigned.height + FUTURE_HEIGHT_OFFSET },
        { ...unsigned, round: unsigned.round + FUTURE_ROUND_OFFSET },
      ]) {
        const signed = await signVote(node, shifted);
        await network.publishRaw(TOPIC_OF[type], envelope(node, type, encodeVote(signed)));
      }
    }
  },
};

/** Signs a tx from the validator's own key with its next nonce (by the committed state). */
async function signOwnTx(node: SimNode, kind: TxKind, body: TxBody, nonce: number): Promise<Tx> {
  const unsigned: UnsignedTx = {
    chainId: node.env.chainId,
    from: node.config.key.publicKey,
    nonce,
    kind,
    body,
  };
  return { ...unsigned, signature: await node.config.rawSigner.sign(txSignBytes(unsigned)) };
}

async function publishTxs(node: SimNode, txs: readonly Tx[]): Promise<void> {
  const network = node.network;
  if (!network || txs.length === 0) return;
  const payload = encodeTxBatch(txs.map(encodeTx));
  await network.publishRaw(TOPIC_OF.tx, envelope(node, 'tx', payload));
}

/**
 * Sends one governance tx at a time (the next when the last one is in a block): `make` builds
 * it. Returns the adversary's afterEvent.
 */
function oneTxAtATime(make: (node: SimNode, nonce: number) => Promise<Tx[]>) {
  let sentAtNonce = -1;
  return async (node: SimNode): Promise<boolean> => {
    const state = node.node?.state;
    if (!state) return false;
    const nonce = state.accounts.get(node.address)?.nonce ?? 0;
    if (nonce === sentAtNonce) return false;
    sentAtNonce = nonce;
    await publishTxs(node, await make(node, nonce));
    return true;
  };
}

/**
 * Dead power: proposes validators nobody holds the key of (a forged proof of possession) and
 * gossips join requests in their names, hoping honest approvals give power to keys that never
 * vote.
 */
function deadPower(prng: SimNode['prng']): Adversary {
  return {
    afterEvent: oneTxAtATime(async (node, nonce) => {
      const publicKey = prng.bytes(32);
      const network = node.network;
      if (network) {
        const request = encodeJoinRequest({
          publicKey,
          label: 'free power',
          kind: 'browser',
          possession: prng.bytes(64),
          signature: prng.bytes(64),
        });
        await network.publishRaw(TOPIC_OF.join, envelope(node, 'join', request));
      }
      return [
        await signOwnTx(
          node,
          'validator-propose',
          { publicKey, power: 1, possession: prng.bytes(64) },
          nonce,
        ),
      ];
    }),
  };
}

/**
 * Approve escalation: asks to join with its own key (a valid, signed request) and proposes its
 * own power at 1,000, hoping honest "Approve" clicks hand it more than two thirds.
 */
function approveEscalation(): Adversary {
  return {
    afterEvent: oneTxAtATime(async (node, nonce) => {
      const signer = node.config.rawSigner;
      const chainId = node.env.chainId;
      const publicKey = node.config.key.publicKey;
      const network = node.network;
      if (network) {
        const request = encodeJoinRequest({
          publicKey,
          label: 'trust me',
          kind: 'browser',
          possession: await signer.sign(possessionSignBytes(chainId, publicKey)),
          signature: await signer.sign(joinSignBytes(chainId, publicKey, 'trust me', 'browser')),
        });
        await network.publishRaw(TOPIC_OF.join, envelope(node, 'join', request));
      }
      return [
        await signOwnTx(
          node,
          'validator-propose',
          {
            publicKey,
            power: 1_000,
            possession: await signer.sign(possessionSignBytes(chainId, publicKey)),
          },
          nonce,
        ),
      ];
    }),
  };
}

/**
 * Failed-tx replay: sends transfers it cannot afford (a validator has no balance), so they fail
 * in a block; then gossips them again and puts them into its own proposals, hoping to commit a
 * tx twice once it could succeed.
 */
function replayFailed(): Adversary {
  let replayFrom: SimNode | null = null;
  const replayable = () => replayFrom?.ownCommittedTxs.slice(-2) ?? [];
  return {
    afterEvent: oneTxAtATime(async (node, nonce) => {
      replayFrom = node;
      const unaffordable = await signOwnTx(
        node,
        'transfer',
        { to: node.address.replace(/^./, 'f'), amount: 1 },
        nonce,
      );
      return [unaffordable, ...replayable()];
    }),
    tamper: {
      proposal(block, state) {
        const again = replayable();
        if (again.length === 0) return block;
        return buildBlock(state, {
          txs: [...block.txs, ...again],
          time: block.header.time,
          proposer: block.header.proposer,
          lastCommit: block.lastCommit,
          evidence: block.evidence,
        });
      },
    },
  };
}

/** Twins run the honest node; the fault is that two nodes hold the same key. */
const twins: Adversary = {};

/**
 * Evidence poisoning: from every vote it signs, "evidence" that is no equivocation — the vote
 * paired with itself, and its prevote paired with its precommit of the same height. Correctly
 * signed, so only the core's evidence rule can tell; a node that pooled it would put it in every
 * block it proposes, and every other validator would refuse those blocks.
 */
function evidencePoison(): Adversary {
  const prevotes = new Map<number, Vote>();
  return {
    async publish(node, type, payload, honest) {
      await honest();
      const network = node.network;
      if (type !== 'vote' || !network) return;
      const vote = decodeVote(payload);
      const poison: Evidence[] = [{ kind: 'duplicate-vote', voteA: vote, voteB: vote }];
      if (vote.type === 'prevote') prevotes.set(vote.height, vote);
      const prevote = prevotes.get(vote.height);
      if (vote.type === 'precommit' && prevote) {
        poison.push({ kind: 'duplicate-vote', voteA: prevote, voteB: vote });
      }
      for (const item of poison) {
        await network.publishRaw(
          TOPIC_OF.evidence,
          envelope(node, 'evidence', encodeEvidence(item)),
        );
      }
    },
  };
}

/** Proposes blocks stamped at the end of time (or frozen at the previous block's time). */
function badTime(prng: SimNode['prng']): Adversary {
  return {
    tamper: {
      proposal(block, state) {
        const time = prng.chance(0.5) ? Number.MAX_SAFE_INTEGER : state.lastBlockTime + 1;
        return { ...block, header: { ...block.header, time } };
      },
    },
  };
}

/** Its clock is off by up to ten years, either way: its precommits carry those timestamps. */
function lyingClock(prng: SimNode['prng']): Adversary {
  const yearMs = 365 * 24 * 3_600_000;
  return { clockOffsetMs: (prng.chance(0.5) ? 1 : -1) * prng.int(1, 10) * yearMs };
}

export function adversaryFor(
  behaviour: ByzantineBehaviour | null,
  prng: SimNode['prng'],
): Adversary {
  switch (behaviour) {
    case null:
      return {};
    case 'equivocate':
      return equivocate;
    case 'double-vote':
      return doubleVote;
    case 'amnesia':
      return amnesia();
    case 'silent':
      return silent;
    case 'invalid-proposal':
      return invalidProposal(prng);
    case 'garbage':
      return garbage;
    case 'future':
      return future;
    case 'twins':
      return twins;
    case 'evidence-poison':
      return evidencePoison();
    case 'bad-time':
      return badTime(prng);
    case 'lying-clock':
      return lyingClock(prng);
    case 'dead-power':
      return deadPower(prng);
    case 'approve-escalation':
      return approveEscalation();
    case 'replay-failed':
      return replayFailed();
  }
}
