// BFT time: a block's time is not the proposer's clock but follows from the previous block's
// commit, which every validator checks (as Tendermint does). At height 1 it is the genesis time
// plus 1 ms; after that it is the power-weighted median of the timestamps of the precommits for
// the previous block in the block's last commit (only 'commit' slots: nil votes say nothing
// about that block).
//
// Why a proposer, or a validator with a wrong clock, cannot move it: honest validators sign
// precommits for block h with their clock, and never earlier than block h's time + 1 ms (the
// driver's rule). A commit holds more than 2/3 of the power; faulty validators hold less than
// 1/3, so less than half of the commit's power. The median is the earliest timestamp by which
// MORE than half of the commit's power has voted, so it always lies between the earliest and the
// latest honest timestamp: after the previous block, and no later than an honest clock.

import type { LedgerState } from './state';
import type { Commit } from './types';

/**
 * The time the block at state.height + 1 must carry, given the last commit it carries; null if
 * the commit has no precommit for the block (then the block is invalid anyway).
 */
export function blockTimeFor(state: LedgerState, lastCommit: Commit | null): number | null {
  if (state.height === 0) return state.lastBlockTime + 1;
  if (lastCommit === null) return null;
  const votes: { timestamp: number; power: number }[] = [];
  let total = 0;
  lastCommit.signatures.forEach((slot, index) => {
    const validator = state.lastValidators.validators[index];
    if (slot.kind !== 'commit' || validator === undefined) return;
    votes.push({ timestamp: slot.timestamp, power: validator.power });
    total += validator.power;
  });
  if (votes.length === 0) return null;
  votes.sort((a, b) => a.timestamp - b.timestamp);
  let cumulative = 0;
  for (const vote of votes) {
    cumulative += vote.power;
    if (2 * cumulative > total) return vote.timestamp;
  }
  return (votes[votes.length - 1] as { timestamp: number }).timestamp;
}

/** The earliest timestamp an honest validator puts on its precommit for a block of `blockTimeMs`. */
export function precommitTimestamp(nowMs: number, blockTimeMs: number): number {
  return Math.max(nowMs, blockTimeMs + 1);
}
