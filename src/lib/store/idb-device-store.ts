// The IndexedDB DeviceStore: the ledgers on this device and the device signing key. The key pair
// is a non-extractable CryptoKey stored by structured clone: it signs after a reload, and no
// script can read its bytes.

import { openDB } from 'idb';
import type { ChainId } from '../core/types';
import { StoreClosedError } from './errors';
import { mapIdbError } from './idb-errors';
import {
  DEVICE_DB_NAME,
  DEVICE_SCHEMA_VERSION,
  upgradeDeviceDb,
  type DeviceDb,
  type DeviceSchema,
} from './idb-schema';
import type { DeviceKey, DeviceStore, LedgerEntry, StoreEvents } from './types';
import type { BoxKey } from '../crypto/box';

export class IdbDeviceStore implements DeviceStore {
  #closed: StoreClosedError['reason'] | null = null;
  constructor(private readonly db: DeviceDb) {}

  markClosed(reason: StoreClosedError['reason']): void {
    this.#closed ??= reason;
    this.db.close();
  }

  async #run<T>(body: (db: DeviceDb) => Promise<T>): Promise<T> {
    if (this.#closed) throw new StoreClosedError(this.#closed);
    try {
      return await body(this.db);
    } catch (error) {
      throw mapIdbError(error, this.#closed ?? 'closed');
    }
  }

  ledgers(): Promise<LedgerEntry[]> {
    return this.#run((db) => db.getAllFromIndex('ledgers', 'added'));
  }

  async addLedger(entry: LedgerEntry): Promise<void> {
    await this.#run(async (db) => {
      const tx = db.transaction('ledgers', 'readwrite');
      if (!(await tx.store.getKey(entry.chainId))) await tx.store.put(entry);
      await tx.done;
    });
  }

  async removeLedger(chainId: ChainId): Promise<void> {
    await this.#run((db) => db.delete('ledgers', chainId));
  }

  async deviceKey(): Promise<DeviceKey | null> {
    return (
      ((await this.#run((db) => db.get('device', 'signing-key'))) as DeviceKey | undefined) ?? null
    );
  }

  async putDeviceKeyIfAbsent(key: DeviceKey): Promise<DeviceKey> {
    return this.#run(async (db) => {
      // Strict: a key that may have signed something must not vanish in a crash.
      const tx = db.transaction('device', 'readwrite', { durability: 'strict' });
      const existing = (await tx.store.get('signing-key')) as DeviceKey | undefined;
      if (!existing) await tx.store.put(key, 'signing-key');
      await tx.done;
      return existing ?? key;
    });
  }

  async deviceBoxKey(): Promise<BoxKey | null> {
    return ((await this.#run((db) => db.get('device', 'box-key'))) as BoxKey | undefined) ?? null;
  }

  /** The private half is a non-extractable CryptoKey: IndexedDB keeps it, script cannot read it. */
  async putDeviceBoxKeyIfAbsent(key: BoxKey): Promise<BoxKey> {
    return this.#run(async (db) => {
      const tx = db.transaction('device', 'readwrite', { durability: 'strict' });
      const existing = (await tx.store.get('box-key')) as BoxKey | undefined;
      if (!existing) await tx.store.put(key, 'box-key');
      await tx.done;
      return existing ?? key;
    });
  }

  async close(): Promise<void> {
    this.markClosed('closed');
  }
}

export async function openIdbDeviceStore(events: StoreEvents = {}): Promise<IdbDeviceStore> {
  let store: IdbDeviceStore | null = null;
  try {
    const db = await openDB<DeviceSchema>(DEVICE_DB_NAME, DEVICE_SCHEMA_VERSION, {
      upgrade: (database, oldVersion) => upgradeDeviceDb(database, oldVersion),
      blocked: () => events.onBlocked?.(),
      blocking: (_current, _next, event) => {
        (event.target as IDBDatabase).close();
        store?.markClosed('version-change');
        events.onVersionChange?.();
      },
      terminated: () => store?.markClosed('terminated'),
    });
    store = new IdbDeviceStore(db);
    return store;
  } catch (error) {
    throw mapIdbError(error);
  }
}
