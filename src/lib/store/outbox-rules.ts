// The outbox's settle-and-prune rule, which every store applies the same way:
//
// - A block settles each pending entry whose tx it includes: 'committed' at its height, or
//   'rejected' with the tx's code from the block's results. setOutboxFate settles one by hand.
// - In the same write that settles entries (a batch of blocks, or setOutboxFate), the settled
//   entries beyond OUTBOX_SETTLED_MAX are dropped, oldest first (by addedMs, then txHash), so
//   the outbox the UI lists stays bounded. Pending entries are never dropped: they are the
//   user's unsent work, bounded when added (OUTBOX_PENDING_MAX).
//
// Stores find the oldest settled entries through an index ordered by (addedMs, txHash) and pass
// only those candidates here, so a prune reads as many rows as it drops, never the outbox.

import { toHex, txHash } from '../core/hash';
import type { TxResult } from '../core/types';
import { OUTBOX_SETTLED_MAX } from './limits';
import type { BlockToApply, OutboxEntry, OutboxFate } from './types';

/** The fate of an outbox tx found at `index` of block `height`. */
export function fateInBlock(
  height: number,
  index: number,
  results: TxResult[] | undefined,
): OutboxFate {
  const result = results?.[index];
  // Without results the node only tells us the tx was included; inclusion is what 'committed'
  // means for a tx whose outcome is unknown.
  if (result === undefined || result.code === 'ok') return { status: 'committed', height };
  return result.detail === undefined
    ? { status: 'rejected', code: result.code }
    : { status: 'rejected', code: result.code, detail: result.detail };
}

/** The pending entries these blocks settle (keyed by tx hash in `pending`), with their fates. */
export function settledByBlocks(
  entries: readonly BlockToApply[],
  pending: ReadonlyMap<string, OutboxEntry>,
): OutboxEntry[] {
  const settled: OutboxEntry[] = [];
  if (pending.size === 0) return settled;
  for (const { block, results } of entries) {
    block.txs.forEach((tx, index) => {
      const item = pending.get(toHex(txHash(tx)));
      if (item?.fate.status === 'pending') {
        settled.push({ ...item, fate: fateInBlock(block.header.height, index, results) });
      }
    });
  }
  return settled;
}

/** Oldest first: by addedMs, then by tx hash (a total order, so every store drops the same). */
export function byOutboxAge(
  a: Pick<OutboxEntry, 'addedMs' | 'txHash'>,
  b: Pick<OutboxEntry, 'addedMs' | 'txHash'>,
): number {
  return a.addedMs - b.addedMs || (a.txHash < b.txHash ? -1 : a.txHash > b.txHash ? 1 : 0);
}

/** How many settled entries must go so that at most OUTBOX_SETTLED_MAX remain. */
export function settledExcess(settledCount: number): number {
  return Math.max(0, settledCount - OUTBOX_SETTLED_MAX);
}

/**
 * The tx hashes of the `excess` oldest settled entries among `candidates`, which must hold at
 * least the `excess` oldest settled entries of the store (more is fine: a store with one index
 * per status passes the oldest `excess` of each). Pending candidates are never chosen.
 */
export function settledToDrop(
  candidates: readonly Pick<OutboxEntry, 'addedMs' | 'txHash' | 'fate'>[],
  excess: number,
): string[] {
  if (excess <= 0) return [];
  return candidates
    .filter((entry) => entry.fate.status !== 'pending')
    .sort(byOutboxAge)
    .slice(0, excess)
    .map((entry) => entry.txHash);
}
