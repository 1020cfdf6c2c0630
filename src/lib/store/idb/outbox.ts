// The 'outbox' object store: txHash -> OutboxEntry, with indexes 'status' [status, addedMs]
// and 'added' (addedMs). Both order equal keys by tx hash, which is the age order of the
// settle-and-prune rule (outbox-rules.ts), so pending entries and the oldest settled ones are
// read through an index, never by reading the whole outbox.

import { toHex, txHash } from '../../core/hash';
import type { Tx } from '../../core/types';
import { NotFoundError, OutboxFullError } from '../errors';
import { OUTBOX_PENDING_MAX } from '../limits';
import { settledByBlocks, settledExcess, settledToDrop } from '../outbox-rules';
import type { BlockToApply, OutboxEntry, OutboxFate } from '../types';
import type { AnyTx } from './transaction';

function statusRange(status: OutboxFate['status']): IDBKeyRange {
  return IDBKeyRange.bound([status, -Infinity], [status, Infinity]);
}

export function countPending(tx: AnyTx): Promise<number> {
  return tx.objectStore('outbox').index('status').count(statusRange('pending'));
}

export async function addEntries(
  tx: AnyTx,
  txs: readonly Tx[],
  addedMs: number,
): Promise<OutboxEntry[]> {
  const keyed = txs.map((item) => ({ tx: item, key: toHex(txHash(item)) }));
  const outbox = tx.objectStore('outbox');
  const [existing, pendingCount] = await Promise.all([
    Promise.all(keyed.map(({ key }) => outbox.get(key))),
    countPending(tx),
  ]);
  const fresh = new Set(keyed.filter((_, i) => !existing[i]).map(({ key }) => key));
  if (pendingCount + fresh.size > OUTBOX_PENDING_MAX) {
    throw new OutboxFullError(OUTBOX_PENDING_MAX);
  }
  const entries = keyed.map(({ tx: item, key }, i): OutboxEntry => {
    return existing[i] ?? { txHash: key, tx: item, addedMs, fate: { status: 'pending' } };
  });
  await Promise.all(entries.filter((e) => fresh.has(e.txHash)).map((e) => outbox.put(e)));
  return entries;
}

export async function readEntries(
  tx: AnyTx,
  keys: readonly string[],
): Promise<(OutboxEntry | null)[]> {
  const outbox = tx.objectStore('outbox');
  const entries = await Promise.all(keys.map((key) => outbox.get(key)));
  return entries.map((entry) => entry ?? null);
}

/** Oldest first; through the 'status' index when a status is given. */
export function readOutbox(tx: AnyTx, status?: OutboxFate['status']): Promise<OutboxEntry[]> {
  const outbox = tx.objectStore('outbox');
  return status === undefined
    ? outbox.index('added').getAll()
    : outbox.index('status').getAll(statusRange(status));
}

export async function writeFate(tx: AnyTx, key: string, fate: OutboxFate): Promise<void> {
  const entry = await tx.objectStore('outbox').get(key);
  if (!entry) throw new NotFoundError(`outbox entry ${key}`);
  await tx.objectStore('outbox').put({ ...entry, fate });
  await pruneSettled(tx);
}

/** Settles the pending entries these blocks include, then prunes (the batch's transaction). */
export async function settleByBlocks(tx: AnyTx, entries: readonly BlockToApply[]): Promise<void> {
  const outbox = tx.objectStore('outbox');
  const pending = await outbox.index('status').getAll(statusRange('pending'));
  const settled = settledByBlocks(entries, new Map(pending.map((item) => [item.txHash, item])));
  // A failed write fails the transaction; tx.done reports it.
  for (const item of settled) outbox.put(item).catch(() => {});
  if (settled.length > 0) await pruneSettled(tx);
}

/**
 * The prune of the settle-and-prune rule: the oldest `excess` entries of each settled status
 * hold the oldest `excess` settled entries; only those are read.
 */
async function pruneSettled(tx: AnyTx): Promise<void> {
  const status = tx.objectStore('outbox').index('status');
  const [committed, rejected] = await Promise.all([
    status.count(statusRange('committed')),
    status.count(statusRange('rejected')),
  ]);
  const excess = settledExcess(committed + rejected);
  if (excess === 0) return;
  const candidates = await Promise.all([
    status.getAll(statusRange('committed'), excess),
    status.getAll(statusRange('rejected'), excess),
  ]);
  const drop = settledToDrop(candidates.flat(), excess);
  await Promise.all(drop.map((key) => tx.objectStore('outbox').delete(key)));
}
