// Records live in the store, not in memory: a ledger's records may be far larger than a tab's
// heap (LedgerState.records is a cache). Before anything executes a tx body — the block
// importer, the outbox's check before signing — the records it touches are read from the store
// into the head state; after each commit the cache is cut back to RECORD_CACHE_MAX entries.
// Everything here runs in the node's serial queue, so nothing clears the cache between a load
// and the execution that needs it.

import { recordKeysOf } from '../core/execute';
import type { Tx } from '../core/types';
import type { LedgerStore } from '../store/types';
import type { LedgerHead } from './ledger-head';
import { RECORD_CACHE_MAX } from './params';

export class RecordLoader {
  readonly #store: LedgerStore;
  readonly #head: LedgerHead;

  constructor(store: LedgerStore, head: LedgerHead) {
    this.#store = store;
    this.#head = head;
  }

  /** Read into the head state every record `txs` touch that memory does not hold. */
  async load(txs: readonly Tx[]): Promise<void> {
    const state = this.#head.state;
    if (state.recordsComplete) return;
    const missing = recordKeysOf(txs).filter((key) => !state.records.has(key));
    const values = await Promise.all(missing.map((key) => this.#store.record(key)));
    // The head may have moved while the store answered (a block that touched these keys has
    // put its values in the cache then): keep what memory holds.
    missing.forEach((key, i) => {
      if (!state.records.has(key)) state.records.set(key, values[i] ?? null);
    });
  }

  /** After a commit: memory holds at most RECORD_CACHE_MAX records (all of them are on disk). */
  trim(): void {
    const state = this.#head.state;
    if (!state.recordsComplete && state.records.size > RECORD_CACHE_MAX) state.records.clear();
  }
}
