// Real Ed25519 for the simulator: WebCrypto signing keys derived from the seed (so validator
// addresses, and with them proposer order and block hashes, are reproducible), and a
// verification cache shared by every simulated node. Sharing is sound because verification is
// a pure function of (public key, message, signature): a node that looks up a cached verdict
// gets exactly the answer it would have computed.

import { webcrypto } from 'node:crypto';
import { toHex } from '../../src/lib/core/bytes';
import { precheckSignature, type Signer, type Verifier } from '../../src/lib/core/signing';
import type { PublicKey, Signature } from '../../src/lib/core/types';

const subtle = webcrypto.subtle;

/** RFC 8410 PKCS#8 prefix for a raw 32-byte Ed25519 private key. */
const PKCS8_ED25519_PREFIX = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);

export interface SimKey {
  publicKey: PublicKey;
  signer: Signer;
}

function base64UrlToBytes(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'base64url'));
}

/**
 * A WebCrypto Ed25519 key from a 32-byte private seed. The signing key stays non-extractable;
 * a second, extractable import is used once to read the public key.
 */
export async function keyFromSeed(seed: Uint8Array): Promise<SimKey> {
  if (seed.length !== 32) throw new RangeError('an Ed25519 seed is 32 bytes');
  const pkcs8 = new Uint8Array(PKCS8_ED25519_PREFIX.length + 32);
  pkcs8.set(PKCS8_ED25519_PREFIX);
  pkcs8.set(seed, PKCS8_ED25519_PREFIX.length);
  const readable = await subtle.importKey('pkcs8', pkcs8, { name: 'Ed25519' }, true, ['sign']);
  const jwk = await subtle.exportKey('jwk', readable);
  if (jwk.x === undefined) throw new Error('Ed25519 JWK without x');
  const publicKey = base64UrlToBytes(jwk.x);
  const privateKey = await subtle.importKey('pkcs8', pkcs8, { name: 'Ed25519' }, false, ['sign']);
  return {
    publicKey,
    signer: {
      publicKey,
      async sign(message: Uint8Array): Promise<Signature> {
        return new Uint8Array(await subtle.sign({ name: 'Ed25519' }, privateKey, message));
      },
    },
  };
}

/** Cached verdicts kept at most; when full the cache is cleared (verdicts are recomputable). */
export const VERIFY_CACHE_ENTRIES_MAX = 500_000;

export interface VerifyStats {
  verified: number;
  cacheHits: number;
}

/**
 * The protocol's acceptance rule (pure pre-checks, then WebCrypto strict verification) behind a
 * cache keyed by (public key, message, signature).
 */
export class CachedVerifier implements Verifier {
  readonly stats: VerifyStats = { verified: 0, cacheHits: 0 };
  private readonly cache = new Map<string, boolean>();
  private readonly keys = new Map<string, webcrypto.CryptoKey>();

  async verify(publicKey: PublicKey, message: Uint8Array, signature: Signature): Promise<boolean> {
    const cacheKey = `${toHex(publicKey)}${toHex(signature)}${toHex(message)}`;
    const cached = this.cache.get(cacheKey);
    if (cached !== undefined) {
      this.stats.cacheHits++;
      return cached;
    }
    const verdict = await this.verifyUncached(publicKey, message, signature);
    if (this.cache.size >= VERIFY_CACHE_ENTRIES_MAX) this.cache.clear();
    this.cache.set(cacheKey, verdict);
    return verdict;
  }

  private async verifyUncached(
    publicKey: PublicKey,
    message: Uint8Array,
    signature: Signature,
  ): Promise<boolean> {
    if (precheckSignature(publicKey, signature) !== null) return false;
    this.stats.verified++;
    const hex = toHex(publicKey);
    let key = this.keys.get(hex);
    if (key === undefined) {
      try {
        key = await subtle.importKey('raw', publicKey, { name: 'Ed25519' }, false, ['verify']);
      } catch {
        return false;
      }
      this.keys.set(hex, key);
    }
    return subtle.verify({ name: 'Ed25519' }, key, signature, message);
  }
}

/**
 * Counts the signatures being made or checked right now. WebCrypto settles on libuv's thread
 * pool, outside the event loop's microtasks; the simulator waits for this count to reach zero
 * before it lets the next event happen, so every event is handled to completion.
 */
export class CryptoInFlight {
  count = 0;

  #track<T>(work: Promise<T>): Promise<T> {
    this.count += 1;
    return work.finally(() => {
      this.count -= 1;
    });
  }

  verifier(inner: Verifier): Verifier {
    return {
      verify: (publicKey, message, signature) =>
        this.#track(inner.verify(publicKey, message, signature)),
    };
  }

  signer(inner: Signer): Signer {
    return {
      publicKey: inner.publicKey,
      sign: (message) => this.#track(inner.sign(message)),
    };
  }
}
