// Deleting a ledger's IndexedDB database (a person removes the ledger from this device). Other
// tabs holding the database open are asked to let go (their `versionchange` handler closes it
// and reloads them, see idb-ledger-store.ts); until every one has, the browser holds the delete
// back ("blocked"). It then happens on its own once the last one closes, so this resolves at
// once in that case instead of waiting for tabs the caller cannot close.
import { deleteDB } from 'idb';
import type { ChainId } from '../core/types';
import { mapIdbError } from './idb-errors';
import { ledgerDbName } from './idb-schema';

/** Resolves 'deleted', or 'pending' when open tabs delay it (it completes when they close). */
export async function deleteIdbLedgerStore(chainId: ChainId): Promise<'deleted' | 'pending'> {
  let blocked: () => void = () => undefined;
  const heldBack = new Promise<'pending'>((resolve) => (blocked = () => resolve('pending')));
  const deleted = deleteDB(ledgerDbName(chainId), { blocked }).then(
    () => 'deleted' as const,
    (error: unknown) => {
      throw mapIdbError(error);
    },
  );
  return Promise.race([deleted, heldBack]);
}
