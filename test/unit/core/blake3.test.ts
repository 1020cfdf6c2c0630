// The unrolled BLAKE3 behind the state accumulator against the general BLAKE3 of
// @noble/hashes, and the accumulator's lanes against their definition in docs/protocol.md.
import { blake3 } from '@noble/hashes/blake3.js';
import { expect, test } from 'vitest';
import { blake3DeriveKeyContext, blake3DeriveKeyXof } from '../../../src/lib/core/blake3';
import {
  ACCUMULATOR_BYTES,
  accountElement,
  accumulate,
  ELEMENT_LANES_CONTEXT,
  elementLanes,
  emptyAccumulator,
  recordElement,
} from '../../../src/lib/core/accumulator';
import { toHex, utf8Bytes } from '../../../src/lib/core/bytes';
import { addressOf } from '../../../src/lib/core/index';

const wordsAsBytes = (words: Uint32Array): Uint8Array => {
  const bytes = new Uint8Array(words.length * 4);
  const view = new DataView(bytes.buffer);
  words.forEach((word, i) => view.setUint32(4 * i, word, true));
  return bytes;
};
const VECTORS_CONTEXT = 'BLAKE3 2019-12-27 16:29:52 test vectors context';
/** The input pattern of the official BLAKE3 test vectors. */
const pattern = (length: number) => Uint8Array.from({ length }, (_, i) => i % 251);

test('derive-key XOF equals @noble/hashes BLAKE3 across block, chunk and tree boundaries', () => {
  const context = VECTORS_CONTEXT;
  const key = blake3DeriveKeyContext(utf8Bytes(context));
  const lengths = [0, 1, 31, 32, 63, 64, 65, 127, 128, 1023, 1024, 1025, 2048, 2049, 3072, 3073];
  for (const length of [...lengths, 4096, 4097, 5121, 8193]) {
    for (const blocks of [1, 2, 33]) {
      const out = new Uint32Array(16 * blocks);
      blake3DeriveKeyXof(key, pattern(length), out);
      const reference = blake3(pattern(length), {
        context: utf8Bytes(context),
        dkLen: 64 * blocks,
      });
      expect(toHex(wordsAsBytes(out)), `length ${length}, ${blocks} blocks`).toBe(toHex(reference));
    }
  }
});

test('derive-key matches the official BLAKE3 test vector (empty input)', () => {
  // BLAKE3-team/BLAKE3 test_vectors/test_vectors.json, input_len 0, "derive_key" (131 bytes).
  const expected =
    '2cc39783c223154fea8dfb7c1b1660f2ac2dcbd1c1de8277b0b0dd39b7e50d7d905630c8be290dfcf3e6842f13' +
    'bddd573c098c3f17361f1f206b8cad9d088aa4a3f746752c6b0ce6a83b0da81d59649257cdf8eb3e9f7d4998e4' +
    '1021fac119deefb896224ac99f860011f73609e6e0e4540f93b273e56547dfd3aa1a035ba6689d89a0';
  const key = blake3DeriveKeyContext(utf8Bytes(VECTORS_CONTEXT));
  const out = new Uint32Array(16 * 3);
  blake3DeriveKeyXof(key, new Uint8Array(0), out);
  expect(toHex(wordsAsBytes(out)).slice(0, expected.length)).toBe(expected);
});

test('the XOF rejects a partial output block', () => {
  const key = blake3DeriveKeyContext(utf8Bytes('x'));
  expect(() => blake3DeriveKeyXof(key, new Uint8Array(1), new Uint32Array(8))).toThrow(RangeError);
});

test('an element adds BLAKE3 derive_key(context, element) as 1024 little-endian uint16 lanes', () => {
  const elements = [
    accountElement(addressOf(new Uint8Array(32).fill(9)), { balance: 7, nonce: 1 }),
    recordElement(`${addressOf(new Uint8Array(32).fill(9))}/k`, pattern(2048)),
  ];
  for (const element of elements) {
    const expected = blake3(element, {
      context: utf8Bytes(ELEMENT_LANES_CONTEXT),
      dkLen: ACCUMULATOR_BYTES,
    });
    const accumulator = emptyAccumulator();
    accumulate(accumulator, element, 1);
    expect(toHex(accumulator)).toBe(toHex(expected));
    const words = new Uint32Array(ACCUMULATOR_BYTES / 4);
    elementLanes(element, words);
    expect(toHex(wordsAsBytes(words))).toBe(toHex(expected));
  }
});

test('lanes wrap mod 2^16 independently: no carry or borrow crosses a lane', () => {
  const element = accountElement(addressOf(new Uint8Array(32).fill(3)), { balance: 1, nonce: 0 });
  const lanes = blake3(element, {
    context: utf8Bytes(ELEMENT_LANES_CONTEXT),
    dkLen: ACCUMULATOR_BYTES,
  });
  const laneValues = new Uint16Array(ACCUMULATOR_BYTES / 2);
  const lanesView = new DataView(lanes.buffer, lanes.byteOffset);
  laneValues.forEach((_, i) => (laneValues[i] = lanesView.getUint16(2 * i, true)));
  for (const start of [0x0000, 0xffff, 0x8000, 0x7fff, 0x1234]) {
    for (const sign of [1, -1] as const) {
      for (const offset of [0, 1, 2]) {
        // Offset 0 takes the Uint32Array path; 1 and 2 (not 4-byte aligned) the byte loop.
        const buffer = new Uint8Array(ACCUMULATOR_BYTES + offset);
        const accumulator = buffer.subarray(offset);
        const view = new DataView(buffer.buffer, offset);
        for (let i = 0; i < laneValues.length; i++) view.setUint16(2 * i, start, true);
        accumulate(accumulator, element, sign);
        const expected = Array.from(laneValues, (lane) => (start + sign * lane) & 0xffff);
        const actual = Array.from(laneValues, (_, i) => view.getUint16(2 * i, true));
        expect(actual, `start ${start}, sign ${sign}, offset ${offset}`).toEqual(expected);
      }
    }
  }
});
