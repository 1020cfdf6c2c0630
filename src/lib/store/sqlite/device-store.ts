// The Node DeviceStore: the ledgers this peer keeps (`<directory>/device.sqlite`) and its
// signing key (`<directory>/device-key.json`, mode 0600, see device-key-file.ts).

import type { Statement } from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ChainId } from '../../core/types';
import { SchemaError, StoreClosedError } from '../errors';
import type { DeviceKey, DeviceStore, LedgerEntry } from '../types';
import { decodeValue, encodeValue } from './codec';
import { mapSqliteError, SqliteConnection } from './connection';
import { readDeviceKey, writeDeviceKeyIfAbsent } from './device-key-file';
import { readBoxKey, writeBoxKeyIfAbsent } from './box-key-file';
import type { BoxKey } from '../../crypto/box';

const DEVICE_SCHEMA_VERSION = 1;
export const DEVICE_DB_FILE = 'device.sqlite';
export const DEVICE_KEY_FILE = 'device-key.json';
export const DEVICE_BOX_KEY_FILE = 'device-box-key.json';

export class SqliteDeviceStore implements DeviceStore {
  readonly #add: Statement<[ChainId, number, Buffer]>;
  readonly #remove: Statement<[ChainId]>;
  readonly #all: Statement<[], { entry: Uint8Array }>;

  constructor(
    private readonly connection: SqliteConnection,
    private readonly keyPath: string,
  ) {
    const { db } = connection;
    this.#add = db.prepare(
      'INSERT OR IGNORE INTO ledgers (chain_id, added_ms, entry) VALUES (?, ?, ?)',
    );
    this.#remove = db.prepare('DELETE FROM ledgers WHERE chain_id = ?');
    this.#all = db.prepare('SELECT entry FROM ledgers ORDER BY added_ms, chain_id');
  }

  async ledgers(): Promise<LedgerEntry[]> {
    return this.connection
      .read(() => this.#all.all())
      .map((row) => decodeValue<LedgerEntry>(row.entry));
  }

  async addLedger(entry: LedgerEntry): Promise<void> {
    this.connection.write('strict', () =>
      this.#add.run(entry.chainId, entry.addedMs, encodeValue(entry)),
    );
  }

  async removeLedger(chainId: ChainId): Promise<void> {
    this.connection.write('strict', () => this.#remove.run(chainId));
  }

  async deviceKey(): Promise<DeviceKey | null> {
    this.#open();
    return readDeviceKey(this.keyPath);
  }

  async putDeviceKeyIfAbsent(key: DeviceKey): Promise<DeviceKey> {
    this.#open();
    return writeDeviceKeyIfAbsent(this.keyPath, key);
  }

  /** Next to the signing key: `<directory>/device-box-key.json`. */
  get #boxKeyPath(): string {
    return join(dirname(this.keyPath), DEVICE_BOX_KEY_FILE);
  }

  async deviceBoxKey(): Promise<BoxKey | null> {
    this.#open();
    return readBoxKey(this.#boxKeyPath);
  }

  async putDeviceBoxKeyIfAbsent(key: BoxKey): Promise<BoxKey> {
    this.#open();
    return writeBoxKeyIfAbsent(this.#boxKeyPath, key);
  }

  async close(): Promise<void> {
    this.connection.close();
  }

  #open(): void {
    if (this.connection.closed) throw new StoreClosedError('closed');
  }
}

function migrateDeviceDb(connection: SqliteConnection): void {
  const { db } = connection;
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > DEVICE_SCHEMA_VERSION) {
      throw new SchemaError(`the device database was written by a newer version (${version})`);
    }
    if (version === 0) {
      db.exec(`CREATE TABLE ledgers (
        chain_id TEXT PRIMARY KEY, added_ms REAL NOT NULL, entry BLOB NOT NULL
      ) WITHOUT ROWID`);
      db.pragma(`user_version = ${DEVICE_SCHEMA_VERSION}`);
    }
  }).immediate();
}

export async function openSqliteDeviceStore(options: {
  directory: string;
}): Promise<SqliteDeviceStore> {
  const { directory } = options;
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  const connection = new SqliteConnection(join(directory, DEVICE_DB_FILE));
  try {
    migrateDeviceDb(connection);
    return new SqliteDeviceStore(connection, join(directory, DEVICE_KEY_FILE));
  } catch (error) {
    connection.close();
    throw mapSqliteError(error);
  }
}
