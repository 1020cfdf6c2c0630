// IndexedDB-only behaviour: schema upgrades from another tab, a database newer than the code,
// and how browser errors become typed store errors.
import 'fake-indexeddb/auto';
import { deleteDB, openDB } from 'idb';
import { expect, test } from 'vitest';
import { mapIdbError } from '../../../src/lib/store/idb-errors';
import {
  LEDGER_SCHEMA_VERSION,
  ledgerDbName,
  openIdbDeviceStore,
  openIdbLedgerStore,
  SchemaError,
  StorageFullError,
  StoreClosedError,
} from '../../../src/lib/store/index';

const chainId = 'c'.repeat(64);

test('a newer tab upgrading the schema closes this connection at once and tells the app', async () => {
  await deleteDB(ledgerDbName(chainId));
  let told = 0;
  const store = await openIdbLedgerStore({ chainId, onVersionChange: () => told++ });
  expect(await store.meta()).toBeNull();
  // The "new version of the app" in another tab: its open must not hang on our connection.
  const newer = await openDB(ledgerDbName(chainId), LEDGER_SCHEMA_VERSION + 1);
  expect(told).toBe(1);
  await expect(store.meta()).rejects.toBeInstanceOf(StoreClosedError);
  await expect(store.meta()).rejects.toMatchObject({ reason: 'version-change' });
  newer.close();
  // This (old) code cannot read the newer database: a SchemaError, not a hang or a crash.
  await expect(openIdbLedgerStore({ chainId })).rejects.toBeInstanceOf(SchemaError);
  await deleteDB(ledgerDbName(chainId));
});

test('a device store closes itself on a schema upgrade too', async () => {
  let told = 0;
  const device = await openIdbDeviceStore({ onVersionChange: () => told++ });
  const newer = await openDB('ledger-device', 99);
  expect(told).toBe(1);
  await expect(device.ledgers()).rejects.toBeInstanceOf(StoreClosedError);
  newer.close();
  await deleteDB('ledger-device');
});

test('quota failures become StorageFullError; other errors pass through', () => {
  const quota = new DOMException('quota', 'QuotaExceededError');
  expect(mapIdbError(quota)).toBeInstanceOf(StorageFullError);
  expect(
    mapIdbError(new DOMException('Transaction aborted: disk quota', 'AbortError')),
  ).toBeInstanceOf(StorageFullError);
  const aborted = new DOMException('aborted', 'AbortError');
  expect(mapIdbError(aborted)).toBe(aborted);
  expect(mapIdbError(new DOMException('newer', 'VersionError'))).toBeInstanceOf(SchemaError);
  expect(
    mapIdbError(new DOMException('closing', 'InvalidStateError'), 'version-change'),
  ).toMatchObject({
    reason: 'version-change',
  });
});
