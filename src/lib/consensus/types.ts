// The consensus engine's contract: a pure state machine `(state, input) -> (state, effects)`.
// The driver (src/lib/node, or the simulator) performs effects and feeds results back as inputs.
// Signatures on incoming proposals and votes are verified by the driver before they become
// inputs; the engine trusts its inputs' signatures and checks everything else.

import type {
  Block,
  Commit,
  Evidence,
  Hash,
  Proposal,
  UnsignedProposal,
  UnsignedVote,
  ValidatorSet,
  Vote,
} from '../core/types';

export type Step = 'propose' | 'prevote' | 'precommit' | 'commit';
export type TimeoutKind = 'propose' | 'prevote' | 'precommit';

export interface TimeoutParams {
  proposeMs: number;
  proposeDeltaMs: number;
  prevoteMs: number;
  prevoteDeltaMs: number;
  precommitMs: number;
  precommitDeltaMs: number;
  /** Propose an empty block after this long without transactions (0 = never). */
  heartbeatMs: number;
  /** Re-broadcast own latest votes this often, so liveness survives lossy gossip. */
  rebroadcastMs: number;
}

export type Input =
  /** Begin height `height` with the validator set that signs it. `self` is null for observers. */
  | {
      type: 'start-height';
      height: number;
      validators: ValidatorSet;
      self: string | null;
      /** Whether transactions (or evidence) are waiting; if false the proposer waits. */
      hasWork: boolean;
      /**
       * Start in this round instead of 0 (added by the engine). A validator restarting at a
       * height it already signed at passes `restartPoint(lastSigned, height, ...)` (see
       * signer-guard.ts): the guard refuses every earlier round, so starting there is useless.
       */
      round?: number;
      /**
       * The lock this validator held at this height before a restart (added by the engine;
       * from SignedState.lock). Without it a restarted validator could prevote for a block
       * conflicting with its own earlier precommit, which breaks safety if enough restart.
       */
      lock?: ConsensusLock | null;
    }
  /** Transactions arrived while the proposer of the current round was idle. */
  | { type: 'work-available' }
  /** A proposal whose signature the driver verified, with its block (hash checked too). */
  | { type: 'proposal'; proposal: Proposal; block: Block }
  /** The driver's verdict on a proposed block (full core validation and execution). */
  | { type: 'block-validity'; height: number; round: number; blockHash: Hash; valid: boolean }
  /** A vote whose signature the driver verified. */
  | { type: 'vote'; vote: Vote }
  | { type: 'timeout'; kind: TimeoutKind; height: number; round: number }
  /** Answer to a 'get-block' effect. */
  | { type: 'block-to-propose'; height: number; round: number; block: Block }
  /** Answer to a 'sign-vote' effect: the signer guard allowed it and persisted first. */
  | { type: 'vote-signed'; vote: Vote }
  /** Answer to a 'sign-proposal' effect. */
  | { type: 'proposal-signed'; proposal: Proposal; block: Block }
  /** The rebroadcast timer fired. */
  | { type: 'rebroadcast-due'; height: number }
  /**
   * The heartbeat scheduled by 'schedule-heartbeat' elapsed: propose (an empty block if need be)
   * even though no transaction is waiting. Same effect as 'work-available', but tied to a height
   * so a stale timer cannot trigger an empty block at a later height. (Added by the engine.)
   */
  | { type: 'heartbeat-due'; height: number };

export type Effect =
  | { type: 'get-block'; height: number; round: number }
  | { type: 'sign-proposal'; proposal: UnsignedProposal; block: Block }
  /**
   * Sign this vote. Its `timestamp` is 0: the engine has no clock, so the driver writes its wall
   * clock (ms) into `timestamp` before signing (precommit times feed the next block's time).
   */
  | { type: 'sign-vote'; vote: UnsignedVote }
  | { type: 'broadcast-proposal'; proposal: Proposal; block: Block }
  | { type: 'broadcast-vote'; vote: Vote }
  | { type: 'validate-block'; height: number; round: number; block: Block }
  | {
      type: 'schedule-timeout';
      kind: TimeoutKind;
      height: number;
      round: number;
      durationMs: number;
    }
  | { type: 'schedule-heartbeat'; height: number; durationMs: number }
  | { type: 'schedule-rebroadcast'; height: number; durationMs: number }
  | { type: 'decide'; block: Block; commit: Commit }
  | { type: 'evidence'; evidence: Evidence }
  /** A message was dropped (bounded buffer full, wrong height, not a validator...): for metrics. */
  | { type: 'dropped'; reason: string };

/** lockedRound / lockedValue of Algorithm 1: set when a validator precommits a block. */
export interface ConsensusLock {
  round: number;
  blockHash: Hash;
  /**
   * The locked block itself, when the driver gave it to the signer guard with the precommit.
   * A restarted validator needs it to propose the block again: a lone validator locked on a
   * block it no longer has could never decide (it may only prevote that block).
   */
  block?: Block;
}

/**
 * The last (height, round, step) this validator signed, persisted before any signature leaves
 * the node. A restarted node reads it back and refuses to sign anything that would regress or
 * conflict with it.
 */
export interface SignedState {
  height: number;
  round: number;
  /** 0 = proposal, 1 = prevote, 2 = precommit. */
  step: 0 | 1 | 2;
  /** Hash of the block signed at that step (null for nil); re-signing the same thing is allowed. */
  blockHash: Hash | null;
  /**
   * The lock at `height` implied by everything signed so far: the latest non-nil precommit of
   * this height (added by the engine; maintained by the signer guard, see `withLock`). Absent or
   * null = not locked.
   */
  lock?: ConsensusLock | null;
  /**
   * The votes signed at `height`, oldest first (the driver's write-ahead log, kept by the node's
   * signer guard; at most SIGNED_VOTES_KEPT_MAX). A restarted validator re-counts and
   * re-broadcasts them: the guard refuses a different vote at the same step, so a vote lost in
   * flight before the crash would otherwise be lost for good, and a round whose quorum needs it
   * would never end (the simulator found such stalls). Absent = none.
   */
  votes?: readonly Vote[];
}

/** Durable storage for SignedState; `save` resolves only once the write is durable. */
export interface SignerStateStore {
  load(): Promise<SignedState | null>;
  save(state: SignedState): Promise<void>;
  /**
   * Store `state` again with more logged `votes` (same height, round, step and block hash as
   * the last save), best effort: the write need not be durable when the promise resolves (a
   * vote missing from the log after a crash is only not replayed). Refuses a regression like
   * `save`. Absent: the guard uses `save`.
   */
  saveVotes?(state: SignedState): Promise<void>;
}
