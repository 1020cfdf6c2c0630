// Reads of the ledger state ('accounts' and 'records' rows, with the state log laid over them):
// the state at the head (without its records), one account, one record, and records by prefix. Each needs
// STATE_STORES (state-log.ts) and throws NotInitializedError before the genesis is written,
// except loadState, which answers null.

import { toHex } from '../../core/hash';
import type { LedgerState } from '../../core/state';
import type { Account, Address, ChainId } from '../../core/types';
import { NotInitializedError } from '../errors';
import { pageLimit } from '../page-limit';
import type { KeyPage } from '../types';
import { readLog, type LogRowCache } from './state-log';
import type { AnyTx } from './transaction';

export async function readState(
  tx: AnyTx,
  cache: LogRowCache,
  chainId: ChainId,
): Promise<LedgerState | null> {
  const view = await readLog(tx, cache);
  if (!view) return null;
  const { row } = view;
  const accountStore = tx.objectStore('accounts');
  const [accountKeys, accountValues] = await Promise.all([
    accountStore.getAllKeys(),
    accountStore.getAll(),
  ]);
  const accounts = new Map(accountKeys.map((key, i) => [key, accountValues[i]!]));
  for (const [address, account] of view.accounts) {
    if (account === null) accounts.delete(address);
    else accounts.set(address, account);
  }
  // Records stay on disk: the node reads the ones a block touches (LedgerStore.loadState).
  const records = new Map<string, Uint8Array | null>();
  return {
    chainId,
    height: row.height,
    lastBlockHash: row.lastBlockHash,
    lastBlockTime: row.lastBlockTime,
    accounts,
    records,
    recordsComplete: false,
    lastValidators: row.lastValidators,
    lastValidatorsSince: row.lastValidatorsSince,
    validators: row.validators,
    nextValidators: row.nextValidators,
    proposals: new Map(row.proposals.map((proposal) => [toHex(proposal.id), proposal])),
    accumulator: row.accumulator,
    stateRoot: row.stateRoot,
  };
}

export async function readAccount(
  tx: AnyTx,
  cache: LogRowCache,
  chainId: ChainId,
  address: Address,
): Promise<Account | null> {
  const view = await readLog(tx, cache);
  if (!view) throw new NotInitializedError(chainId);
  const logged = view.accounts.get(address);
  if (logged !== undefined) return logged;
  return (await tx.objectStore('accounts').get(address)) ?? null;
}

export async function readRecord(
  tx: AnyTx,
  cache: LogRowCache,
  chainId: ChainId,
  fullKey: string,
): Promise<Uint8Array | null> {
  const view = await readLog(tx, cache);
  if (!view) throw new NotInitializedError(chainId);
  const logged = view.records.get(fullKey);
  if (logged !== undefined) return logged;
  return (await tx.objectStore('records').get(fullKey)) ?? null;
}

/** Records whose full key starts with `prefix`, in key order, strictly after `page.afterKey`. */
export async function readRecords(
  tx: AnyTx,
  cache: LogRowCache,
  chainId: ChainId,
  prefix: string,
  page: KeyPage,
): Promise<Array<[string, Uint8Array]>> {
  const limit = pageLimit(page.limit);
  const view = await readLog(tx, cache);
  if (!view) throw new NotInitializedError(chainId);
  const after = page.afterKey !== undefined && page.afterKey >= prefix;
  const inPage = (key: string) => key.startsWith(prefix) && (!after || key > page.afterKey!);
  const logged = [...view.records].filter(([key]) => inPage(key));
  const deletions = logged.filter(([, value]) => value === null).length;
  // The stored rows are behind by the log: read `limit + deletions` of them in key order
  // (at most `deletions` can vanish), then lay the log over them.
  const merged = new Map<string, Uint8Array | null>();
  const range = IDBKeyRange.lowerBound(after ? page.afterKey! : prefix, after);
  let cursor = limit > 0 ? await tx.objectStore('records').openCursor(range) : null;
  while (cursor && merged.size < limit + deletions && cursor.key.startsWith(prefix)) {
    merged.set(cursor.key, cursor.value);
    cursor = merged.size < limit + deletions ? await cursor.continue() : null;
  }
  for (const [key, value] of logged) merged.set(key, value);
  return [...merged]
    .filter((item): item is [string, Uint8Array] => item[1] !== null)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, limit);
}
