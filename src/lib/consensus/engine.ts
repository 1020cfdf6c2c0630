// The Tendermint consensus engine: Algorithm 1 of "The latest gossip on BFT consensus"
// (Buchman, Kwon, Milosevic 2018) as a pure state machine `step(state, input) -> effects`,
// shaped like Malachite's core:
//   engine.ts       inputs: admission (chain, height, round, membership), own messages, timeouts
//   rules.ts        the upon-rules, each tagged with its line in the paper, re-checked after
//                   every input
//   actions.ts      StartRound, propose, vote, validate: what the rules ask the driver to do
//   vote-keeper.ts  tallies by voting power, duplicates, equivocation evidence
//   proposer.ts     weighted round-robin proposer selection
//   state.ts        the plain-data EngineState
// Everything slow (block building, validation, signing, timers, network) leaves as an effect
// and comes back as an input.
//
// Notation: a "value" is a block, identified by the hex of its hash (ValueKey); valid(v) is the
// driver's 'block-validity' verdict (full core validation), asked for with 'validate-block'.
// A block this node built itself (via 'get-block') is valid by construction.
//
// Signing is asynchronous: when a rule "broadcasts" a vote the engine emits 'sign-vote' and
// moves on (step changes at once, as in the paper); the vote counts (and is broadcast) when
// 'vote-signed' comes back. The driver's signer guard may refuse; then nothing comes back.

import { blockHash } from '../core/hash';
import type { Address, Block, Proposal, Vote } from '../core/types';
import {
  castVote,
  enterPropose,
  ownPolPrevote,
  requestProposalSignature,
  requestValidations,
  startRound,
} from './actions';
import {
  bufferFutureMessage,
  createFutureHeightBuffer,
  type BufferedMessage,
} from './future-height';
import { FUTURE_ROUNDS_MAX, PROPOSALS_PER_ROUND_MAX } from './params';
import { prioritiesAt } from './proposer';
import { evaluate } from './rules';
import { drop, EngineAssertionError, proposerOf, type EngineState } from './state';
import type { Effect, Input, Step, TimeoutKind } from './types';
import {
  addVote,
  createVoteKeeper,
  NIL,
  prevotesFor,
  roundsWithVotes,
  valueKey,
  voteOf,
} from './vote-keeper';

export { createEngine, EngineAssertionError } from './state';
export type { EngineParams, EngineState, StoredProposal } from './state';

export interface StepResult {
  /** The engine state after the input (the same object that was passed in: see `step`). */
  state: EngineState;
  /** Effects for the driver to perform, in order. */
  effects: Effect[];
}

/** A read-only summary for drivers, simulators and the UI. */
export interface EngineStatus {
  height: number;
  round: number;
  step: Step;
  lockedRound: number;
  validRound: number;
  /** Whether this height is decided (a 'decide' effect was emitted; waiting for start-height). */
  decided: boolean;
  /** Proposer of the current (height, round); null before the first start-height. */
  proposer: Address | null;
  /** Waiting for transactions (or the heartbeat) before round 0's proposal. */
  waitingForWork: boolean;
}

/**
 * Apply one input. Pure and deterministic: the same state and input always give the same
 * result; no clock, randomness or IO.
 *
 * Ownership: `step` takes ownership of `state` and updates it in place (copying the vote
 * tallies on every input would be O(validators) per vote); it returns that same object. Callers
 * must use the returned state and not keep the old reference; to keep a snapshot, use
 * `structuredClone(state)` before calling.
 */
export function step(state: EngineState, input: Input): StepResult {
  const effects: Effect[] = [];
  handle(state, input, effects);
  return { state, effects };
}

export function engineStatus(state: EngineState): EngineStatus {
  return {
    height: state.height,
    round: state.round,
    step: state.step,
    lockedRound: state.lockedRound,
    validRound: state.validRound,
    decided: state.decision !== null,
    proposer: state.height === 0 ? null : proposerOf(state, state.round),
    waitingForWork: state.waitingForWork,
  };
}

function handle(s: EngineState, input: Input, fx: Effect[]): void {
  switch (input.type) {
    case 'start-height':
      startHeight(s, input, fx);
      return;
    case 'work-available':
      onWork(s, fx);
      return;
    case 'heartbeat-due':
      if (input.height === s.height) onWork(s, fx);
      return;
    case 'proposal':
      onProposal(s, input, fx);
      return;
    case 'vote':
      onVote(s, input, fx);
      return;
    case 'block-validity':
      onBlockValidity(s, input, fx);
      return;
    case 'timeout':
      onTimeout(s, input.kind, input.height, input.round, fx);
      return;
    case 'block-to-propose':
      onBlockToPropose(s, input, fx);
      return;
    case 'vote-signed':
      onVoteSigned(s, input.vote, fx);
      return;
    case 'proposal-signed':
      onProposalSigned(s, input.proposal, input.block, fx);
      return;
    case 'rebroadcast-due':
      onRebroadcast(s, input.height, fx);
      return;
    default: {
      const unknown: never = input;
      throw new EngineAssertionError(`unknown input ${JSON.stringify(unknown)}`);
    }
  }
}

function startHeight(
  s: EngineState,
  input: Extract<Input, { type: 'start-height' }>,
  fx: Effect[],
): void {
  const { height, validators } = input;
  if (!Number.isSafeInteger(height) || height < 1 || height <= s.height) {
    throw new EngineAssertionError(`start-height ${height} after height ${s.height}`);
  }
  if (validators.validators.length === 0 || validators.totalPower <= 0) {
    throw new EngineAssertionError('start-height with an empty validator set');
  }
  const round = input.round ?? 0;
  const lock = input.lock ?? null;
  if (!Number.isSafeInteger(round) || round < 0) {
    throw new EngineAssertionError(`start-height in round ${round}`);
  }
  if (
    lock !== null &&
    (!(Number.isSafeInteger(lock.round) && lock.round >= 0 && lock.round <= round) ||
      (lock.block !== undefined && lock.block.header.height !== height))
  ) {
    throw new EngineAssertionError(`start-height: lock of round ${lock.round} in round ${round}`);
  }
  const buffered = height === s.height + 1 ? s.futureHeight.messages : [];
  const inSet = input.self !== null && validators.validators.some((v) => v.address === input.self);
  const decidedPrecommit =
    s.lastPrecommit !== null &&
    s.decision !== null &&
    height === s.height + 1 &&
    valueKey(s.lastPrecommit.blockHash) === s.decision
      ? s.lastPrecommit
      : null;

  s.height = height;
  s.round = 0;
  s.step = 'propose';
  s.validators = validators;
  s.self = inSet ? input.self : null;
  s.hasWork = input.hasWork;
  s.waitingForWork = false;
  s.awaitingBlockRound = null;
  // A restarted validator keeps its lock (safety). validValue starts empty: its proof-of-lock
  // votes are gone; a proposer re-proposes the locked block instead (actions.ts, enterPropose).
  s.lockedValue = lock === null ? null : valueKey(lock.blockHash);
  s.lockedRound = lock === null ? -1 : lock.round;
  s.validValue = null;
  s.validRound = -1;
  s.decision = null;
  s.keeper = createVoteKeeper(validators);
  s.proposals = new Map();
  s.blocks = new Map();
  s.validity = new Map();
  if (lock?.block !== undefined && s.lockedValue !== null) {
    // We precommitted it before the restart, so we had validated it.
    s.blocks.set(s.lockedValue, lock.block);
    s.validity.set(s.lockedValue, 'valid');
  }
  s.fired = new Set();
  s.pendingSignatures = new Map();
  s.proposerCache = prioritiesAt(validators, height - 1, s.proposerCache);
  s.proposerByRound = new Map();
  s.lastPrevote = null;
  s.lastPrecommit = null;
  s.previousPrecommit = decidedPrecommit;
  s.futureHeight = createFutureHeightBuffer();

  if (s.self !== null && s.timeouts.rebroadcastMs > 0) {
    fx.push({ type: 'schedule-rebroadcast', height, durationMs: s.timeouts.rebroadcastMs });
  }
  startRound(s, round, fx);
  evaluate(s, fx);
  for (const message of buffered) handle(s, message, fx);
}

function onWork(s: EngineState, fx: Effect[]): void {
  if (s.height === 0) return;
  s.hasWork = true;
  if (!s.waitingForWork || s.decision !== null) return;
  s.waitingForWork = false;
  if (s.step === 'propose') enterPropose(s, fx);
  evaluate(s, fx);
}

/** Common height/round admission; returns false (after any 'dropped') if not for this height. */
function admitMessage(
  s: EngineState,
  message: BufferedMessage,
  chainId: string,
  height: number,
  round: number,
  fx: Effect[],
): boolean {
  const reason = admission(s, message, chainId, height, round);
  if (reason === null) return true;
  if (reason !== 'buffered') drop(fx, reason);
  return false;
}

/** null = admit; 'buffered' = kept for height + 1; otherwise the reason to drop. */
function admission(
  s: EngineState,
  message: BufferedMessage,
  chainId: string,
  height: number,
  round: number,
): string | null {
  if (chainId !== s.chainId) return 'wrong-chain';
  if (!Number.isSafeInteger(round) || round < 0) return 'bad-round';
  if (s.height === 0) return 'not-started';
  if (height < s.height) return 'stale-height';
  if (height === s.height + 1) return bufferFutureMessage(s.futureHeight, message) ?? 'buffered';
  if (height !== s.height) return 'height-too-far';
  if (round > s.round + FUTURE_ROUNDS_MAX) return 'round-too-far';
  return null;
}

function onProposal(
  s: EngineState,
  input: Extract<Input, { type: 'proposal' }>,
  fx: Effect[],
): void {
  const { proposal, block } = input;
  if (!admitMessage(s, input, proposal.chainId, proposal.height, proposal.round, fx)) return;
  acceptProposal(s, proposal, block, fx);
}

function acceptProposal(s: EngineState, proposal: Proposal, block: Block, fx: Effect[]): void {
  if (proposal.proposer !== proposerOf(s, proposal.round)) return drop(fx, 'wrong-proposer');
  if (
    !Number.isSafeInteger(proposal.polRound) ||
    proposal.polRound < -1 ||
    proposal.polRound >= proposal.round
  ) {
    return drop(fx, 'bad-pol-round');
  }
  if (block.header.height !== proposal.height) return drop(fx, 'block-height-mismatch');
  const value = valueKey(proposal.blockHash);
  const stored = s.proposals.get(proposal.round) ?? [];
  if (stored.some((p) => p.value === value && p.proposal.polRound === proposal.polRound)) return;
  if (stored.length >= PROPOSALS_PER_ROUND_MAX) return drop(fx, 'proposal-limit');
  stored.push({ proposal, block, value });
  s.proposals.set(proposal.round, stored);
  if (!s.blocks.has(value)) s.blocks.set(value, block);
  if (s.decision !== null) return;
  if (proposal.round === s.round && stored.length === 1) {
    const pol = ownPolPrevote(s);
    if (pol !== null) fx.push({ type: 'broadcast-vote', vote: pol });
  }
  if (proposal.round === s.round) requestValidations(s, s.round, fx);
  evaluate(s, fx);
}

function onVote(s: EngineState, input: Extract<Input, { type: 'vote' }>, fx: Effect[]): void {
  const { vote } = input;
  if (!admitMessage(s, input, vote.chainId, vote.height, vote.round, fx)) return;
  acceptVote(s, vote, fx);
}

function acceptVote(s: EngineState, vote: Vote, fx: Effect[]): void {
  const result = addVote(s.keeper, vote);
  switch (result.outcome) {
    case 'not-a-validator':
      return drop(fx, 'not-a-validator');
    case 'duplicate':
      return;
    case 'equivocation':
      if (result.evidence !== null) fx.push({ type: 'evidence', evidence: result.evidence });
      if (result.counted && s.decision === null) evaluate(s, fx);
      return;
    case 'added':
      // Our own votes (just signed, or replayed by the driver after a restart) are the ones
      // re-broadcast.
      if (vote.validator === s.self) rememberOwnVote(s, vote);
      if (s.decision === null) evaluate(s, fx);
      return;
  }
}

function onBlockValidity(
  s: EngineState,
  input: Extract<Input, { type: 'block-validity' }>,
  fx: Effect[],
): void {
  const value = valueKey(input.blockHash);
  if (input.height !== s.height || s.validity.get(value) !== 'pending') {
    return drop(fx, 'unexpected-block-validity');
  }
  s.validity.set(value, input.valid ? 'valid' : 'invalid');
  evaluate(s, fx);
}

function onBlockToPropose(
  s: EngineState,
  input: Extract<Input, { type: 'block-to-propose' }>,
  fx: Effect[],
): void {
  if (
    input.height !== s.height ||
    input.round !== s.round ||
    s.awaitingBlockRound !== input.round ||
    s.step !== 'propose' ||
    s.decision !== null
  ) {
    return drop(fx, 'stale-block-to-propose');
  }
  if (input.block.header.height !== s.height) {
    throw new EngineAssertionError('block-to-propose: block of another height');
  }
  s.awaitingBlockRound = null;
  const value = valueKey(blockHash(input.block));
  s.blocks.set(value, input.block);
  s.validity.set(value, 'valid'); // built by this node's core from its own state
  requestProposalSignature(s, input.block, value, -1, fx);
}

function onProposalSigned(s: EngineState, proposal: Proposal, block: Block, fx: Effect[]): void {
  const key = `${proposal.round}:proposal`;
  if (
    proposal.height !== s.height ||
    s.pendingSignatures.get(key) !== valueKey(proposal.blockHash)
  ) {
    return drop(fx, 'unexpected-signed-proposal');
  }
  s.pendingSignatures.delete(key);
  fx.push({ type: 'broadcast-proposal', proposal, block });
  acceptProposal(s, proposal, block, fx);
}

function onVoteSigned(s: EngineState, vote: Vote, fx: Effect[]): void {
  const key = `${vote.round}:${vote.type}`;
  if (
    vote.height !== s.height ||
    vote.validator !== s.self ||
    s.pendingSignatures.get(key) !== valueKey(vote.blockHash)
  ) {
    return drop(fx, 'unexpected-signed-vote');
  }
  s.pendingSignatures.delete(key);
  fx.push({ type: 'broadcast-vote', vote });
  acceptVote(s, vote, fx);
}

function rememberOwnVote(s: EngineState, vote: Vote): void {
  if (vote.type === 'prevote') {
    if (s.lastPrevote === null || vote.round >= s.lastPrevote.round) s.lastPrevote = vote;
  } else if (s.lastPrecommit === null || vote.round >= s.lastPrecommit.round) {
    s.lastPrecommit = vote;
  }
}

/**
 * Our prevote in the proof-of-lock round of this round's proposal, if we cast one and it is not
 * the latest (which is re-broadcast anyway). Peers need 2f+1 of those prevotes for L28, and a
 * peer that restarted or joined late has lost them: re-sending them is what CometBFT's gossip of
 * POL prevotes does.
 */
/**
 * Gossip repair, for a height whose rounds keep failing (a healthy height is decided before the
 * first rebroadcast): re-send every vote this validator cast at this height (at most two per
 * round; rounds are bounded by FUTURE_ROUNDS_MAX), its precommit that decided the previous
 * height, and the proof-of-lock prevotes it holds — others' too — for its valid and locked
 * values. A re-proposal is prevoted only by nodes holding 2f+1 prevotes of its proof-of-lock
 * round; an equivocator may have shown its vote for that polka to some honest nodes only, and
 * without relaying them the others could never check the POL (Tendermint's gossip property:
 * what one correct node received, every correct node eventually receives).
 */
function onRebroadcast(s: EngineState, height: number, fx: Effect[]): void {
  if (height !== s.height || s.self === null) return;
  if (s.previousPrecommit !== null) fx.push({ type: 'broadcast-vote', vote: s.previousPrecommit });
  const sent = new Set<Vote>();
  const send = (vote: Vote | undefined) => {
    if (vote === undefined || sent.has(vote)) return;
    sent.add(vote);
    fx.push({ type: 'broadcast-vote', vote });
  };
  for (const round of roundsWithVotes(s.keeper)) {
    send(voteOf(s.keeper, round, 'prevote', s.self));
    send(voteOf(s.keeper, round, 'precommit', s.self));
  }
  for (const [round, value] of [
    [s.validRound, s.validValue],
    [s.lockedRound, s.lockedValue],
  ] as const) {
    if (round < 0 || value === null) continue;
    for (const vote of prevotesFor(s.keeper, round, value)) send(vote);
  }
  if (s.timeouts.rebroadcastMs > 0) {
    fx.push({ type: 'schedule-rebroadcast', height, durationMs: s.timeouts.rebroadcastMs });
  }
}

function onTimeout(
  s: EngineState,
  kind: TimeoutKind,
  height: number,
  round: number,
  fx: Effect[],
): void {
  if (height !== s.height || round !== s.round || s.decision !== null) return;
  switch (kind) {
    case 'propose':
      // L57: OnTimeoutPropose: prevote nil if still proposing.
      if (s.step !== 'propose') return;
      castVote(s, 'prevote', NIL, fx);
      s.step = 'prevote';
      s.waitingForWork = false;
      break;
    case 'prevote':
      // L61: OnTimeoutPrevote: precommit nil if still prevoting.
      if (s.step !== 'prevote') return;
      castVote(s, 'precommit', NIL, fx);
      s.step = 'precommit';
      break;
    case 'precommit':
      // L65: OnTimeoutPrecommit: next round.
      startRound(s, s.round + 1, fx);
      break;
  }
  evaluate(s, fx);
}
