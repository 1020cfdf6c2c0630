// The pure half of double-sign protection: may this validator sign `next`, given the last
// thing it signed? (The async half, which persists before releasing a signature, lives in
// src/lib/node/signer-guard.ts.)
//
// Order is (height, round, step) lexicographic, step 0 = proposal < 1 = prevote < 2 = precommit.
// - Moving forward is allowed.
// - The same (height, round, step) is allowed only for the same block hash (or nil twice):
//   re-signing the identical message is how a restarted node re-broadcasts (the timestamp
//   may differ; it is not part of the conflict).
// - Anything earlier is refused: after a crash the node may have forgotten what it signed at
//   that step, so it must not sign there again.

import { bytesEqual } from '../core/bytes';
import { blockHash as hashOfBlock } from '../core/hash';
import type { Block, Proposal, UnsignedProposal, UnsignedVote } from '../core/types';
import type { ConsensusLock, SignedState } from './types';

export type SignDecision =
  | { ok: true }
  | {
      ok: false;
      refused: 'height-regression' | 'round-regression' | 'step-regression' | 'conflicting-block';
    };

export function canSign(last: SignedState | null, next: SignedState): SignDecision {
  if (last === null) return { ok: true };
  if (next.height !== last.height) {
    return next.height > last.height ? { ok: true } : { ok: false, refused: 'height-regression' };
  }
  if (next.round !== last.round) {
    return next.round > last.round ? { ok: true } : { ok: false, refused: 'round-regression' };
  }
  if (next.step !== last.step) {
    return next.step > last.step ? { ok: true } : { ok: false, refused: 'step-regression' };
  }
  const same =
    next.blockHash === null || last.blockHash === null
      ? next.blockHash === last.blockHash
      : bytesEqual(next.blockHash, last.blockHash);
  return same ? { ok: true } : { ok: false, refused: 'conflicting-block' };
}

export function signedStateOfVote(vote: UnsignedVote): SignedState {
  return {
    height: vote.height,
    round: vote.round,
    step: vote.type === 'prevote' ? 1 : 2,
    blockHash: vote.blockHash,
  };
}

export function signedStateOfProposal(proposal: UnsignedProposal | Proposal): SignedState {
  return { height: proposal.height, round: proposal.round, step: 0, blockHash: proposal.blockHash };
}

/**
 * `next` with the lock it implies: a non-nil precommit locks its block at its round (L36 is the
 * only place a lock changes, and it always precommits the locked block); any other signature
 * keeps the lock of the same height; a new height starts unlocked. `block`, if given with a
 * non-nil precommit, must be the precommitted block: it is kept in the lock for a restart.
 */
export function withLock(last: SignedState | null, next: SignedState, block?: Block): SignedState {
  let lock: ConsensusLock | null = null;
  if (next.step === 2 && next.blockHash !== null) {
    lock = { round: next.round, blockHash: next.blockHash };
    if (block !== undefined) {
      if (!bytesEqual(hashOfBlock(block), next.blockHash)) {
        throw new RangeError('withLock: the block is not the precommitted one');
      }
      lock.block = block;
    }
  } else if (last !== null && last.height === next.height) {
    lock = last.lock ?? null;
  }
  return { ...next, lock };
}

/**
 * Where a restarted validator resumes `height`, with its lock: pass both to 'start-height'.
 *
 * - Usually in the last round it signed in: it may still owe that round later steps (a
 *   precommit after its prevote), and peers still in that round may need them to reach 2f+1
 *   (found by the simulator: a node that resumed one round later left its peers waiting for a
 *   precommit it never sent, and they could not follow it with only its f+1-short vote).
 *   Rounds before that are closed to it (the guard refuses them).
 * - One round later if its own power alone is a quorum (`aloneIsQuorum`, e.g. a ledger's single
 *   validator): nobody else's votes will move it past a round in which the guard now refuses
 *   what the fresh engine asks for.
 */
export function restartPoint(
  last: SignedState | null,
  height: number,
  aloneIsQuorum = false,
): { round: number; lock: ConsensusLock | null } {
  if (last === null || last.height !== height) return { round: 0, lock: null };
  return { round: aloneIsQuorum ? last.round + 1 : last.round, lock: last.lock ?? null };
}
