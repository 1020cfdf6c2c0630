// The state root recomputed from a state's contents (accounts, records, validator sets,
// proposals), so a store can tell that a state it loaded is whole, not only that the root it
// stored beside it is right. One hash per account and record: run it when damage is possible
// (the on-disk store after an unclean shutdown), not on every load.

import {
  accountElement,
  accumulate,
  emptyAccumulator,
  recordElement,
  stateRootOf,
} from '../core/accumulator';
import type { LedgerState } from '../core/state';
import type { Hash } from '../core/types';

export function recomputeStateRoot(state: LedgerState): Hash {
  const accumulator = emptyAccumulator();
  for (const [address, account] of state.accounts) {
    accumulate(accumulator, accountElement(address, account), 1);
  }
  for (const [key, value] of state.records) {
    if (value !== null) accumulate(accumulator, recordElement(key, value), 1);
  }
  const sets = {
    lastValidators: state.lastValidators,
    validators: state.validators,
    nextValidators: state.nextValidators,
  };
  return stateRootOf(accumulator, sets, [...state.proposals.values()]);
}
