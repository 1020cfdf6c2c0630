// The explorer's search box: a height, a block or transaction hash, or an account address,
// resolved against this device's replica. The store indexes blocks by hash but not
// transactions, so a transaction is found in this device's outbox (its own) or by scanning the
// latest blocks that hold transactions, at most SEARCH_BLOCKS_MAX of them (newest first).
import { fromHex, toHex } from '../core/bytes';
import { txHash } from '../core/hash';
import type { LedgerStore } from '../store/types';
import type { SearchResult } from './api';

/** Blocks scanned for a transaction hash at most (newest first); empty blocks are skipped. */
export const SEARCH_BLOCKS_MAX = 2_000;
/** Block summaries read per step of the scan. */
const SEARCH_PAGE_BLOCKS = 100;

const HEIGHT = /^\d{1,15}$/;
const ADDRESS = /^[0-9a-f]{40}$/;
const HASH = /^[0-9a-f]{64}$/;

export async function searchLedger(
  store: LedgerStore,
  headHeight: number,
  text: string,
): Promise<SearchResult> {
  const query = text.trim().toLowerCase().replace(/^0x/, '');
  if (HEIGHT.test(query)) {
    const height = Number(query);
    return height <= headHeight ? { kind: 'block', height } : { kind: 'none', searchedBlocks: 0 };
  }
  if (ADDRESS.test(query)) {
    return (await store.account(query))
      ? { kind: 'account', address: query }
      : { kind: 'none', searchedBlocks: 0 };
  }
  if (!HASH.test(query)) return { kind: 'not-understood' };

  const blockHeight = await store.heightOfHash(fromHex(query));
  if (blockHeight !== null) return { kind: 'block', height: blockHeight };
  const [own] = await store.outboxEntries([query]);
  if (own?.fate.status === 'committed') return { kind: 'tx', hash: query, height: own.fate.height };
  if (own?.fate.status === 'pending') return { kind: 'pending-tx', hash: query };
  return scanForTx(store, headHeight, query);
}

async function scanForTx(store: LedgerStore, headHeight: number, hash: string) {
  const lowest = Math.max(1, headHeight - SEARCH_BLOCKS_MAX + 1);
  let beforeHeight = headHeight + 1;
  while (beforeHeight > lowest) {
    const page = await store.latestBlocks({ beforeHeight, limit: SEARCH_PAGE_BLOCKS });
    if (page.length === 0) break;
    for (const summary of page) {
      if (summary.height < lowest || summary.txCount === 0) continue;
      const stored = await store.block(summary.height);
      if (stored?.block.txs.some((tx) => toHex(txHash(tx)) === hash)) {
        return { kind: 'tx' as const, hash, height: summary.height };
      }
    }
    beforeHeight = page.at(-1)!.height;
  }
  return { kind: 'none' as const, searchedBlocks: headHeight - lowest + 1 };
}
