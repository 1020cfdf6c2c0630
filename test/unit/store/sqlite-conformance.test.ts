// The shared store conformance suite against the on-disk SQLite stores (better-sqlite3), each
// case on fresh files in a temporary directory. Fault tests: sqlite-faults.test.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, test } from 'vitest';
import {
  generateStorableBoxKey,
  generateStorableDeviceKey,
  openSqliteDeviceStore,
  openSqliteLedgerStore,
} from '../../../src/lib/store/sqlite/index';
import { storeConformanceCases, type StoreHarness } from '../../support/store-conformance';

const root = mkdtempSync(join(tmpdir(), 'ledger-sqlite-conformance-'));
let directories = 0;
const freshDirectory = () => join(root, String(directories++));

const sqlite: StoreHarness = {
  async freshLedger(chainId) {
    const directory = freshDirectory();
    return () => openSqliteLedgerStore({ directory, chainId });
  },
  async freshDevice() {
    const directory = freshDirectory();
    return () => openSqliteDeviceStore({ directory });
  },
  newDeviceKey: (createdMs) => generateStorableDeviceKey(createdMs),
  newBoxKey: () => generateStorableBoxKey(),
};

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('store conformance: sqlite (on disk)', () => {
  for (const item of storeConformanceCases(sqlite)) test(item.name, item.run);
});
