// The 'history' object store: `${address}:${lastHeight}` -> ascending heights of the blocks
// that touched the account, one row per address per fold of the state log (so a block adds no
// index entries). Blocks still in the log are found through its rows' addresses.

import { decodeBlock } from '../../core/encoding';
import type { Address } from '../../core/types';
import { SchemaError } from '../errors';
import type { LedgerStoreName } from '../idb-schema';
import { HISTORY_HEIGHT_DIGITS, historyKey, historyOfBlock } from '../ledger-rules';
import { pageLimit } from '../page-limit';
import type { AccountHistoryEntry, HeightPage } from '../types';
import type { AnyTx } from './transaction';

export const HISTORY_STORES: LedgerStoreName[] = ['blocks', 'state-log', 'history'];

/** Needs HISTORY_STORES. Newest first; a page never splits a block. */
export async function readAccountHistory(
  tx: AnyTx,
  address: Address,
  page: HeightPage,
): Promise<AccountHistoryEntry[]> {
  const limit = pageLimit(page.limit);
  const top = (page.beforeHeight ?? Number.MAX_SAFE_INTEGER) - 1;
  const out: AccountHistoryEntry[] = [];
  if (limit === 0 || top < 1) return out;
  const blocks = tx.objectStore('blocks');
  // A page never splits a block, so `beforeHeight: last.height` continues exactly.
  const take = async (heights: number[]): Promise<boolean> => {
    for (const height of heights) {
      if (out.length >= limit) return false;
      const row = await blocks.get(height);
      if (!row) throw new SchemaError(`history names block ${height}, which is missing`);
      out.push(...historyOfBlock(address, height, decodeBlock(row.bytes).txs, row.codes));
    }
    return out.length < limit;
  };
  const below = (heights: number[]) => heights.filter((h) => h <= top).reverse();
  // Newest first: blocks still in the log, then the fold that straddles `top`, then older
  // folds (history rows are keyed by each fold's last height).
  const logged = (await tx.objectStore('state-log').getAll())
    .filter((row) => row.addresses.includes(address))
    .map((row) => row.changes.height);
  if (!(await take(below(logged)))) return out;
  const history = tx.objectStore('history');
  const prefix = historyKey(address, 0).slice(0, -HISTORY_HEIGHT_DIGITS);
  const straddling = await history.openCursor(IDBKeyRange.lowerBound(historyKey(address, top + 1)));
  if (straddling && straddling.key.startsWith(prefix) && !(await take(below(straddling.value)))) {
    return out;
  }
  const range = IDBKeyRange.bound(historyKey(address, 0), historyKey(address, top));
  let cursor = await history.openCursor(range, 'prev');
  while (cursor && (await take(below(cursor.value)))) cursor = await cursor.continue();
  return out;
}
