// Storage of the ledger and the device: one interface, an IndexedDB and an in-memory version.
export * from './errors';
export * from './limits';
export type * from './types';
export { requestPersistentStorage, storageUsage, type StorageUsage } from './quota';
export {
  createMemoryLedgerStore,
  MemoryLedgerDatabase,
  MemoryLedgerStore,
} from './memory-ledger-store';
export { MemoryDeviceDatabase, MemoryDeviceStore } from './memory-device-store';
export {
  IdbLedgerStore,
  openIdbLedgerStore,
  type OpenLedgerStoreOptions,
} from './idb-ledger-store';
export { IdbDeviceStore, openIdbDeviceStore } from './idb-device-store';
export { DEVICE_DB_NAME, ledgerDbName, LEDGER_SCHEMA_VERSION } from './idb-schema';
