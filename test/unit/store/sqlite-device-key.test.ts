// The Node device key on disk: only its owner may read the file, it is written whole or not at
// all, and the key comes back non-extractable. (The ledgers list and racing writers are in the
// conformance suite: sqlite-conformance.test.ts.)
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { generateSigningKey } from '../../../src/lib/crypto/index';
import { KeyFileError } from '../../../src/lib/store/errors';
import {
  DEVICE_KEY_FILE,
  generateStorableDeviceKey,
  openSqliteDeviceStore,
} from '../../../src/lib/store/sqlite/index';

const root = mkdtempSync(join(tmpdir(), 'ledger-device-key-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

test('the key file is 0600 in a 0700 directory, and only the key file is left behind', async () => {
  const directory = join(root, 'peer');
  const device = await openSqliteDeviceStore({ directory });
  const stored = await device.putDeviceKeyIfAbsent(await generateStorableDeviceKey(5));
  await device.close();
  expect(statSync(join(directory, DEVICE_KEY_FILE)).mode & 0o777).toBe(0o600);
  expect(statSync(directory).mode & 0o777).toBe(0o700);
  expect(readdirSync(directory).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  expect(stored.createdMs).toBe(5);
  expect(stored.keyPair.privateKey.extractable).toBe(false);
});

test('a key file others can read is refused with a sentence that says how to fix it', async () => {
  const directory = join(root, 'shared');
  const device = await openSqliteDeviceStore({ directory });
  await device.putDeviceKeyIfAbsent(await generateStorableDeviceKey(1));
  chmodSync(join(directory, DEVICE_KEY_FILE), 0o644);
  const error = await device.deviceKey().catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(KeyFileError);
  expect((error as Error).message).toMatch(/chmod 600/);
  await device.close();
});

test('a key that cannot be exported is not written, and a damaged file is a KeyFileError', async () => {
  const directory = join(root, 'refused');
  const device = await openSqliteDeviceStore({ directory });
  const browserStyle = { ...(await generateSigningKey()), createdMs: 1 };
  await expect(device.putDeviceKeyIfAbsent(browserStyle)).rejects.toBeInstanceOf(KeyFileError);
  expect(await device.deviceKey()).toBeNull();
  writeFileSync(join(directory, DEVICE_KEY_FILE), 'not json', { mode: 0o600 });
  await expect(device.deviceKey()).rejects.toBeInstanceOf(KeyFileError);
  await device.close();
});
