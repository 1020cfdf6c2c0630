// Record keys on disk sort exactly as JavaScript (and IndexedDB) sort strings, by UTF-16 code
// units, and come back unchanged, lone surrogates included: the SQLite store lists records in
// the same order as the other stores.
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { keyBytes, keyOf } from '../../../src/lib/store/sqlite/codec';

/** Any string of UTF-16 code units, astral pairs and lone surrogates included. */
const anyString = fc.string({ unit: 'binary', maxLength: 12 });

test('record keys round-trip and order by UTF-16 code units', () => {
  fc.assert(
    fc.property(anyString, anyString, (a, b) => {
      expect(keyOf(keyBytes(a))).toBe(a);
      const byBytes = Math.sign(Buffer.compare(keyBytes(a), keyBytes(b)));
      expect(byBytes).toBe(a < b ? -1 : a > b ? 1 : 0);
    }),
    { numRuns: 2_000 },
  );
  // The case SQLite's own TEXT order gets wrong: U+FFFF sorts before U+1F600 in UTF-8.
  expect(Buffer.compare(keyBytes('\uffff'), keyBytes('\u{1f600}'))).toBe(1);
});
