// The Node device's X25519 key (private ledgers' rotated keys are sealed to it), kept as the
// signing key is (device-key-file.ts): written once as PKCS#8 to a 0600 file, first writer wins,
// imported NON-extractable on every read.

import type { BoxKey } from '../../crypto/box';
import { KeyFileError } from '../errors';
import { readPrivateFile, writePrivateFileOnce } from './device-key-file';

const X25519 = { name: 'X25519' } as const;
const BOX_KEY_FILE_VERSION = 1;

interface BoxKeyFile {
  version: number;
  privateKeyPkcs8: string;
  publicKeyHex: string;
}

/** A fresh X25519 key whose private half can be written to the key file once. */
export async function generateStorableBoxKey(): Promise<BoxKey> {
  const pair = (await crypto.subtle.generateKey(X25519, true, ['deriveBits'])) as CryptoKeyPair;
  const publicKey = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  return { publicKey, privateKey: pair.privateKey };
}

export async function readBoxKey(path: string): Promise<BoxKey | null> {
  const text = await readPrivateFile(path);
  if (text === null) return null;
  let file: BoxKeyFile;
  try {
    file = JSON.parse(text) as BoxKeyFile;
  } catch (error) {
    throw new KeyFileError(`${path} is not a box key file`, { cause: error });
  }
  if (file.version !== BOX_KEY_FILE_VERSION) {
    throw new KeyFileError(`${path} has box key file version ${file.version}`);
  }
  const privateKey = await crypto.subtle.importKey(
    'pkcs8',
    Buffer.from(file.privateKeyPkcs8, 'base64'),
    X25519,
    false,
    ['deriveBits'],
  );
  return { publicKey: new Uint8Array(Buffer.from(file.publicKeyHex, 'hex')), privateKey };
}

/** Writes `key` unless a key is there; returns the one the file holds (non-extractable). */
export async function writeBoxKeyIfAbsent(path: string, key: BoxKey): Promise<BoxKey> {
  const existing = await readBoxKey(path);
  if (existing) return existing;
  if (!key.privateKey.extractable) {
    throw new KeyFileError('a Node box key must be generated storable to be kept on disk');
  }
  const pkcs8 = await crypto.subtle.exportKey('pkcs8', key.privateKey);
  const file: BoxKeyFile = {
    version: BOX_KEY_FILE_VERSION,
    privateKeyPkcs8: Buffer.from(pkcs8).toString('base64'),
    publicKeyHex: Buffer.from(key.publicKey).toString('hex'),
  };
  await writePrivateFileOnce(path, JSON.stringify(file));
  const stored = await readBoxKey(path);
  if (!stored) throw new KeyFileError(`${path} vanished right after it was written`);
  return stored;
}
