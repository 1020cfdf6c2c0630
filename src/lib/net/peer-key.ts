// The libp2p peer key (transport identity, fresh each time a tab opens its network). libp2p's
// own generateKeyPair('Ed25519') derives the public key in JavaScript (@noble/curves), and its
// first use builds the curve's precomputed tables: ~25 ms of main thread in the same task as the
// rest of the node's start, which made opening a ledger one long task of ~100 ms (bench row 4).
// WebCrypto generates the pair natively; the private key is exported once to hand libp2p the
// seed and public key it keeps.
import { generateKeyPair, privateKeyFromRaw } from '@libp2p/crypto/keys';
import type { PrivateKey } from '@libp2p/interface';

const SEED_BYTES = 32;

export async function generatePeerKey(): Promise<PrivateKey> {
  try {
    const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, [
      'sign',
      'verify',
    ])) as CryptoKeyPair;
    const [pkcs8, publicKey] = await Promise.all([
      crypto.subtle.exportKey('pkcs8', pair.privateKey),
      crypto.subtle.exportKey('raw', pair.publicKey),
    ]);
    // PKCS#8 for Ed25519 ends with the 32-byte seed (RFC 8410).
    const seed = new Uint8Array(pkcs8).slice(-SEED_BYTES);
    const raw = new Uint8Array(SEED_BYTES * 2);
    raw.set(seed, 0);
    raw.set(new Uint8Array(publicKey), SEED_BYTES);
    return privateKeyFromRaw(raw);
  } catch {
    // No WebCrypto Ed25519 (an older browser): libp2p's JavaScript key generation.
    return generateKeyPair('Ed25519');
  }
}
