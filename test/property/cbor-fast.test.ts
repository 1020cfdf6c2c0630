// The fast CBOR path writes exactly cborg's bytes for every value it accepts, declines the rest,
// and encodeValue / encodedBlockSize agree with cborg whichever path a value takes.
import { encode as cborgEncode } from 'cborg';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  CBOR_FAST_DEPTH_MAX,
  cborFastEncode,
  cborFastEquals,
  cborFastSize,
  cborFastTransient,
} from '../../src/lib/core/cbor-fast';
import {
  encodeBlock,
  encodeCommit,
  encodedBlockSize,
  encodedTxSize,
  encodeHeader,
  encodeTx,
  encodeValidatorSet,
  encodeValue,
  sha256OfCommit,
  sha256OfHeader,
  sha256OfTx,
  sha256OfValidatorSet,
  sha256OfValue,
} from '../../src/lib/core/encoding';
import { sha256Digest } from '../../src/lib/core/sha256';
import type { Block } from '../../src/lib/core/types';

const boundaries = [
  0,
  1,
  23,
  24,
  255,
  256,
  65_535,
  65_536,
  0xffff_ffff,
  0x1_0000_0000,
  Number.MAX_SAFE_INTEGER,
];
const integer = fc.oneof(
  fc.integer({ min: -1_000, max: 1_000 }),
  fc.maxSafeInteger(),
  fc.constantFrom(...boundaries, ...boundaries.map((n) => -n), -0),
);
const ascii = fc.string({ unit: 'binary-ascii', maxLength: 300 });
const anyText = fc.string({ unit: 'grapheme', maxLength: 40 });
const fastLeaf = fc.oneof(
  integer,
  ascii,
  fc.uint8Array({ maxLength: 300 }),
  fc.constantFrom(null, true, false),
);
const fastValue = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fastLeaf,
    fc.array(tie('value'), { maxLength: 30 }),
  ),
})).value;
/** Values with shapes only cborg takes: floats, maps, other text, undefined, bigints. */
const otherLeaf = fc.oneof(
  fc.double(),
  anyText,
  fc.constant(undefined),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
  fc.dictionary(fc.string({ maxLength: 5 }), fastLeaf, { maxKeys: 4 }),
  fc.constant(Uint16Array.of(1, 2, 3)),
);
const mixedValue = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fastLeaf,
    otherLeaf,
    fc.array(tie('value'), { maxLength: 10 }),
  ),
})).value;

function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

function sampleBlock(): Block {
  return {
    header: {
      chainId: 'ab'.repeat(32),
      height: 7,
      time: 1_700_000_000_123,
      previousHash: new Uint8Array(32).fill(1),
      lastCommitHash: new Uint8Array(32).fill(2),
      txsRoot: new Uint8Array(32).fill(3),
      evidenceHash: new Uint8Array(32).fill(4),
      stateRoot: new Uint8Array(32).fill(5),
      validatorsHash: new Uint8Array(32).fill(6),
      nextValidatorsHash: new Uint8Array(32).fill(7),
      proposer: 'cd'.repeat(20),
    },
    txs: [
      {
        chainId: 'ab'.repeat(32),
        from: new Uint8Array(32).fill(8),
        nonce: 300,
        kind: 'put',
        body: { key: 'naïve key', value: new Uint8Array(100).fill(9) },
        signature: new Uint8Array(64).fill(10),
      },
    ],
    lastCommit: null,
    evidence: [],
  };
}

describe('cbor fast path', () => {
  test('writes the same bytes as cborg, and sizes them exactly', () => {
    fc.assert(
      fc.property(fastValue, (value) => {
        const expected = cborgEncode(value);
        const fast = cborFastEncode(value);
        expect(fast).not.toBeNull();
        expect(Buffer.from(fast as Uint8Array).equals(Buffer.from(expected))).toBe(true);
        expect(cborFastSize(value)).toBe(expected.length);
      }),
      { numRuns: 2_000 },
    );
  });

  test('encodeValue gives cborg bytes on any value, declined or not', () => {
    fc.assert(
      fc.property(mixedValue, (value) => {
        const fast = cborFastEncode(value);
        const expected = cborgEncode(value);
        if (fast) expect(Buffer.from(fast).equals(Buffer.from(expected))).toBe(true);
        expect(Buffer.from(encodeValue(value)).equals(Buffer.from(expected))).toBe(true);
      }),
      { numRuns: 1_000 },
    );
  });

  test('declines what it does not cover', () => {
    for (const value of [
      0.5,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      2 ** 53,
      -(2 ** 53),
      'é',
      '\u{1F600}',
      undefined,
      10n,
      { a: 1 },
      new Map([[1, 2]]),
      Uint16Array.of(1),
      [1, [2, 0.5]],
      [1, 'ü'],
    ]) {
      expect(cborFastEncode(value)).toBeNull();
      expect(cborFastSize(value)).toBeNull();
    }
  });

  test('leaves deep nesting and circular arrays to cborg', () => {
    expect(cborFastEncode(nested(CBOR_FAST_DEPTH_MAX))).not.toBeNull();
    expect(cborFastEncode(nested(CBOR_FAST_DEPTH_MAX + 1))).toBeNull();
    const deep = nested(CBOR_FAST_DEPTH_MAX + 5);
    expect(Buffer.from(encodeValue(deep)).equals(Buffer.from(cborgEncode(deep)))).toBe(true);
    const circular: unknown[] = [1];
    circular.push(circular);
    expect(cborFastEncode(circular)).toBeNull();
    expect(() => encodeValue(circular)).toThrow();
  });

  test('encodedBlockSize is the length of encodeBlock', () => {
    const block = sampleBlock();
    expect(encodedBlockSize(block)).toBe(encodeBlock(block).length);
    expect(encodedBlockSize({ ...block, txs: [] })).toBe(encodeBlock({ ...block, txs: [] }).length);
    expect(encodedTxSize(block.txs[0]!)).toBe(encodeTx(block.txs[0]!).length);
  });

  test('hashes of transient encodings equal hashes of fresh ones', () => {
    const block = sampleBlock();
    const commit = {
      height: 6,
      round: 1,
      blockHash: new Uint8Array(32).fill(11),
      signatures: [
        { kind: 'commit' as const, timestamp: 1_700_000_000_500, signature: new Uint8Array(64) },
        { kind: 'absent' as const },
      ],
    };
    const set = {
      validators: [{ address: 'ef'.repeat(20), publicKey: new Uint8Array(32).fill(3), power: 10 }],
      totalPower: 10,
    };
    const same = (a: Uint8Array, b: Uint8Array) => expect(Buffer.from(a).equals(Buffer.from(b)));
    same(sha256OfTx(block.txs[0]!), sha256Digest(encodeTx(block.txs[0]!))).toBe(true);
    same(sha256OfHeader(block.header), sha256Digest(encodeHeader(block.header))).toBe(true);
    same(sha256OfCommit(commit), sha256Digest(encodeCommit(commit))).toBe(true);
    same(sha256OfValidatorSet(set), sha256Digest(encodeValidatorSet(set))).toBe(true);
    fc.assert(
      fc.property(mixedValue, (value) => {
        same(sha256OfValue(value), sha256Digest(cborgEncode(value))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  test('a transient encoding is the canonical bytes, in a buffer reused call after call', () => {
    fc.assert(
      fc.property(fastValue, fastValue, (a, b) => {
        const first = cborFastTransient(a)!;
        expect(Buffer.from(first).equals(Buffer.from(cborgEncode(a)))).toBe(true);
        const second = cborFastTransient(b)!;
        expect(Buffer.from(second).equals(Buffer.from(cborgEncode(b)))).toBe(true);
      }),
      { numRuns: 500 },
    );
    const big = [new Uint8Array(2 << 20).fill(1)];
    expect(Buffer.from(cborFastTransient(big)!).equals(Buffer.from(cborgEncode(big)))).toBe(true);
    expect(cborFastTransient([0.5])).toBeNull();
  });
});

describe('cbor fast comparison', () => {
  test('matches exactly the canonical bytes, whatever the scratch held before', () => {
    fc.assert(
      fc.property(fastValue, fc.nat(), fc.integer({ min: 0, max: 255 }), (value, at, flip) => {
        const bytes = cborgEncode(value);
        expect(cborFastEquals(value, bytes)).toBe(true);
        const changed = bytes.slice();
        const i = at % changed.length;
        changed[i] = (changed[i]! + 1 + (flip % 255)) & 0xff;
        expect(cborFastEquals(value, changed)).toBe(false);
        expect(cborFastEquals(value, bytes.subarray(0, bytes.length - 1))).toBe(false);
        expect(cborFastEquals(value, Uint8Array.of(...bytes, 0))).toBe(false);
      }),
      { numRuns: 1_000 },
    );
  });

  test('compares values larger than the reused buffer', () => {
    const big = [new Uint8Array(3 << 20).fill(7), 'x'];
    const bytes = cborgEncode(big);
    expect(cborFastEquals(big, bytes)).toBe(true);
    const changed = bytes.slice();
    changed[changed.length - 1] = 0;
    expect(cborFastEquals(big, changed)).toBe(false);
    expect(cborFastEquals([0.5], cborgEncode([0.5]))).toBeNull();
  });
});
