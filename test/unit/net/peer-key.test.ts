// The peer key made with WebCrypto must be the same key libp2p would derive from its seed, and
// sign what its public key verifies (noise's handshake signs with it).
import { describe, expect, test } from 'vitest';
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys';
import { generatePeerKey } from '../../../src/lib/net/peer-key';

describe('generatePeerKey', () => {
  test('its public key is the one libp2p derives from the seed, and it signs', async () => {
    const key = await generatePeerKey();
    expect(key.type).toBe('Ed25519');
    const seed = key.raw.subarray(0, 32);
    const derived = await generateKeyPairFromSeed('Ed25519', seed);
    expect(key.publicKey.equals(derived.publicKey)).toBe(true);
    const message = new TextEncoder().encode('noise handshake payload');
    const signature = await key.sign(message);
    expect(await key.publicKey.verify(message, signature)).toBe(true);
    expect(await derived.publicKey.verify(message, signature)).toBe(true);
  });

  test('each call makes a different key', async () => {
    const [a, b] = await Promise.all([generatePeerKey(), generatePeerKey()]);
    expect(a.publicKey.equals(b.publicKey)).toBe(false);
  });
});
