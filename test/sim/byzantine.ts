// Byzantine behaviours: each one a set of hooks on an otherwise honest driver, deviating where
// a real attacker would. They sign with the validator's real key (bypassing the signer guard),
// so every message they send passes signature checks; the damage has to be contained by
// consensus and validation.

import { blockHash } from '../../src/lib/core/hash';
import { MESSAGE_BYTES_MAX } from '../../src/lib/core/params';
import type { Block, ProposalMessage, Vote } from '../../src/lib/core/types';
import type { ByzantineBehaviour } from './faults';
import { HONEST_HOOKS, type NodeHooks, type SimNode } from './node';
import { encodeWire, TAG_PROPOSAL, TAG_VOTE, type WireMessage } from './wire';

/** How far ahead 'future' messages claim to be. */
export const FUTURE_HEIGHT_OFFSET = 1_000;
export const FUTURE_ROUND_OFFSET = 100;
/** Probability that a garbage message is oversized (costly to allocate, so rare). */
export const OVERSIZED_PROBABILITY = 0.05;

/** Per peer: gets message A, message B, or both (in random order). */
function splitSend(node: SimNode, a: WireMessage, b: WireMessage): void {
  const bytesA = encodeWire(a);
  const bytesB = encodeWire(b);
  for (const peer of node.env.peersOf(node.index)) {
    const choice = node.prng.int(0, 3);
    if (choice === 0) node.env.sendTo(node.index, peer, bytesA);
    else if (choice === 1) node.env.sendTo(node.index, peer, bytesB);
    else {
      const [first, second] = choice === 2 ? [bytesA, bytesB] : [bytesB, bytesA];
      node.env.sendTo(node.index, peer, first);
      node.env.sendTo(node.index, peer, second);
    }
  }
}

/** Two proposals for one (height, round): the decided one plus a different block. */
const equivocate: NodeHooks = {
  ...HONEST_HOOKS,
  useGuard: false,
  async sendProposal(node, message) {
    if (message.proposal.height !== node.height) {
      node.broadcast({ type: 'proposal', message });
      return;
    }
    const other = node.proposeBlock(node.height, 1 + node.prng.int(0, 50));
    const proposal = await node.signProposalUnguarded({
      chainId: message.proposal.chainId,
      height: message.proposal.height,
      round: message.proposal.round,
      polRound: message.proposal.polRound,
      blockHash: blockHash(other),
      proposer: message.proposal.proposer,
    });
    splitSend(
      node,
      { type: 'proposal', message },
      { type: 'proposal', message: { proposal, block: other } },
    );
  },
};

/** Every vote is paired with a conflicting one (nil <-> the block, or a made-up block). */
const doubleVote: NodeHooks = {
  ...HONEST_HOOKS,
  useGuard: false,
  async sendVote(node, vote) {
    const otherHash = vote.blockHash === null ? node.prng.bytes(32) : null;
    const conflicting = await node.signVote({
      chainId: vote.chainId,
      height: vote.height,
      round: vote.round,
      type: vote.type,
      blockHash: otherHash,
      timestamp: vote.timestamp,
      validator: vote.validator,
    });
    if (conflicting === null) return;
    splitSend(node, { type: 'vote', vote }, { type: 'vote', vote: conflicting });
  },
};

/** Forgets its lock before every input, so it prevotes whatever is proposed. */
const amnesia: NodeHooks = {
  ...HONEST_HOOKS,
  useGuard: false,
  beforeInput(node) {
    node.engine.lockedValue = null;
    node.engine.lockedRound = -1;
  },
};

/** Sends nothing at all. */
const silent: NodeHooks = {
  ...HONEST_HOOKS,
  muted: true,
};

/** Proposes blocks that are well-formed and correctly signed but break a validity rule. */
const invalidProposal: NodeHooks = {
  ...HONEST_HOOKS,
  useGuard: false,
  shapeBlock(node, block) {
    const header = { ...block.header };
    switch (node.prng.int(0, 3)) {
      case 0:
        header.stateRoot = node.prng.bytes(32);
        break;
      case 1:
        header.time = node.ledger.lastBlockTime; // not after the previous block
        break;
      case 2:
        header.previousHash = node.prng.bytes(32);
        break;
      default:
        header.txsRoot = node.prng.bytes(32);
        break;
    }
    return { ...block, header } satisfies Block;
  },
};

function garbageBytes(node: SimNode, real: Uint8Array): Uint8Array {
  switch (node.prng.int(0, 4)) {
    case 0:
      return node.prng.bytes(node.prng.int(0, 2_000));
    case 1: {
      // A valid tag with a random payload: reaches the core's strict decoders.
      const bytes = node.prng.bytes(node.prng.int(1, 500));
      bytes[0] = node.prng.pick([TAG_VOTE, TAG_PROPOSAL, 3, 4, 5, 6]);
      return bytes;
    }
    case 2: {
      const flipped = real.slice();
      const at = node.prng.int(0, flipped.length - 1);
      flipped[at] = (flipped[at] as number) ^ (1 << node.prng.int(0, 7));
      return flipped;
    }
    case 3:
      return node.prng.chance(OVERSIZED_PROBABILITY)
        ? new Uint8Array(MESSAGE_BYTES_MAX + 1).fill(TAG_VOTE)
        : real.subarray(0, Math.max(1, real.length >> 1)); // truncated
    default:
      return new Uint8Array(0);
  }
}

/** Honest, plus a stream of garbage, corrupted, truncated and oversized messages. */
const garbage: NodeHooks = {
  ...HONEST_HOOKS,
  async sendProposal(node, message) {
    node.broadcast({ type: 'proposal', message });
    node.env.broadcast(node.index, garbageBytes(node, encodeWire({ type: 'proposal', message })));
  },
  async sendVote(node, vote) {
    node.broadcast({ type: 'vote', vote });
    node.env.broadcast(node.index, garbageBytes(node, encodeWire({ type: 'vote', vote })));
    // A well-formed vote with a broken signature.
    const signature = vote.signature.slice();
    signature[0] = (signature[0] as number) ^ 0xff;
    node.broadcast({ type: 'vote', vote: { ...vote, signature } });
  },
};

/** Honest, plus correctly signed votes and proposals for far-future heights and rounds. */
const future: NodeHooks = {
  ...HONEST_HOOKS,
  useGuard: false,
  async sendProposal(node, message: ProposalMessage) {
    node.broadcast({ type: 'proposal', message });
    const proposal = await node.signProposalUnguarded({
      ...message.proposal,
      height: message.proposal.height + FUTURE_HEIGHT_OFFSET,
    });
    node.broadcast({ type: 'proposal', message: { proposal, block: message.block } });
  },
  async sendVote(node, vote: Vote) {
    node.broadcast({ type: 'vote', vote });
    const { signature: _signature, ...unsigned } = vote;
    for (const shifted of [
      { ...unsigned, height: vote.height + FUTURE_HEIGHT_OFFSET },
      { ...unsigned, round: vote.round + FUTURE_ROUND_OFFSET },
    ]) {
      const signed = await node.signVote(shifted);
      if (signed !== null) node.broadcast({ type: 'vote', vote: signed });
    }
  },
};

/** Twins run the honest driver; the fault is that two nodes hold the same key. */
const twins: NodeHooks = HONEST_HOOKS;

const HOOKS: Record<ByzantineBehaviour, NodeHooks> = {
  equivocate,
  'double-vote': doubleVote,
  amnesia,
  silent,
  'invalid-proposal': invalidProposal,
  garbage,
  future,
  twins,
};

export function hooksFor(behaviour: ByzantineBehaviour | null): NodeHooks {
  return behaviour === null ? HONEST_HOOKS : HOOKS[behaviour];
}
