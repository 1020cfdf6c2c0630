// The 'blocks' object store: one row per height with the block's canonical bytes, its seen
// commit, its tx codes and the summary the block list shows; index 'hash' (hex) -> height.
// Rows are written by block-writer.ts; these are the reads, and the seen-commit replacement.

import { decodeBlock, encodeBlock } from '../../core/encoding';
import { bytesEqual, toHex } from '../../core/hash';
import type { Commit, Hash } from '../../core/types';
import { ApplyMismatchError, NotInitializedError } from '../errors';
import type { BlockRow, HeadRow } from '../idb-schema';
import { pageLimit } from '../page-limit';
import type { BlockSummary, BlockToApply, HeightPage, StoredBlock } from '../types';
import type { AnyTx } from './transaction';

export function blockRowOf(entry: BlockToApply, hash: Hash): BlockRow {
  const { block } = entry;
  return {
    height: block.header.height,
    hash,
    hashHex: toHex(hash),
    bytes: entry.encoded ?? encodeBlock(block),
    commit: entry.commit,
    codes: entry.results ? entry.results.map((result) => result.code) : null,
    time: block.header.time,
    txCount: block.txs.length,
    proposer: block.header.proposer,
  };
}

export function storedBlockOf(row: BlockRow): StoredBlock {
  return {
    height: row.height,
    hash: row.hash,
    block: decodeBlock(row.bytes),
    commit: row.commit,
    codes: row.codes,
  };
}

export function readBlockRow(tx: AnyTx, height: number): Promise<BlockRow | undefined> {
  return tx.objectStore('blocks').get(height);
}

export function readBlockRowByHash(tx: AnyTx, hash: Hash): Promise<BlockRow | undefined> {
  return tx.objectStore('blocks').index('hash').get(toHex(hash));
}

export async function readHeightOfHash(tx: AnyTx, hash: Hash): Promise<number | null> {
  return (await tx.objectStore('blocks').index('hash').getKey(toHex(hash))) ?? null;
}

/** Newest first, strictly below `page.beforeHeight` when given. */
export async function readLatestBlocks(tx: AnyTx, page: HeightPage): Promise<BlockSummary[]> {
  const limit = pageLimit(page.limit);
  const out: BlockSummary[] = [];
  const range =
    page.beforeHeight === undefined ? undefined : IDBKeyRange.upperBound(page.beforeHeight, true);
  let cursor = limit > 0 ? await tx.objectStore('blocks').openCursor(range, 'prev') : null;
  while (cursor && out.length < limit) {
    const { height, hash, time, txCount, proposer } = cursor.value;
    out.push({ height, hash, time, txCount, proposer });
    cursor = out.length < limit ? await cursor.continue() : null;
  }
  return out;
}

/** Needs 'meta' and 'blocks'. The head's block only, and the commit must be for it. */
export async function replaceHeadCommit(tx: AnyTx, chainId: string, commit: Commit): Promise<void> {
  const head = (await tx.objectStore('meta').get('head')) as HeadRow | undefined;
  if (!head) throw new NotInitializedError(chainId);
  const row = await tx.objectStore('blocks').get(commit.height);
  if (commit.height !== head.height || !row) {
    throw new ApplyMismatchError(`seen commit for ${commit.height}, head is ${head.height}`);
  }
  if (!bytesEqual(row.hash, commit.blockHash)) {
    throw new ApplyMismatchError(`seen commit for another block at ${commit.height}`);
  }
  await tx.objectStore('blocks').put({ ...row, commit });
}
