// The engine's state: plain data owned by `step` (see engine.ts), created by `createEngine`.

import type { Address, Block, ChainId, Proposal, ValidatorSet, Vote } from '../core/types';
import { createFutureHeightBuffer, type FutureHeightBuffer } from './future-height';
import { DEFAULT_TIMEOUTS } from './params';
import { proposerFor, type ProposerCache } from './proposer';
import type { Effect, Step, TimeoutParams } from './types';
import { createVoteKeeper, type ValueKey, type VoteKeeper } from './vote-keeper';

export interface EngineParams {
  /** Chain id written into every vote and proposal this node signs. */
  chainId: ChainId;
  /** Overrides of DEFAULT_TIMEOUTS (params.ts). */
  timeouts?: Partial<TimeoutParams>;
}

/** A driver bug (not a peer's fault): thrown, never returned. */
export class EngineAssertionError extends Error {
  override name = 'EngineAssertionError';
}

export interface StoredProposal {
  proposal: Proposal;
  block: Block;
  value: ValueKey;
}

export type Validity = 'pending' | 'valid' | 'invalid';

/**
 * The whole engine state. Plain data (Maps, Sets, arrays, Uint8Arrays; no functions or
 * classes), so `structuredClone(state)` snapshots it. Read it through `engineStatus`; the
 * fields are exported for tests and debugging, not as an API.
 */
export interface EngineState {
  chainId: ChainId;
  timeouts: TimeoutParams;
  /** 0 until the first 'start-height'. */
  height: number;
  round: number;
  step: Step;
  validators: ValidatorSet;
  /** This validator's address, or null for an observer (also when `self` is not in the set). */
  self: Address | null;
  hasWork: boolean;
  /** Round 0 without work: no proposal and no propose timeout until work or the heartbeat. */
  waitingForWork: boolean;
  /** The round whose 'get-block' is outstanding. */
  awaitingBlockRound: number | null;
  lockedValue: ValueKey | null;
  lockedRound: number;
  validValue: ValueKey | null;
  validRound: number;
  /** The decided value of this height (step is then 'commit'). */
  decision: ValueKey | null;
  keeper: VoteKeeper;
  /** Proposals from the right proposer, per round, in arrival order. */
  proposals: Map<number, StoredProposal[]>;
  /** Blocks of this height by value (from accepted proposals and our own). */
  blocks: Map<ValueKey, Block>;
  validity: Map<ValueKey, Validity>;
  /** Rules that fire once per round: `${line}:${round}`. */
  fired: Set<string>;
  /** Signatures requested and not yet returned: `${round}:${'proposal'|VoteType}` -> value. */
  pendingSignatures: Map<string, ValueKey>;
  /** Proposer priorities before this height's round 0 (see proposer.ts). */
  proposerCache: ProposerCache | null;
  proposerByRound: Map<number, Address>;
  /** Our latest signed votes of this height, re-broadcast on 'rebroadcast-due'. */
  lastPrevote: Vote | null;
  lastPrecommit: Vote | null;
  /**
   * Our precommit for the block decided at height - 1, re-broadcast too: peers still deciding
   * that height need 2f+1 precommits, and nodes that moved on would otherwise fall silent on it
   * (CometBFT gossips the last commit to such peers for the same reason).
   */
  previousPrecommit: Vote | null;
  futureHeight: FutureHeightBuffer;
}

const EMPTY_SET: ValidatorSet = { validators: [], totalPower: 0 };

/** A fresh engine; it does nothing until the driver sends 'start-height'. */
export function createEngine(params: EngineParams): EngineState {
  return {
    chainId: params.chainId,
    timeouts: { ...DEFAULT_TIMEOUTS, ...params.timeouts },
    height: 0,
    round: 0,
    step: 'propose',
    validators: EMPTY_SET,
    self: null,
    hasWork: false,
    waitingForWork: false,
    awaitingBlockRound: null,
    lockedValue: null,
    lockedRound: -1,
    validValue: null,
    validRound: -1,
    decision: null,
    keeper: createVoteKeeper(EMPTY_SET),
    proposals: new Map(),
    blocks: new Map(),
    validity: new Map(),
    fired: new Set(),
    pendingSignatures: new Map(),
    proposerCache: null,
    proposerByRound: new Map(),
    lastPrevote: null,
    lastPrecommit: null,
    previousPrecommit: null,
    futureHeight: createFutureHeightBuffer(),
  };
}

export function drop(fx: Effect[], reason: string): void {
  fx.push({ type: 'dropped', reason });
}

export function proposerOf(s: EngineState, round: number): Address {
  let proposer = s.proposerByRound.get(round);
  if (proposer === undefined) {
    proposer = proposerFor(s.validators, s.height, round, s.proposerCache).proposer;
    s.proposerByRound.set(round, proposer);
  }
  return proposer;
}
