// applyBlocks on SQLite: the one write path of blocks. A batch (a single block is a batch of
// one) is ONE immediate transaction that checks the head inside it and writes the block rows,
// history rows, touched accounts and records, the state row and the head, and settles the
// outbox entries the blocks include. All of it or none: a kill -9 mid-write leaves the last
// committed batch, and a strict batch is on disk (fsynced) before the call returns.

import type { Hash } from '../../core/types';
import { NotInitializedError } from '../errors';
import { blockAddresses, checkBatchLinked, decideApply } from '../ledger-rules';
import type { ApplyBatchOptions, BlockToApply } from '../types';
import { blockRowOf, type SqliteBlocks } from './blocks';
import type { SqliteConnection } from './connection';
import type { SqliteHistory } from './history';
import type { SqliteOutbox } from './outbox';
import type { SqliteState } from './state';

export interface BlockWriterParts {
  connection: SqliteConnection;
  blocks: SqliteBlocks;
  history: SqliteHistory;
  state: SqliteState;
  outbox: SqliteOutbox;
}

export class SqliteBlockWriter {
  constructor(
    private readonly chainId: string,
    private readonly parts: BlockWriterParts,
  ) {}

  applyBlocks(entries: readonly BlockToApply[], options: ApplyBatchOptions = {}): number {
    const hashes = checkBatchLinked(this.chainId, entries);
    const { connection, blocks, history, state, outbox } = this.parts;
    // Encoding and hashing happen before the write lock is taken.
    const rows = entries.map((entry, i) => blockRowOf(entry, hashes[i] as Hash));
    const addresses = entries.map((entry) => blockAddresses(entry.block.txs));
    return connection.write(options.durability ?? 'strict', () => {
      const head = state.head();
      if (!head) throw new NotInitializedError(this.chainId);
      const first = entries[0];
      if (!first) return 0;
      // Entries at or below the head must be the stored blocks; the first one above it must
      // extend the head (the batch itself is linked already).
      const firstHeight = first.block.header.height;
      const skipped = Math.max(0, Math.min(entries.length, head.height - firstHeight + 1));
      entries.forEach((entry, i) => {
        if (i > skipped) return;
        const height = entry.block.header.height;
        const previous = entry.block.header.previousHash;
        const stored = i < skipped ? blocks.hashAt(height) : null;
        decideApply(head.height, head.hash, height, hashes[i] as Hash, previous, stored);
      });
      const fresh = entries.slice(skipped);
      const last = fresh.at(-1);
      if (!last) return 0;
      fresh.forEach((entry, i) => {
        const at = skipped + i;
        blocks.insert(rows[at]!);
        history.insert(addresses[at]!, entry.block.header.height);
        state.applyChanges(entry.changes);
      });
      state.moveHead(last.changes);
      outbox.settleByBlocks(fresh);
      return fresh.length;
    });
  }
}
