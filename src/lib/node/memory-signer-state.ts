// An in-memory SignerStateStore for tests and the simulator, with crash semantics: only what a
// `save` completed is "on disk" (`durable`); a new guard over the same store after a simulated
// crash sees exactly that. `failSaves` makes writes fail (a full or broken disk), so tests can
// check that no signature leaves the node without a durable state.

import type { SignedState, SignerStateStore } from '../consensus/types';

export interface MemorySignerStateStore extends SignerStateStore {
  /** What survives a crash. */
  readonly durable: SignedState | null;
  /** While true, `save` rejects and stores nothing. */
  failSaves: boolean;
  /** Number of completed saves (for tests). */
  readonly saves: number;
}

/** What a real store would write and read back: a deep copy, sharing nothing with the caller. */
function copy(state: SignedState): SignedState {
  return structuredClone(state);
}

export function createMemorySignerStateStore(
  initial: SignedState | null = null,
): MemorySignerStateStore {
  let durable = initial === null ? null : copy(initial);
  let saves = 0;
  return {
    get durable() {
      return durable === null ? null : copy(durable);
    },
    get saves() {
      return saves;
    },
    failSaves: false,
    async load() {
      return durable === null ? null : copy(durable);
    },
    async save(state) {
      if (this.failSaves) throw new Error('memory signer store: save failed');
      durable = copy(state);
      saves += 1;
    },
  };
}
