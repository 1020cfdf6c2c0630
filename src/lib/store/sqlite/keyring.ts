// A private ledger's keyring on disk: one row, 'keyring', in the signer table (secrets of this
// device, next to its signer state), written with fsync before save() resolves.

import type { Statement } from 'better-sqlite3';
import type { KeyringStore, StoredKeyring } from '../types';
import { decodeValue, encodeValue } from './codec';
import type { SqliteConnection } from './connection';

const KEYRING_KEY = 'keyring';

export class SqliteKeyring implements KeyringStore {
  readonly #get: Statement<[string], { value: Uint8Array }>;
  readonly #put: Statement<[string, Buffer]>;

  constructor(private readonly connection: SqliteConnection) {
    this.#get = connection.db.prepare('SELECT value FROM signer WHERE key = ?');
    this.#put = connection.db.prepare('INSERT OR REPLACE INTO signer (key, value) VALUES (?, ?)');
  }

  readonly load = async (): Promise<StoredKeyring | null> =>
    this.connection.read(() => {
      const row = this.#get.get(KEYRING_KEY);
      return row ? decodeValue<StoredKeyring>(row.value) : null;
    });

  readonly save = async (keyring: StoredKeyring): Promise<void> => {
    this.connection.write('strict', () => this.#put.run(KEYRING_KEY, encodeValue(keyring)));
  };
}
