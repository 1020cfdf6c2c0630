// The shared store conformance suite against the in-memory stores and against the IndexedDB
// stores on fake-indexeddb. (The same cases run in real Chromium: test/browser/store.test.ts.)
import 'fake-indexeddb/auto';
import { deleteDB } from 'idb';
import { describe, test } from 'vitest';
import {
  createMemoryLedgerStore,
  DEVICE_DB_NAME,
  ledgerDbName,
  MemoryDeviceDatabase,
  MemoryDeviceStore,
  MemoryLedgerDatabase,
  openIdbDeviceStore,
  openIdbLedgerStore,
} from '../../../src/lib/store/index';
import { storeConformanceCases, type StoreHarness } from '../../support/store-conformance';

const memory: StoreHarness = {
  async freshLedger(chainId) {
    const db = new MemoryLedgerDatabase(chainId);
    return async () => createMemoryLedgerStore(chainId, db);
  },
  async freshDevice() {
    const db = new MemoryDeviceDatabase();
    return async () => new MemoryDeviceStore(db);
  },
};

const indexedDb: StoreHarness = {
  async freshLedger(chainId) {
    await deleteDB(ledgerDbName(chainId));
    return () => openIdbLedgerStore({ chainId });
  },
  async freshDevice() {
    await deleteDB(DEVICE_DB_NAME);
    return () => openIdbDeviceStore();
  },
};

for (const [name, harness] of [
  ['memory', memory],
  ['indexeddb (fake-indexeddb)', indexedDb],
] as const) {
  describe(`store conformance: ${name}`, () => {
    for (const item of storeConformanceCases(harness)) test(item.name, item.run);
  });
}
