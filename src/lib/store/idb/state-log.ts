// The state-change log ('state-log' object store, with the 'state' and 'folded' rows of 'meta').
// Writing a block costs three puts (block row, log row, head) whatever the block touches; every
// STATE_LOG_BLOCKS_MAX blocks the log is folded into the per-account and per-record rows (and
// the history rows) in one transaction. Reads lay the log over the rows, read-only, so they keep
// working on a full disk.

import type { LedgerState } from '../../core/state';
import type { Account, Address } from '../../core/types';
import { SchemaError } from '../errors';
import type { FoldedRow, LedgerStoreName, LogRow, StateRow } from '../idb-schema';
import { historyKey } from '../ledger-rules';
import { STATE_LOG_BLOCKS_MAX } from '../limits';
import type { AnyTx } from './transaction';

/** What reading the state (log overlaid on the rows) needs. */
export const STATE_STORES: LedgerStoreName[] = [
  'meta',
  'state-log',
  'accounts',
  'records',
  'history',
];
/** What a fold writes besides meta and the state log. */
export const FOLD_STORES: LedgerStoreName[] = ['accounts', 'records', 'history'];
/** Log rows kept in memory per handle (see LogRowCache); the oldest are dropped first. */
const CACHED_LOG_ROWS_MAX = 2 * STATE_LOG_BLOCKS_MAX;

/**
 * Log rows this handle wrote, by height, so folding and state reads need not read them back
 * (the costliest part of a fold). Only rows written here: a row of height h is the same
 * whichever tab wrote it (one block per height), but only our own copy is known to match.
 */
export class LogRowCache {
  readonly #rows = new Map<number, LogRow>();

  remember(height: number, row: LogRow): void {
    this.#rows.set(height, row);
    for (const old of this.#rows.keys()) {
      if (this.#rows.size <= CACHED_LOG_ROWS_MAX) break;
      this.#rows.delete(old);
    }
  }

  get(height: number): LogRow | undefined {
    return this.#rows.get(height);
  }
}

export function stateRowOf(state: LedgerState): StateRow {
  return {
    height: state.height,
    lastBlockHash: state.lastBlockHash,
    lastBlockTime: state.lastBlockTime,
    lastValidators: state.lastValidators,
    lastValidatorsSince: state.lastValidatorsSince,
    validators: state.validators,
    nextValidators: state.nextValidators,
    proposals: [...state.proposals.values()],
    accumulator: state.accumulator,
    stateRoot: state.stateRoot,
  };
}

/** The state at the head as stored rows plus the not-yet-folded log (read-only). */
export interface LogView {
  /** The wholesale state parts at the head. */
  row: StateRow;
  /** Latest value per account / record key changed in the log (null = deleted). */
  accounts: Map<Address, Account | null>;
  records: Map<string, Uint8Array | null>;
  logBlocks: number;
  /** Heights per account of the blocks in the log, ascending. */
  heights: Map<Address, number[]>;
}

/**
 * Needs STATE_STORES. `pending`: rows of the blocks this transaction writes, after the stored
 * log (a batch folded in its own transaction never writes them to the log).
 */
export async function readLog(
  tx: AnyTx,
  cache: LogRowCache,
  pending: readonly LogRow[] = [],
): Promise<LogView | null> {
  const logStore = tx.objectStore('state-log');
  const [stored, keys] = await Promise.all([
    tx.objectStore('meta').get('state') as Promise<StateRow | undefined>,
    logStore.getAllKeys(),
  ]);
  if (!stored) return null;
  const log = [
    ...(await Promise.all(
      keys.map(async (height) => cache.get(height) ?? (await logStore.get(height))!),
    )),
    ...pending,
  ];
  const changes = log.map((row) => row.changes);
  const accounts = new Map<Address, Account | null>();
  const records = new Map<string, Uint8Array | null>();
  let expected = stored.height + 1;
  for (const change of changes) {
    if (change.height !== expected) {
      throw new SchemaError(`state log jumps to ${change.height}, expected ${expected}`);
    }
    expected++;
    for (const [address, account] of change.accounts) accounts.set(address, account);
    for (const [key, value] of change.records) records.set(key, value);
  }
  const heights = new Map<Address, number[]>();
  for (const { changes: change, addresses } of log) {
    for (const address of addresses) {
      const list = heights.get(address) ?? [];
      list.push(change.height);
      heights.set(address, list);
    }
  }
  const last = changes.at(-1);
  if (!last) return { row: stored, accounts, records, logBlocks: 0, heights };
  const { accounts: _accounts, records: _records, ...row } = last;
  return { row, accounts, records, logBlocks: changes.length, heights };
}

/**
 * Needs STATE_STORES, read-write. Folds the state-change log into the account and record rows
 * and drops it, in the caller's transaction (a crash keeps all of it or none). Reads never
 * fold: they overlay the log.
 */
export async function foldLog(
  tx: AnyTx,
  cache: LogRowCache,
  pending: readonly LogRow[] = [],
): Promise<void> {
  const view = await readLog(tx, cache, pending);
  if (!view || view.logBlocks === 0) return;
  const { row: next, accounts, records, heights } = view;
  const history = tx.objectStore('history');
  const meta = tx.objectStore('meta');
  const log = tx.objectStore('state-log');
  const accountStore = tx.objectStore('accounts');
  const recordStore = tx.objectStore('records');
  const writes: Promise<unknown>[] = [
    meta.put(next, 'state'),
    meta.put({ height: next.height } satisfies FoldedRow, 'folded'),
    log.delete(IDBKeyRange.upperBound(next.height)),
  ];
  for (const [address, account] of accounts) {
    writes.push(
      account === null ? accountStore.delete(address) : accountStore.put(account, address),
    );
  }
  for (const [key, value] of records) {
    writes.push(value === null ? recordStore.delete(key) : recordStore.put(value, key));
  }
  for (const [address, list] of heights) {
    writes.push(history.put(list, historyKey(address, next.height)));
  }
  await Promise.all(writes);
}
