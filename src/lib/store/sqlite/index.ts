// The on-disk stores for Node (the always-on peer): SQLite via better-sqlite3 behind the same
// LedgerStore and DeviceStore interfaces as IndexedDB. Node only: never import this from code
// that runs in a browser (the store's index.ts does not export it).
export {
  openSqliteLedgerStore,
  sqliteLedgerPath,
  SqliteLedgerStore,
  type OpenSqliteLedgerStoreOptions,
} from './ledger-store';
export {
  DEVICE_DB_FILE,
  DEVICE_KEY_FILE,
  openSqliteDeviceStore,
  SqliteDeviceStore,
} from './device-store';
export { generateStorableDeviceKey } from './device-key-file';
export { generateStorableBoxKey } from './box-key-file';
export { SQLITE_SCHEMA_VERSION } from './schema';
