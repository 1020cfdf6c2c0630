// What the rules do besides changing fields: start rounds, schedule timeouts, ask the driver
// to build, validate or sign. Each function pushes effects; none decides anything.

import { fromHex } from '../core/bytes';
import type { Block, Vote, VoteType } from '../core/types';
import { proposerOf, type EngineState, type StoredProposal } from './state';
import type { Effect, TimeoutKind } from './types';
import { NIL, voteOf, type ValueKey } from './vote-keeper';

function timeoutMs(s: EngineState, kind: TimeoutKind, round: number): number {
  const t = s.timeouts;
  switch (kind) {
    case 'propose':
      return t.proposeMs + round * t.proposeDeltaMs;
    case 'prevote':
      return t.prevoteMs + round * t.prevoteDeltaMs;
    case 'precommit':
      return t.precommitMs + round * t.precommitDeltaMs;
  }
}

export function scheduleTimeout(s: EngineState, kind: TimeoutKind, fx: Effect[]): void {
  fx.push({
    type: 'schedule-timeout',
    kind,
    height: s.height,
    round: s.round,
    durationMs: timeoutMs(s, kind, s.round),
  });
}

// L11: StartRound(round)
export function startRound(s: EngineState, round: number, fx: Effect[]): void {
  s.round = round;
  s.step = 'propose';
  s.awaitingBlockRound = null;
  if (round === 0 && !s.hasWork) {
    // Nothing to propose: every node waits (no proposal, no propose timeout) until work
    // arrives or the heartbeat elapses, like CometBFT's create_empty_blocks = false.
    s.waitingForWork = true;
    if (s.timeouts.heartbeatMs > 0) {
      fx.push({ type: 'schedule-heartbeat', height: s.height, durationMs: s.timeouts.heartbeatMs });
    }
  } else {
    s.waitingForWork = false;
    enterPropose(s, fx);
  }
  // A re-proposal of this round may have arrived before we entered it: the validators that
  // prevoted its proof-of-lock round re-send that prevote now, so the others can check the POL
  // before their propose timeout (as when it arrives in the round; see acceptProposal).
  if (s.proposals.has(round)) {
    const pol = ownPolPrevote(s);
    if (pol !== null) fx.push({ type: 'broadcast-vote', vote: pol });
  }
  requestValidations(s, round, fx);
}

/**
 * Our prevote in the proof-of-lock round of the current round's proposal, if we cast one and
 * it is not our latest prevote anyway: a re-proposal (polRound >= 0) is only prevoted by nodes
 * that hold 2f+1 prevotes of that round, and gossip may have lost some.
 */
export function ownPolPrevote(s: EngineState): Vote | null {
  const vr = s.proposals.get(s.round)?.[0]?.proposal.polRound ?? -1;
  if (vr < 0 || s.self === null) return null;
  const vote = voteOf(s.keeper, vr, 'prevote', s.self);
  return vote === undefined || vote === s.lastPrevote ? null : vote;
}

// L14-L21: the proposer proposes validValue or a new block; the others start timeoutPropose.
// The proposer starts timeoutPropose too (as CometBFT does; the paper's proposer needs none):
// its block comes back asynchronously from the driver, and if that never happens (block
// building failed, signer refused) the timeout makes it prevote nil instead of stalling.
//
// After a restart the lock may be known (with its block) while validValue is not: then the
// proposer proposes its locked block with polRound -1 (it lost the proof-of-lock votes). That is
// safe (a proposal never is; the prevote rules are) and live: every node locked on it or
// unlocked prevotes it (L22), so a lone validator decides it.
export function enterPropose(s: EngineState, fx: Effect[]): void {
  if (s.self !== null && proposerOf(s, s.round) === s.self) {
    const validBlock = s.validValue === null ? undefined : s.blocks.get(s.validValue);
    const lockedBlock = s.lockedValue === null ? undefined : s.blocks.get(s.lockedValue);
    if (s.validValue !== null && validBlock !== undefined) {
      requestProposalSignature(s, validBlock, s.validValue, s.validRound, fx);
    } else if (s.lockedValue !== null && lockedBlock !== undefined) {
      requestProposalSignature(s, lockedBlock, s.lockedValue, -1, fx);
    } else {
      s.awaitingBlockRound = s.round;
      fx.push({ type: 'get-block', height: s.height, round: s.round });
    }
  }
  scheduleTimeout(s, 'propose', fx);
}

/** Ask the driver to validate each proposal of `round` not yet judged. */
export function requestValidations(s: EngineState, round: number, fx: Effect[]): void {
  for (const stored of s.proposals.get(round) ?? []) requestValidation(s, stored, fx);
}

export function requestValidation(s: EngineState, stored: StoredProposal, fx: Effect[]): void {
  if (s.validity.has(stored.value)) return;
  s.validity.set(stored.value, 'pending');
  fx.push({
    type: 'validate-block',
    height: s.height,
    round: stored.proposal.round,
    block: stored.block,
  });
}

export function requestProposalSignature(
  s: EngineState,
  block: Block,
  value: ValueKey,
  polRound: number,
  fx: Effect[],
): void {
  if (s.self === null) return;
  s.pendingSignatures.set(`${s.round}:proposal`, value);
  fx.push({
    type: 'sign-proposal',
    proposal: {
      chainId: s.chainId,
      height: s.height,
      round: s.round,
      polRound,
      blockHash: fromHex(value),
      proposer: s.self,
    },
    block,
  });
}

/** "broadcast ⟨type, h, round, value⟩": ask the driver to sign (validators only). */
export function castVote(s: EngineState, type: VoteType, value: ValueKey, fx: Effect[]): void {
  if (s.self === null) return;
  s.pendingSignatures.set(`${s.round}:${type}`, value);
  fx.push({
    type: 'sign-vote',
    vote: {
      chainId: s.chainId,
      height: s.height,
      round: s.round,
      type,
      blockHash: value === NIL ? null : fromHex(value),
      timestamp: 0,
      validator: s.self,
    },
  });
}
