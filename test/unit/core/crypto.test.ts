import { expect, test } from 'vitest';
import { precheckSignature, txSignBytes } from '../../../src/lib/core/index';
import {
  generateSigningKey,
  signingKeyOf,
  VERIFY_KEY_CACHE_MAX,
  webCryptoSigner,
  webCryptoVerifier,
} from '../../../src/lib/crypto/index';

test('generated private keys are non-extractable; the raw public key is exported', async () => {
  const key = await generateSigningKey();
  expect(key.publicKey).toHaveLength(32);
  expect(key.keyPair.privateKey.extractable).toBe(false);
  await expect(crypto.subtle.exportKey('pkcs8', key.keyPair.privateKey)).rejects.toThrow();
  expect((await signingKeyOf(key.keyPair)).publicKey).toEqual(key.publicKey);
});

test('sign and verify; a changed message, key or signature fails', async () => {
  const [a, b] = [await generateSigningKey(), await generateSigningKey()];
  const signer = webCryptoSigner(a);
  const verifier = webCryptoVerifier();
  const message = txSignBytes({
    chainId: 'ab'.repeat(32),
    from: a.publicKey,
    nonce: 0,
    kind: 'delete',
    body: { key: 'k' },
  });
  const signature = await signer.sign(message);
  expect(signature).toHaveLength(64);
  expect(precheckSignature(a.publicKey, signature)).toBeNull();
  expect(await verifier.verify(a.publicKey, message, signature)).toBe(true);
  expect(await verifier.verify(b.publicKey, message, signature)).toBe(false);
  expect(await verifier.verify(a.publicKey, Uint8Array.of(...message, 0), signature)).toBe(false);
  const flipped = signature.slice();
  flipped[5]! ^= 1;
  expect(await verifier.verify(a.publicKey, message, flipped)).toBe(false);
});

test('the key cache stays bounded and still verifies after eviction', async () => {
  const key = await generateSigningKey();
  const verifier = webCryptoVerifier();
  const message = Uint8Array.of(1, 2, 3);
  const signature = await webCryptoSigner(key).sign(message);
  expect(await verifier.verify(key.publicKey, message, signature)).toBe(true);
  // Fill the cache with other (undecodable-or-not) keys, evicting the first.
  const others = Array.from({ length: VERIFY_KEY_CACHE_MAX }, (_, i) => {
    const k = new Uint8Array(32).fill(9);
    k[0] = i & 255;
    k[1] = i >> 8;
    return k;
  });
  await Promise.all(others.map((k) => verifier.verify(k, message, signature)));
  expect(await verifier.verify(key.publicKey, message, signature)).toBe(true);
});
