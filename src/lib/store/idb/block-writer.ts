// applyBlocks for IndexedDB: the one write path of blocks. A batch (a single block is a batch of
// one) goes in with ONE readwrite transaction that re-checks the head inside it, so racing tabs
// apply each block exactly once and a tab killed mid-write leaves no half-applied batch. It
// writes the block rows, the state-log rows (or folds them at once), the head, and settles the
// outbox entries the blocks include (outbox.ts).

import type { Hash } from '../../core/types';
import { NotInitializedError, StorageFullError } from '../errors';
import type { BlockRow, FoldedRow, HeadRow, LedgerStoreName, LogRow } from '../idb-schema';
import { blockAddresses, checkBatchLinked, decideApply } from '../ledger-rules';
import { STATE_LOG_BLOCKS_MAX } from '../limits';
import type { ApplyBatchOptions, BlockToApply } from '../types';
import { blockRowOf } from './blocks';
import { countPending, settleByBlocks } from './outbox';
import { FOLD_STORES, foldLog, STATE_STORES, type LogRowCache } from './state-log';
import type { AnyTx, Durability, IdbTransactions } from './transaction';

const BATCH_STORES: LedgerStoreName[] = ['meta', 'blocks', 'state-log', 'outbox'];
/** Aborts a batch written ahead of its head check when the head was not where we left it. */
const HEAD_MOVED = Symbol('head-moved');

interface HeadSeen {
  height: number;
  /** Height up to which the state log was folded. */
  folded: number;
}

interface Batch {
  entries: readonly BlockToApply[];
  hashes: readonly Hash[];
  rows: readonly [BlockRow, LogRow][];
  durability: Durability;
}

/** What a batch's transaction did: blocks it found stored, log length after, folded or not. */
interface BatchWritten {
  head: HeadSeen | null;
  skipped: number;
  logBlocks: number;
  folded: boolean;
}

export class IdbBlockWriter {
  /** Head and folded heights as this handle last saw them (other tabs may have moved them). */
  #lastHead: HeadSeen | null = null;

  constructor(
    private readonly transactions: IdbTransactions,
    private readonly chainId: string,
    private readonly cache: LogRowCache,
  ) {}

  async applyBlocks(
    entries: readonly BlockToApply[],
    options: ApplyBatchOptions = {},
  ): Promise<number> {
    const hashes = checkBatchLinked(this.chainId, entries);
    if (entries.length === 0) return 0;
    const rows = entries.map((entry, i): [BlockRow, LogRow] => [
      blockRowOf(entry, hashes[i] as Hash),
      { changes: entry.changes, addresses: blockAddresses(entry.block.txs) },
    ]);
    const batch: Batch = { entries, hashes, rows, durability: options.durability ?? 'strict' };
    let written: BatchWritten;
    try {
      written = await this.#write(batch, true);
    } catch (error) {
      // A full disk may refuse the fold and still take the blocks with their log rows.
      if (!(error instanceof StorageFullError)) throw error;
      written = await this.#write(batch, false);
    }
    const { skipped, logBlocks, folded } = written;
    if (!folded) {
      for (const [row, logRow] of rows.slice(skipped)) this.cache.remember(row.height, logRow);
    }
    if (skipped < entries.length && logBlocks >= STATE_LOG_BLOCKS_MAX) {
      try {
        await this.transactions.run(
          STATE_STORES,
          'readwrite',
          (tx) => foldLog(tx, this.cache),
          batch.durability,
        );
      } catch (error) {
        // The blocks are durable already; a fold that does not fit waits for the next block
        // (the log only makes reads do a little more work meanwhile).
        if (!(error instanceof StorageFullError)) throw error;
      }
    }
    return entries.length - skipped;
  }

  /**
   * With `foldNow`, a batch that fills the state log to STATE_LOG_BLOCKS_MAX is folded in the
   * same transaction instead of being written to the log first (a sync batch of
   * SYNC_PERSIST_BLOCKS_MAX blocks does that every time): half the puts, no second
   * transaction, no read-back of the log.
   *
   * When this handle's last write left the head just below the batch (the common case: one
   * writer committing block after block), the writes go out together with the head check's
   * reads, so one round trip serves all; if another tab moved the head meanwhile, the
   * transaction is aborted (its writes vanish with it) and run again the careful way.
   */
  async #write(batch: Batch, foldNow: boolean): Promise<BatchWritten> {
    const firstHeight = (batch.entries[0] as BlockToApply).block.header.height;
    const expected = this.#lastHead;
    if (expected?.height === firstHeight - 1) {
      try {
        return await this.#transaction(batch, foldNow, expected.folded);
      } catch (error) {
        if (error !== HEAD_MOVED) throw error;
      }
    }
    return this.#transaction(batch, foldNow, null);
  }

  /** `guessFolded`: write before the head check, guessing the log is folded up to it. */
  async #transaction(
    batch: Batch,
    foldNow: boolean,
    guessFolded: number | null,
  ): Promise<BatchWritten> {
    const result: BatchWritten = { head: null, skipped: 0, logBlocks: 0, folded: false };
    await this.transactions
      .run(
        [...BATCH_STORES, ...(foldNow ? FOLD_STORES : [])],
        'readwrite',
        (tx) => this.#body(tx, batch, foldNow, guessFolded, result),
        batch.durability,
      )
      .catch((error: unknown) => {
        this.#lastHead = null;
        throw error;
      });
    this.#lastHead = result.head;
    return result;
  }

  async #body(
    tx: AnyTx,
    batch: Batch,
    foldNow: boolean,
    guessFolded: number | null,
    result: BatchWritten,
  ): Promise<void> {
    const { entries, hashes, rows } = batch;
    const firstHeight = (entries[0] as BlockToApply).block.header.height;
    const last = rows.at(-1)?.[0] as BlockRow;
    const meta = tx.objectStore('meta');
    const blocks = tx.objectStore('blocks');
    const reads = Promise.all([
      meta.get('head') as Promise<HeadRow | undefined>,
      meta.get('folded') as Promise<FoldedRow | undefined>,
      countPending(tx),
    ]);
    // Requests run in order: the reads above see the database before these writes.
    const writeRows = (skipped: number, foldedHeight: number): boolean => {
      const fold = foldNow && last.height - foldedHeight >= STATE_LOG_BLOCKS_MAX;
      const writes: Promise<unknown>[] = [];
      for (const [row, logRow] of rows.slice(skipped)) {
        writes.push(blocks.put(row));
        if (!fold) writes.push(tx.objectStore('state-log').put(logRow, row.height));
      }
      writes.push(meta.put({ height: last.height, hash: last.hash } satisfies HeadRow, 'head'));
      // A failed write fails the transaction; tx.done reports it.
      for (const write of writes) write.catch(() => {});
      return fold;
    };
    const guessedFold = guessFolded === null ? null : writeRows(0, guessFolded);
    const [head, folded, pendingCount] = await reads;
    if (!head || !folded) throw new NotInitializedError(this.chainId);
    // Entries at or below the head must be the stored blocks; the first one above it must
    // extend the head (the batch itself is linked already).
    const skipped = Math.max(0, Math.min(entries.length, head.height - firstHeight + 1));
    if (guessedFold !== null && skipped > 0) throw HEAD_MOVED;
    result.skipped = skipped;
    const stored = await Promise.all(
      entries.slice(0, skipped).map((entry) => blocks.get(entry.block.header.height)),
    );
    entries.forEach((entry, i) => {
      if (i > skipped) return;
      const height = entry.block.header.height;
      const previous = entry.block.header.previousHash;
      const storedHash = i < skipped ? (stored[i]?.hash ?? null) : null;
      decideApply(head.height, head.hash, height, hashes[i] as Hash, previous, storedHash);
    });
    result.head = { height: head.height, folded: folded.height };
    if (skipped === entries.length) return;
    const fold = guessedFold ?? writeRows(skipped, folded.height);
    if (pendingCount > 0) await settleByBlocks(tx, entries.slice(skipped));
    if (fold) {
      await foldLog(
        tx,
        this.cache,
        rows.slice(skipped).map(([, logRow]) => logRow),
      );
      result.folded = true;
    } else {
      result.logBlocks = last.height - folded.height;
    }
    result.head = { height: last.height, folded: fold ? last.height : folded.height };
  }
}
