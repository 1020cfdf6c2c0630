// The state transition: checkTx for the mempool, applyBlock for a validated block, and
// applyChanges to write a block's StateChanges into the caller's state.

import { bytesEqual, toHex } from './bytes';
import { accountElement, accumulate, recordElement, stateRootOf } from './accumulator';
import { executeTx, inclusionError, newOverlay, stateRecord } from './execute';
import { blockSignatureSources } from './block';
import { blockHash } from './hash';
import { GOVERNANCE_PROPOSAL_TTL_BLOCKS } from './params';
import type { LedgerState, StateChanges } from './state';
import type { Block, Tx, TxResult } from './types';
import { makeValidatorSet, validatorSetHash } from './validators';

/**
 * Would `tx` succeed if it were the next tx applied on `state`? `signatureValid` is the driver's
 * verdict on tx.signature over txSignBytes(tx) (see blockSignatureChecks).
 */
export function checkTx(
  state: LedgerState,
  tx: Tx,
  signatureValid: boolean,
  possessionValid = true,
): TxResult {
  return executeTx(newOverlay(state), tx, signatureValid, possessionValid);
}

/**
 * Could `tx` go into the next block on `state` (ok), or wait for earlier txs of its sender
 * ('nonce-gap')? Any other code: never in a block on this state. Its body may still fail.
 */
export function checkInclusion(state: LedgerState, tx: Tx, signatureValid: boolean): TxResult {
  return inclusionError(newOverlay(state), tx, signatureValid) ?? { code: 'ok' };
}

/**
 * `tx` checked as if `before` (the sender's own earlier txs, in nonce order) were applied first:
 * what a device's outbox asks before signing a new tx while others are pending.
 */
export function checkTxAfter(state: LedgerState, before: readonly Tx[], tx: Tx): TxResult {
  const overlay = newOverlay(state);
  // The device's own txs: their proofs of possession are the ones it was given, verified when
  // the join request arrived (validators verify them again in the block).
  // The per-block limits (new accounts, new records) are not this check's business: pending
  // txs land in as many blocks as they need, and each proposer keeps its block within them.
  const unlimited = (next: Tx) => {
    overlay.newAccounts = 0;
    overlay.newRecords = 0;
    return executeTx(overlay, next, true, true);
  };
  for (const earlier of before) unlimited(earlier);
  return unlimited(tx);
}

/**
 * Executes a block (validated with validateBlock) on `state` without modifying it. `verdicts` is
 * the driver's answer for blockSignatureChecks(state, block), whose first block.txs.length
 * entries are the txs' signatures. A failed tx keeps its code and uses only its nonce.
 */
export function applyBlock(
  state: LedgerState,
  block: Block,
  verdicts: readonly boolean[],
): { changes: StateChanges; results: TxResult[] } {
  const overlay = newOverlay(state);
  const possessionValid = new Map<number, boolean>();
  blockSignatureSources(state, block).forEach((source, i) => {
    if (source.kind === 'possession') possessionValid.set(source.index, verdicts[i] === true);
  });
  const results = block.txs.map((tx, i) =>
    executeTx(overlay, tx, verdicts[i] === true, possessionValid.get(i) ?? false),
  );

  for (const [id, proposal] of overlay.proposals) {
    if (proposal.height + GOVERNANCE_PROPOSAL_TTL_BLOCKS <= overlay.height) {
      overlay.proposals.delete(id);
    }
  }

  const accumulator = state.accumulator.slice();
  const accounts = [...overlay.accounts];
  for (const [address, account] of accounts) {
    const old = state.accounts.get(address);
    if (old) accumulate(accumulator, accountElement(address, old), -1);
    accumulate(accumulator, accountElement(address, account), 1);
  }
  const records = [...overlay.records];
  for (const [fullKey, value] of records) {
    const old = stateRecord(state, fullKey);
    if (old) accumulate(accumulator, recordElement(fullKey, old), -1);
    if (value) accumulate(accumulator, recordElement(fullKey, value), 1);
  }

  // A change approved in this block (height h) joins the set for h + 2.
  const sets = {
    lastValidators: state.validators,
    validators: state.nextValidators,
    nextValidators: overlay.nextChanged
      ? makeValidatorSet([...overlay.next.values()])
      : state.nextValidators,
  };
  const proposals = [...overlay.proposals.values()];
  // Evidence can reach back over heights signed by an unchanged set (evidenceSetForHeight).
  // The same object has the same hash: a steady set is one object from block to block.
  const setUnchanged =
    state.height > 0 &&
    (state.validators === state.lastValidators ||
      bytesEqual(validatorSetHash(state.validators), validatorSetHash(state.lastValidators)));
  return {
    changes: {
      height: overlay.height,
      lastValidatorsSince: setUnchanged ? state.lastValidatorsSince : overlay.height,
      lastBlockHash: blockHash(block),
      lastBlockTime: block.header.time,
      accounts,
      records,
      ...sets,
      proposals,
      access: overlay.access,
      accumulator,
      stateRoot: stateRootOf(accumulator, sets, proposals, overlay.access),
    },
    results,
  };
}

/** Writes a block's changes into `state` (mutates it): O(changes), not O(state). */
export function applyChanges(state: LedgerState, changes: StateChanges): void {
  state.height = changes.height;
  state.lastBlockHash = changes.lastBlockHash;
  state.lastBlockTime = changes.lastBlockTime;
  for (const [address, account] of changes.accounts) {
    if (account) state.accounts.set(address, account);
    else state.accounts.delete(address);
  }
  for (const [fullKey, value] of changes.records) {
    if (value) state.records.set(fullKey, value);
    // An incomplete state remembers the deletion (unknown and absent differ there).
    else if (state.recordsComplete) state.records.delete(fullKey);
    else state.records.set(fullKey, null);
  }
  state.lastValidators = changes.lastValidators;
  state.lastValidatorsSince = changes.lastValidatorsSince;
  state.validators = changes.validators;
  state.nextValidators = changes.nextValidators;
  state.proposals = new Map(changes.proposals.map((p) => [toHex(p.id), p]));
  state.access = changes.access;
  state.accumulator = changes.accumulator;
  state.stateRoot = changes.stateRoot;
}
