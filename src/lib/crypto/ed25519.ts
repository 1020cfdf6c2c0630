// Ed25519 with WebCrypto (Node 20 and browsers). Not pure: the core never imports this; the
// node and the tests hand a Signer / Verifier to whoever needs one.

import { precheckSignature, type Signer, type Verifier } from '../core/signing';
import type { PublicKey, Signature } from '../core/types';

const ED25519 = { name: 'Ed25519' } as const;

/** Imported public keys kept per verifier; verification keys repeat (validators, busy accounts). */
export const VERIFY_KEY_CACHE_MAX = 1024;

export interface SigningKey {
  /** privateKey is non-extractable: script can sign with it (and IndexedDB can store it) only. */
  keyPair: CryptoKeyPair;
  publicKey: PublicKey;
}

export async function generateSigningKey(): Promise<SigningKey> {
  const keyPair = (await crypto.subtle.generateKey(ED25519, false, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  return { keyPair, publicKey: await exportPublicKey(keyPair.publicKey) };
}

/** Raw 32-byte public key of a CryptoKey (public keys are always extractable). */
export async function exportPublicKey(key: CryptoKey): Promise<PublicKey> {
  return new Uint8Array(await crypto.subtle.exportKey('raw', key));
}

/**
 * A Signer over a key. Store the whole SigningKey in IndexedDB (structured clone keeps the
 * non-extractable CryptoKey usable); for a bare stored CryptoKeyPair use signingKeyOf first.
 */
export function webCryptoSigner(key: SigningKey): Signer {
  return {
    publicKey: key.publicKey,
    async sign(message: Uint8Array): Promise<Signature> {
      const signature = await crypto.subtle.sign(ED25519, key.keyPair.privateKey, message.slice());
      return new Uint8Array(signature);
    },
  };
}

export async function signingKeyOf(keyPair: CryptoKeyPair): Promise<SigningKey> {
  return { keyPair, publicKey: await exportPublicKey(keyPair.publicKey) };
}

/** Verifies under the protocol's acceptance rule: pure pre-checks, then WebCrypto. */
export function webCryptoVerifier(): Verifier {
  const keys = new Map<string, Promise<CryptoKey | null>>();

  function importKey(publicKey: PublicKey): Promise<CryptoKey | null> {
    const id = hexOf(publicKey);
    let key = keys.get(id);
    if (!key) {
      // An undecodable point is a bad key: some backends throw on import, others on verify.
      key = crypto.subtle
        .importKey('raw', publicKey.slice(), ED25519, false, ['verify'])
        .catch(() => null);
      if (keys.size >= VERIFY_KEY_CACHE_MAX) keys.delete(keys.keys().next().value!);
      keys.set(id, key);
    }
    return key;
  }

  return {
    async verify(publicKey: PublicKey, message: Uint8Array, signature: Signature) {
      if (precheckSignature(publicKey, signature) !== null) return false;
      const key = await importKey(publicKey);
      if (key === null) return false;
      try {
        return await crypto.subtle.verify(ED25519, key, signature.slice(), message.slice());
      } catch {
        return false;
      }
    },
  };
}

function hexOf(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}
