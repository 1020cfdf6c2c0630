// The ledger state a full node keeps, and the change set one block makes to it.
//
// applyBlock never copies the whole state: it returns the StateChanges of one block (touched
// accounts and records, plus the small parts replaced wholesale), and applyChanges writes them
// into the caller's state. The store persists the same StateChanges in the transaction that
// persists the block, so applying a block costs O(block), not O(ledger).

import type { Account, Address, GovernanceProposal, Hash, ValidatorSet } from './types';

export interface LedgerState {
  chainId: string;
  /** Height of the last applied block; 0 = genesis state. */
  height: number;
  /** Hash of the last applied block's header (32 zero bytes at genesis). */
  lastBlockHash: Hash;
  /** Time of the last applied block (genesis time at height 0). */
  lastBlockTime: number;
  accounts: Map<Address, Account>;
  /**
   * Records by full key `${address}/${key}`, as far as they are in memory. With
   * `recordsComplete`, a missing key has no record (genesis, tests, the simulator's reference).
   * Without it — a node over a store, which keeps only what blocks touch in memory — a missing
   * key is unknown, null is a known absent record, and the node loads the keys a block touches
   * (recordKeysOf) before executing it; executing with an unknown key is a driver bug and throws
   * RecordNotLoadedError.
   */
  records: Map<string, Uint8Array | null>;
  recordsComplete: boolean;
  /**
   * Signed block `height` (its precommits are the next block's lastCommit, checked against this
   * set). Empty at genesis. Added by core: needed to verify lastCommit across set changes.
   */
  lastValidators: ValidatorSet;
  /**
   * The first height signed by `lastValidators` without a change since (1 at genesis): how far
   * back evidence can be checked against it (see evidenceSetForHeight).
   */
  lastValidatorsSince: number;
  /** Signs block height + 1. */
  validators: ValidatorSet;
  /** Signs block height + 2 (a change approved in block h takes effect at h + 2). */
  nextValidators: ValidatorSet;
  /** Open governance proposals by lowercase hex id. */
  proposals: Map<string, GovernanceProposal>;
  /** Incremental multiset-hash accumulator over accounts, records and validators. */
  accumulator: Uint8Array;
  /** SHA-256 of the accumulator and the small wholesale parts: the root committed in headers. */
  stateRoot: Hash;
}

export interface StateChanges {
  height: number;
  lastBlockHash: Hash;
  lastBlockTime: number;
  /** null = the account was removed (never happens today; kept for symmetry with records). */
  accounts: Array<[Address, Account | null]>;
  /** null = the record was deleted. */
  records: Array<[string, Uint8Array | null]>;
  lastValidators: ValidatorSet;
  lastValidatorsSince: number;
  validators: ValidatorSet;
  nextValidators: ValidatorSet;
  /** The full list of open proposals after the block (bounded by GOVERNANCE_PROPOSALS_MAX). */
  proposals: GovernanceProposal[];
  accumulator: Uint8Array;
  stateRoot: Hash;
}
