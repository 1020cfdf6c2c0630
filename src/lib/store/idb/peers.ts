// The 'peers' object store: address -> KnownPeer, index 'last-seen'. Bounded by
// KNOWN_PEERS_MAX: the least recently seen go first (ties by address, the index's order).

import { KNOWN_PEERS_MAX } from '../limits';
import type { KnownPeer } from '../types';
import type { AnyTx } from './transaction';

export async function notePeer(tx: AnyTx, address: string, lastSeenMs: number): Promise<void> {
  const peers = tx.objectStore('peers');
  const existing = await peers.get(address);
  await peers.put({ address, lastSeenMs: Math.max(lastSeenMs, existing?.lastSeenMs ?? -Infinity) });
  let excess = (await peers.count()) - KNOWN_PEERS_MAX;
  let cursor = excess > 0 ? await peers.index('last-seen').openCursor() : null;
  while (cursor && excess > 0) {
    await cursor.delete();
    excess--;
    cursor = excess > 0 ? await cursor.continue() : null;
  }
}

/** Most recently seen first. */
export async function readPeers(tx: AnyTx): Promise<KnownPeer[]> {
  const out: KnownPeer[] = [];
  let cursor = await tx.objectStore('peers').index('last-seen').openCursor(null, 'prev');
  while (cursor) {
    out.push(cursor.value);
    cursor = await cursor.continue();
  }
  return out;
}
