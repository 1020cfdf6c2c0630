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
  | { type: 'rebroadcast-due'; height: number };

export type Effect =
  | { type: 'get-block'; height: number; round: number }
  | { type: 'sign-proposal'; proposal: UnsignedProposal; block: Block }
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
}

/** Durable storage for SignedState; `save` resolves only once the write is durable. */
export interface SignerStateStore {
  load(): Promise<SignedState | null>;
  save(state: SignedState): Promise<void>;
}
