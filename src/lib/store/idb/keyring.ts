// A private ledger's keyring in IndexedDB: one record, 'keyring', in the 'signer' object store
// (secrets of this device, next to its signer state). save() is strict: a key learned from a
// rotation is on disk before the node relies on it.

import type { KeyringStore, StoredKeyring } from '../types';
import type { IdbTransactions } from './transaction';

const KEYRING_KEY = 'keyring';

export function idbKeyring(transactions: IdbTransactions): KeyringStore {
  return {
    load: () =>
      transactions.run(['signer'], 'readonly', async (tx) => {
        const stored = (await tx.objectStore('signer').get(KEYRING_KEY)) as
          StoredKeyring | undefined;
        return stored ?? null;
      }),
    save: (keyring) =>
      transactions.run(
        ['signer'],
        'readwrite',
        async (tx) => {
          await tx.objectStore('signer').put(keyring, KEYRING_KEY);
        },
        'strict',
      ),
  };
}
