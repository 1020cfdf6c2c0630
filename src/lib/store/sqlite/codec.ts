// How values become SQLite columns. Structured values (accounts, commits, signer states, outbox
// entries...) are stored with Node's structured-clone serializer, the counterpart of what
// IndexedDB stores (Maps, Uint8Arrays and bigints survive); Node documents its format as
// backward compatible, so safe to keep on disk. Blocks keep their canonical bytes.

import { deserialize, serialize } from 'node:v8';
import type { Account } from '../../core/types';
import { SchemaError } from '../errors';

export function encodeValue(value: unknown): Buffer {
  return serialize(value);
}

/** A stored value; bytes that do not decode are a damaged file (SchemaError). */
export function decodeValue<T>(column: Uint8Array): T {
  try {
    return deserialize(column) as T;
  } catch (error) {
    throw new SchemaError('the database file is damaged: a stored value does not decode', {
      cause: error,
    });
  }
}

/**
 * Accounts as JSON text: a block touches hundreds of them, and the structured-clone serializer
 * costs several microseconds a call (it was a third of a block write). An Account is numbers
 * only; the conformance suite compares every account read back with the ledger's.
 */
export function encodeAccount(account: Account): string {
  return JSON.stringify(account);
}

export function decodeAccount(column: string): Account {
  try {
    return JSON.parse(column) as Account;
  } catch (error) {
    throw new SchemaError('the database file is damaged: an account does not decode', {
      cause: error,
    });
  }
}

/** A BLOB column as a plain Uint8Array (better-sqlite3 hands out Buffers). */
export function bytesOf(column: Uint8Array): Uint8Array {
  return new Uint8Array(column);
}

/**
 * A record key as UTF-16 big-endian bytes. SQLite orders TEXT by its UTF-8 bytes, which differs
 * from JavaScript's (and IndexedDB's) order by UTF-16 code units for characters above U+FFFF
 * versus U+E000..U+FFFF; byte order of UTF-16BE is exactly code-unit order, so records list in
 * the same order in every store. Lone surrogates survive, as they do in a JavaScript string.
 */
export function keyBytes(key: string): Buffer {
  return Buffer.from(key, 'utf16le').swap16();
}

export function keyOf(column: Uint8Array): string {
  return Buffer.from(column).swap16().toString('utf16le');
}
