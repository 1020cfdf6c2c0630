// The Node device's signing key, kept in a file only its owner can read (mode 0600). A browser
// keeps a non-extractable CryptoKey in IndexedDB; a Node process cannot persist such a key, so
// the private key is written once as PKCS#8 and imported again as a NON-extractable CryptoKey
// on every read: in the running process no code can export it, and on disk the file mode
// guards it (as ssh guards its keys).
//
// Writing is atomic and first-writer-wins: the key goes to a temporary file (O_EXCL, 0600),
// which is fsynced and then hard-linked to its final name; link() fails if a key is there
// already, so two processes racing agree on one key, and a crash leaves either no key file or a
// whole one.

import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { link, open, readFile, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { exportPublicKey } from '../../crypto/ed25519';
import type { DeviceKey } from '../types';
import { KeyFileError } from '../errors';

const ED25519 = { name: 'Ed25519' } as const;
const KEY_FILE_VERSION = 1;
/** Bits a key file must not have: readable, writable or runnable by group or others. */
const SHARED_MODE_BITS = 0o077;

interface KeyFile {
  version: number;
  createdMs: number;
  /** Base64 PKCS#8 of the Ed25519 private key. */
  privateKeyPkcs8: string;
  publicKeyHex: string;
}

/** A fresh device key whose private half can be written to the key file once. */
export async function generateStorableDeviceKey(createdMs: number): Promise<DeviceKey> {
  const keyPair = (await crypto.subtle.generateKey(ED25519, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  return { keyPair, publicKey: await exportPublicKey(keyPair.publicKey), createdMs };
}

/** The text of the key file at `path` (refused if others may read it), or null if absent. */
export async function readPrivateFile(path: string): Promise<string | null> {
  try {
    const info = await stat(path);
    if ((info.mode & SHARED_MODE_BITS) !== 0) {
      throw new KeyFileError(
        `${path} can be read by other users (mode ${(info.mode & 0o777).toString(8)}): chmod 600 it`,
      );
    }
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** The key in `path`, or null when there is none. */
export async function readDeviceKey(path: string): Promise<DeviceKey | null> {
  const text = await readPrivateFile(path);
  if (text === null) return null;
  let file: KeyFile;
  try {
    file = JSON.parse(text) as KeyFile;
  } catch (error) {
    throw new KeyFileError(`${path} is not a device key file`, { cause: error });
  }
  if (file.version !== KEY_FILE_VERSION) {
    throw new KeyFileError(`${path} has key file version ${file.version}`);
  }
  const privateKey = await crypto.subtle.importKey(
    'pkcs8',
    Buffer.from(file.privateKeyPkcs8, 'base64'),
    ED25519,
    false,
    ['sign'],
  );
  const publicKeyBytes = Buffer.from(file.publicKeyHex, 'hex');
  const publicKey = await crypto.subtle.importKey('raw', publicKeyBytes, ED25519, true, ['verify']);
  return {
    keyPair: { privateKey, publicKey },
    publicKey: new Uint8Array(publicKeyBytes),
    createdMs: file.createdMs,
  };
}

/**
 * Writes `key` to `path` unless a key is there; returns the key the file holds afterwards
 * (imported non-extractable). The private key must be extractable (generateStorableDeviceKey).
 */
export async function writeDeviceKeyIfAbsent(path: string, key: DeviceKey): Promise<DeviceKey> {
  const existing = await readDeviceKey(path);
  if (existing) return existing;
  if (!key.keyPair.privateKey.extractable) {
    throw new KeyFileError('a Node device key must be generated storable to be kept on disk');
  }
  const pkcs8 = await crypto.subtle.exportKey('pkcs8', key.keyPair.privateKey);
  const file: KeyFile = {
    version: KEY_FILE_VERSION,
    createdMs: key.createdMs,
    privateKeyPkcs8: Buffer.from(pkcs8).toString('base64'),
    publicKeyHex: Buffer.from(key.publicKey).toString('hex'),
  };
  await writePrivateFileOnce(path, JSON.stringify(file));
  const stored = await readDeviceKey(path);
  if (!stored) throw new KeyFileError(`${path} vanished right after it was written`);
  return stored;
}

/** Writes `text` to `path` (mode 0600, fsynced) unless a file is there: the first writer wins. */
export async function writePrivateFileOnce(path: string, text: string): Promise<void> {
  // Unique per attempt: two writers in one process may race within the same millisecond.
  const temporary = join(dirname(path), `.key-${randomUUID()}.tmp`);
  const handle = await open(
    temporary,
    constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY,
    0o600,
  );
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(temporary);
  }
  await syncDirectory(dirname(path));
}

/** Makes a new name in the directory durable (the file's own fsync does not cover it). */
async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
