// The core's SHA-256 gives the digests of @noble/hashes and node:crypto for every input length
// around the padding boundaries and for random inputs, call after call (it reuses its scratch).
import { createHash } from 'node:crypto';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { sha256Concat, sha256Digest } from '../../src/lib/core/sha256';
import { sha256 } from '../../src/lib/core/hash';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('sha256', () => {
  test('known answers (FIPS 180-4 examples)', () => {
    expect(hex(sha256Digest(new Uint8Array(0)))).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(hex(sha256Digest(new TextEncoder().encode('abc')))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(
      hex(
        sha256Digest(
          new TextEncoder().encode('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'),
        ),
      ),
    ).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
  });

  test('every length from 0 to 300 bytes, and a long input, as node:crypto', () => {
    for (let length = 0; length <= 300; length++) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 31 + length) & 0xff);
      expect(hex(sha256Digest(bytes))).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
    const long = new Uint8Array(1_000_003).fill(0xa5);
    expect(hex(sha256Digest(long))).toBe(createHash('sha256').update(long).digest('hex'));
  });

  test('random inputs and views as noble, and the ledger sha256 is this one', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 700 }), fc.nat({ max: 16 }), (bytes, cut) => {
        const view = bytes.subarray(Math.min(cut, bytes.length));
        expect(hex(sha256Digest(view))).toBe(hex(nobleSha256(view)));
        expect(hex(sha256(view))).toBe(hex(nobleSha256(view)));
      }),
      { numRuns: 2_000 },
    );
  });

  test('sha256Concat hashes the concatenation, small or past its reused buffer', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 5 }), (parts) => {
        const whole = Uint8Array.from(parts.flatMap((part) => [...part]));
        expect(hex(sha256Concat(...parts))).toBe(hex(nobleSha256(whole)));
      }),
      { numRuns: 1_000 },
    );
    const big = [new Uint8Array(700_000).fill(1), new Uint8Array(700_000).fill(2)];
    const whole = new Uint8Array(1_400_000);
    whole.set(big[0]!, 0);
    whole.set(big[1]!, 700_000);
    expect(hex(sha256Concat(...big))).toBe(hex(nobleSha256(whole)));
  });
});
