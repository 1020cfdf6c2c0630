import { describe, expect, test } from 'vitest';
import type { Verifier } from '../../../src/lib/core/signing';
import {
  cachingVerifier,
  generateSigningKey,
  VERDICT_CACHE_ENTRIES_MAX,
  webCryptoSigner,
  webCryptoVerifier,
} from '../../../src/lib/crypto/index';

/** A verifier that accepts what `accept` says and counts the calls that reach it. */
function countingVerifier(accept: (signature: Uint8Array) => boolean = () => true) {
  const counter = {
    calls: 0,
    verifier: {
      async verify(_publicKey, _message, signature) {
        counter.calls++;
        return accept(signature);
      },
    } satisfies Verifier,
  };
  return counter;
}

const key = (byte: number) => new Uint8Array(32).fill(byte);
const sig = (byte: number) => new Uint8Array(64).fill(byte);
const msg = (text: string) => new TextEncoder().encode(text);

describe('cachingVerifier', () => {
  test('a repeated accepted signature is answered without the inner verifier', async () => {
    const inner = countingVerifier();
    const verifier = cachingVerifier(inner.verifier);
    expect(await verifier.verify(key(1), msg('m'), sig(2))).toBe(true);
    expect(await verifier.verify(key(1), msg('m'), sig(2))).toBe(true);
    expect(await verifier.verify(key(1), msg('m'), sig(2))).toBe(true);
    expect(inner.calls).toBe(1);
    expect(verifier.size).toBe(1);
  });

  test('a rejected signature is never cached: every check reaches the inner verifier', async () => {
    const inner = countingVerifier((signature) => signature[0] !== 0xee);
    const verifier = cachingVerifier(inner.verifier);
    expect(await verifier.verify(key(1), msg('m'), sig(0xee))).toBe(false);
    expect(await verifier.verify(key(1), msg('m'), sig(0xee))).toBe(false);
    expect(inner.calls).toBe(2);
    expect(verifier.size).toBe(0);
  });

  test('a different key, message or signature is a miss', async () => {
    const inner = countingVerifier();
    const verifier = cachingVerifier(inner.verifier);
    await verifier.verify(key(1), msg('m'), sig(2));
    await verifier.verify(key(3), msg('m'), sig(2));
    await verifier.verify(key(1), msg('n'), sig(2));
    await verifier.verify(key(1), msg('m'), sig(4));
    expect(inner.calls).toBe(4);
    expect(verifier.size).toBe(4);
  });

  test('the same bytes split differently between key, signature and message is a miss', async () => {
    const inner = countingVerifier();
    const verifier = cachingVerifier(inner.verifier);
    const bytes = new Uint8Array(100).map((_, i) => i);
    await verifier.verify(bytes.subarray(0, 32), bytes.subarray(96), bytes.subarray(32, 96));
    await verifier.verify(bytes.subarray(0, 31), bytes.subarray(95), bytes.subarray(31, 95));
    expect(inner.calls).toBe(2);
  });

  test('holds at most entriesMax verdicts and evicts the least recently used', async () => {
    const inner = countingVerifier();
    const verifier = cachingVerifier(inner.verifier, 3);
    for (const byte of [1, 2, 3]) await verifier.verify(key(byte), msg('m'), sig(byte));
    await verifier.verify(key(1), msg('m'), sig(1)); // 1 is now the most recently used
    await verifier.verify(key(4), msg('m'), sig(4)); // evicts 2
    expect(verifier.size).toBe(3);
    expect(inner.calls).toBe(4);

    await verifier.verify(key(1), msg('m'), sig(1));
    await verifier.verify(key(3), msg('m'), sig(3));
    await verifier.verify(key(4), msg('m'), sig(4));
    expect(inner.calls).toBe(4);
    await verifier.verify(key(2), msg('m'), sig(2));
    expect(inner.calls).toBe(5);

    for (let byte = 10; byte < 50; byte++) await verifier.verify(key(byte), msg('m'), sig(byte));
    expect(verifier.size).toBe(3);
  });

  test('the default bound is named and a bad bound is refused', () => {
    expect(VERDICT_CACHE_ENTRIES_MAX).toBeGreaterThan(5_000);
    expect(() => cachingVerifier(countingVerifier().verifier, 0)).toThrow(RangeError);
  });

  test('over real Ed25519: keeps accepting valid and rejecting tampered signatures', async () => {
    const signingKey = await generateSigningKey();
    const signer = webCryptoSigner(signingKey);
    const verifier = cachingVerifier(webCryptoVerifier());
    const message = msg('transfer 1 to ab');
    const signature = await signer.sign(message);
    expect(await verifier.verify(signingKey.publicKey, message, signature)).toBe(true);
    expect(await verifier.verify(signingKey.publicKey, message, signature)).toBe(true);
    const tampered = signature.slice();
    tampered[0]! ^= 1;
    expect(await verifier.verify(signingKey.publicKey, message, tampered)).toBe(false);
    expect(await verifier.verify(signingKey.publicKey, msg('transfer 2 to ab'), signature)).toBe(
      false,
    );
  });
});
