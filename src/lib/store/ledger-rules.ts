// Rules both store implementations apply identically: what a block write must agree with, how
// a change set folds into a ledger state, which accounts a tx touches, and when a signer-state
// save is allowed. Keeping them here is what makes the two stores behave the same.

import { canSign } from '../consensus/signer-guard';
import type { SignedState } from '../consensus/types';
import { addressOf, blockHash, bytesEqual, toHex, txHash } from '../core/hash';
import { APPLY_BATCH_BLOCKS_MAX } from './limits';
import type { Address, Hash, PublicKey, Tx, TxCode } from '../core/types';
import {
  ApplyMismatchError,
  BrokenLinkError,
  ConflictingBlockError,
  HeightGapError,
  SignerRegressionError,
} from './errors';
import type { AccountHistoryEntry, BlockToApply } from './types';

/** Checks that block, commit, changes and results describe one block; throws ApplyMismatchError. */
export function checkEntryConsistent(chainId: string, entry: BlockToApply, hash: Hash): void {
  const { block, commit, changes, results } = entry;
  const height = block.header.height;
  if (block.header.chainId !== chainId)
    throw new ApplyMismatchError(`block of chain ${block.header.chainId}`);
  if (commit.height !== height)
    throw new ApplyMismatchError(`commit height ${commit.height} for block ${height}`);
  if (!bytesEqual(commit.blockHash, hash))
    throw new ApplyMismatchError(`commit for another block at ${height}`);
  if (changes.height !== height)
    throw new ApplyMismatchError(`changes of height ${changes.height} for block ${height}`);
  if (!bytesEqual(changes.lastBlockHash, hash))
    throw new ApplyMismatchError(`changes of another block at ${height}`);
  if (results && results.length !== block.txs.length) {
    throw new ApplyMismatchError(`${results.length} results for ${block.txs.length} txs`);
  }
}

/**
 * Decides a block write against the current head, checked inside the writing transaction.
 * `storedHash` is the hash of the block already stored at that height (when height <= head).
 */
export function decideApply(
  headHeight: number,
  headHash: Hash,
  height: number,
  hash: Hash,
  previousHash: Hash,
  storedHash: Hash | null,
): 'apply' | 'already-applied' {
  if (height === headHeight + 1) {
    if (!bytesEqual(previousHash, headHash)) {
      throw new BrokenLinkError(height, toHex(headHash), toHex(previousHash));
    }
    return 'apply';
  }
  if (height > headHeight + 1) throw new HeightGapError(headHeight, height);
  if (storedHash === null) throw new HeightGapError(headHeight, height);
  if (!bytesEqual(storedHash, hash))
    throw new ConflictingBlockError(height, toHex(storedHash), toHex(hash));
  return 'already-applied';
}

/**
 * Checks a batch for applyBlocks before it touches storage: each entry consistent, heights
 * consecutive, each block linked to the one before, at most APPLY_BATCH_BLOCKS_MAX. Returns the
 * block hashes in order.
 */
export function checkBatchLinked(chainId: string, entries: readonly BlockToApply[]): Hash[] {
  if (entries.length > APPLY_BATCH_BLOCKS_MAX) {
    throw new ApplyMismatchError(`${entries.length} blocks in one batch`);
  }
  const hashes: Hash[] = [];
  entries.forEach((entry, i) => {
    const hash = blockHash(entry.block);
    checkEntryConsistent(chainId, entry, hash);
    const previous = entries[i - 1];
    const previousHash = hashes[i - 1];
    if (previous && previousHash) {
      const height = entry.block.header.height;
      const expected = previous.block.header.height + 1;
      if (height !== expected) throw new HeightGapError(expected - 1, height);
      if (!bytesEqual(entry.block.header.previousHash, previousHash)) {
        throw new BrokenLinkError(
          height,
          toHex(previousHash),
          toHex(entry.block.header.previousHash),
        );
      }
    }
    hashes.push(hash);
  });
  return hashes;
}

/** Address derivation hashes the key; busy accounts repeat, so a small cache pays off. */
const ADDRESS_CACHE_MAX = 4_096;
const addressCache = new Map<string, Address>();

function cachedAddressOf(publicKey: PublicKey): Address {
  const key = toHex(publicKey);
  let address = addressCache.get(key);
  if (address === undefined) {
    address = addressOf(publicKey);
    if (addressCache.size >= ADDRESS_CACHE_MAX) addressCache.clear();
    addressCache.set(key, address);
  }
  return address;
}

/** Accounts whose history lists this tx: the sender, and the recipient of a transfer. */
export function txAddresses(tx: Tx): Address[] {
  const sender = cachedAddressOf(tx.from);
  if (tx.kind === 'transfer' && 'to' in tx.body && tx.body.to !== sender)
    return [sender, tx.body.to];
  return [sender];
}

/** Distinct accounts touched by a block's txs (the history index keys of its block row). */
export function blockAddresses(txs: readonly Tx[]): Address[] {
  const set = new Set<Address>();
  for (const tx of txs) for (const address of txAddresses(tx)) set.add(address);
  return [...set];
}

function sameBlockHash(a: Hash | null, b: Hash | null): boolean {
  return a === null || b === null ? a === b : bytesEqual(a, b);
}

/** The consensus signer rule (canSign), enforced once more where the state is written. */
export function checkSignerAdvance(previous: SignedState | null, next: SignedState): void {
  const decision = canSign(previous, next);
  if (!decision.ok) {
    throw new SignerRegressionError(
      `${decision.refused}: (${next.height}, ${next.round}, ${next.step}) after ` +
        `(${previous?.height}, ${previous?.round}, ${previous?.step})`,
    );
  }
}

export function sameSignedState(a: SignedState | null, b: SignedState): boolean {
  return (
    a !== null &&
    a.height === b.height &&
    a.round === b.round &&
    a.step === b.step &&
    sameBlockHash(a.blockHash, b.blockHash)
  );
}

/** The history entries of one block for one account, newest (highest index) first. */
export function historyOfBlock(
  address: Address,
  height: number,
  txs: readonly Tx[],
  codes: readonly TxCode[] | null,
): AccountHistoryEntry[] {
  const out: AccountHistoryEntry[] = [];
  for (let index = txs.length - 1; index >= 0; index--) {
    const tx = txs[index]!;
    if (!txAddresses(tx).includes(address)) continue;
    out.push({ height, index, txHash: txHash(tx), tx, code: codes?.[index] ?? null });
  }
  return out;
}

/** Fixed-width height, so history index keys `${address}:${height}` sort by height. */
export const HISTORY_HEIGHT_DIGITS = 16;

export function historyKey(address: Address, height: number): string {
  return `${address}:${String(height).padStart(HISTORY_HEIGHT_DIGITS, '0')}`;
}
