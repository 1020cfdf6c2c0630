// The 'history' table: one (address, height) row per block whose txs involve the account, so an
// account's page is an index range, newest first, and each block is read once for its txs.

import type { Statement } from 'better-sqlite3';
import { decodeBlock } from '../../core/encoding';
import type { Address, Tx, TxCode } from '../../core/types';
import { SchemaError } from '../errors';
import { historyOfBlock } from '../ledger-rules';
import { pageLimit } from '../page-limit';
import type { AccountHistoryEntry, HeightPage } from '../types';
import type { SqliteBlocks } from './blocks';
import { decodeValue } from './codec';
import type { SqliteConnection } from './connection';

export class SqliteHistory {
  readonly #insert: Statement<[Address, number]>;
  readonly #heights: Statement<[Address, number, number], { height: number }>;

  constructor(
    private readonly connection: SqliteConnection,
    private readonly blocks: SqliteBlocks,
  ) {
    const { db } = connection;
    this.#insert = db.prepare('INSERT OR IGNORE INTO history (address, height) VALUES (?, ?)');
    this.#heights = db.prepare(
      'SELECT height FROM history WHERE address = ? AND height < ? ORDER BY height DESC LIMIT ?',
    );
  }

  /** Inside a write transaction. */
  insert(addresses: readonly Address[], height: number): void {
    for (const address of addresses) this.#insert.run(address, height);
  }

  /** Newest first; a page never splits a block, so `beforeHeight: last.height` continues. */
  accountHistory(address: Address, page: HeightPage): AccountHistoryEntry[] {
    const limit = pageLimit(page.limit);
    if (limit === 0) return [];
    const below = page.beforeHeight ?? Number.MAX_SAFE_INTEGER;
    return this.connection.read(() => {
      const out: AccountHistoryEntry[] = [];
      // Each block holds at least one entry, so `limit` blocks are always enough.
      for (const { height } of this.#heights.all(address, below, limit)) {
        if (out.length >= limit) break;
        const row = this.blocks.byHeightRaw(height);
        if (!row) throw new SchemaError(`history names block ${height}, which is missing`);
        const codes = row.codes === null ? null : decodeValue<TxCode[]>(row.codes);
        let txs: Tx[];
        try {
          txs = decodeBlock(row.bytes).txs;
        } catch (error) {
          throw new SchemaError(`the database file is damaged: block ${height}`, { cause: error });
        }
        out.push(...historyOfBlock(address, height, txs, codes));
      }
      return out;
    });
  }
}
