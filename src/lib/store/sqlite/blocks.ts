// The 'blocks' table: canonical bytes, seen commit and tx codes of each block by height, with a
// unique hash and the summary the block list shows. Rows are inserted by block-writer.ts.

import type { Statement } from 'better-sqlite3';
import { decodeBlock, encodeBlock } from '../../core/encoding';
import { blockHash, bytesEqual } from '../../core/hash';
import type { Block, Commit, Hash, TxCode } from '../../core/types';
import { SchemaError } from '../errors';
import { pageLimit } from '../page-limit';
import type { BlockSummary, BlockToApply, HeightPage, StoredBlock } from '../types';
import { bytesOf, decodeValue, encodeValue } from './codec';
import type { SqliteConnection } from './connection';

interface BlockColumns {
  height: number;
  hash: Uint8Array;
  bytes: Uint8Array;
  seen_commit: Uint8Array;
  codes: Uint8Array | null;
}

interface SummaryColumns {
  height: number;
  hash: Uint8Array;
  time: number;
  tx_count: number;
  proposer: string;
}

/** A block row ready to insert, prepared outside the write transaction. */
export interface BlockRow {
  height: number;
  hash: Uint8Array;
  bytes: Uint8Array;
  seenCommit: Buffer;
  codes: Buffer | null;
  time: number;
  txCount: number;
  proposer: string;
}

export function blockRowOf(entry: BlockToApply, hash: Hash): BlockRow {
  const { block, results } = entry;
  return {
    height: block.header.height,
    hash,
    bytes: entry.encoded ?? encodeBlock(block),
    seenCommit: encodeValue(entry.commit),
    codes: results ? encodeValue(results.map((result) => result.code)) : null,
    time: block.header.time,
    txCount: block.txs.length,
    proposer: block.header.proposer,
  };
}

/** The stored block, checked against its stored hash: damage is refused, never served. */
function storedBlockOf(row: BlockColumns): StoredBlock {
  let block: Block;
  try {
    block = decodeBlock(row.bytes);
  } catch (error) {
    throw new SchemaError(`the database file is damaged: block ${row.height}`, { cause: error });
  }
  if (!bytesEqual(blockHash(block), row.hash)) {
    throw new SchemaError(`the database file is damaged: block ${row.height} has another hash`);
  }
  return {
    height: row.height,
    hash: bytesOf(row.hash),
    block,
    commit: decodeValue<Commit>(row.seen_commit),
    codes: row.codes === null ? null : decodeValue<TxCode[]>(row.codes),
  };
}

export class SqliteBlocks {
  readonly #insert: Statement<[BlockRow]>;
  readonly #byHeight: Statement<[number], BlockColumns>;
  readonly #byHash: Statement<[Uint8Array], BlockColumns>;
  readonly #hashAt: Statement<[number], { hash: Uint8Array }>;
  readonly #heightOf: Statement<[Uint8Array], { height: number }>;
  readonly #bytesAt: Statement<[number], { bytes: Uint8Array }>;
  readonly #latest: Statement<[number, number], SummaryColumns>;
  readonly #maxHeight: Statement<[], { height: number | null }>;
  readonly #setCommit: Statement<[Buffer, number]>;

  constructor(private readonly connection: SqliteConnection) {
    const { db } = connection;
    const columns = 'height, hash, bytes, seen_commit, codes';
    this.#insert = db.prepare(
      `INSERT INTO blocks (height, hash, bytes, seen_commit, codes, time, tx_count, proposer)
       VALUES (@height, @hash, @bytes, @seenCommit, @codes, @time, @txCount, @proposer)`,
    );
    this.#byHeight = db.prepare(`SELECT ${columns} FROM blocks WHERE height = ?`);
    this.#byHash = db.prepare(`SELECT ${columns} FROM blocks WHERE hash = ?`);
    this.#hashAt = db.prepare('SELECT hash FROM blocks WHERE height = ?');
    this.#heightOf = db.prepare('SELECT height FROM blocks WHERE hash = ?');
    this.#bytesAt = db.prepare('SELECT bytes FROM blocks WHERE height = ?');
    this.#latest = db.prepare(
      `SELECT height, hash, time, tx_count, proposer FROM blocks WHERE height < ?
       ORDER BY height DESC LIMIT ?`,
    );
    this.#maxHeight = db.prepare('SELECT MAX(height) AS height FROM blocks');
    this.#setCommit = db.prepare('UPDATE blocks SET seen_commit = ? WHERE height = ?');
  }

  /** Inside a write transaction. */
  insert(row: BlockRow): void {
    this.#insert.run(row);
  }

  /** Inside a write transaction: the head's block must be there (the caller checked). */
  replaceCommit(commit: Commit): void {
    this.#setCommit.run(encodeValue(commit), commit.height);
  }

  hashAt(height: number): Hash | null {
    const row = this.#hashAt.get(height);
    return row ? bytesOf(row.hash) : null;
  }

  maxHeight(): number {
    return this.#maxHeight.get()?.height ?? 0;
  }

  /** The block's txs and codes, for history (decoded from the stored bytes). */
  byHeightRaw(height: number): BlockColumns | undefined {
    return this.#byHeight.get(height);
  }

  block(height: number): StoredBlock | null {
    const row = this.connection.read(() => this.#byHeight.get(height));
    return row ? storedBlockOf(row) : null;
  }

  blockByHash(hash: Hash): StoredBlock | null {
    const row = this.connection.read(() => this.#byHash.get(hash));
    return row ? storedBlockOf(row) : null;
  }

  heightOfHash(hash: Hash): number | null {
    return this.connection.read(() => this.#heightOf.get(hash)?.height ?? null);
  }

  blockBytes(height: number): Uint8Array | null {
    const row = this.connection.read(() => this.#bytesAt.get(height));
    return row ? bytesOf(row.bytes) : null;
  }

  latestBlocks(page: HeightPage): BlockSummary[] {
    const limit = pageLimit(page.limit);
    if (limit === 0) return [];
    const below = page.beforeHeight ?? Number.MAX_SAFE_INTEGER;
    return this.connection
      .read(() => this.#latest.all(below, limit))
      .map((row) => ({
        height: row.height,
        hash: bytesOf(row.hash),
        time: row.time,
        txCount: row.tx_count,
        proposer: row.proposer,
      }));
  }
}
