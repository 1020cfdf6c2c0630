// The committed head of this node's ledger in memory: the state after the last committed block,
// the commit this node saw for that block (the next block's lastCommit) and the genesis. Only
// the block importer changes it; everyone else reads. If a store write fails after the importer
// applied blocks in memory, `reload` puts the head back to what the store holds.

import type { LedgerState } from '../core/state';
import type { Commit, Genesis } from '../core/types';
import type { LedgerStore } from '../store/types';

export class LedgerNotInitialisedError extends Error {
  override readonly name = 'LedgerNotInitialisedError';
  constructor(chainId: string) {
    super(`ledger ${chainId} is not initialised on this device`);
  }
}

export class LedgerHead {
  readonly #store: LedgerStore;
  #state: LedgerState | null = null;
  #genesis: Genesis | null = null;
  seenCommit: Commit | null = null;

  constructor(store: LedgerStore) {
    this.#store = store;
  }

  /** The committed state; mutated in place by the importer (never by readers). */
  get state(): LedgerState {
    if (this.#state === null) throw new LedgerNotInitialisedError(this.#store.chainId);
    return this.#state;
  }

  get genesis(): Genesis {
    if (this.#genesis === null) throw new LedgerNotInitialisedError(this.#store.chainId);
    return this.#genesis;
  }

  get loaded(): boolean {
    return this.#state !== null;
  }

  /** Read the head from the store (at start, and after a failed write). */
  async reload(): Promise<void> {
    const [state, meta] = await Promise.all([this.#store.loadState(), this.#store.meta()]);
    if (state === null || meta === null) throw new LedgerNotInitialisedError(this.#store.chainId);
    this.#state = state;
    this.#genesis = meta.genesis;
    this.seenCommit =
      state.height === 0 ? null : ((await this.#store.block(state.height))?.commit ?? null);
  }
}
