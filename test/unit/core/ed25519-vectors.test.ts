import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, test } from 'vitest';
import { precheckSignature } from '../../../src/lib/core/signing';
import { webCryptoVerifier } from '../../../src/lib/crypto/index';
import { ED25519_VECTORS, hexBytes } from '../../support/ed25519-vectors';

const verifier = webCryptoVerifier();

async function rawWebCrypto(pk: Uint8Array, msg: Uint8Array, sig: Uint8Array): Promise<boolean> {
  try {
    const key = await crypto.subtle.importKey('raw', pk.slice(), 'Ed25519', false, ['verify']);
    return await crypto.subtle.verify('Ed25519', key, sig.slice(), msg.slice());
  } catch {
    return false;
  }
}

function nobleStrict(pk: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean {
  try {
    return ed25519.verify(sig, msg, pk, { zip215: false });
  } catch {
    return false;
  }
}

describe('Ed25519 acceptance rule (Node WebCrypto)', () => {
  test.each(ED25519_VECTORS)('$name', async (vector) => {
    const pk = hexBytes(vector.publicKey);
    const msg = hexBytes(vector.message);
    const sig = hexBytes(vector.signature);
    expect(precheckSignature(pk, sig)).toBe(vector.precheck);
    expect(await verifier.verify(pk, msg, sig)).toBe(vector.accept);
    if (vector.precheck === null) {
      // Past the pre-checks, the backend's own cofactorless verification is the rule.
      expect(await rawWebCrypto(pk, msg, sig)).toBe(vector.accept);
    }
  });

  test('the vectors include every pre-check rejection and an accepted mixed-order key', () => {
    const reasons = new Set(ED25519_VECTORS.map((v) => v.precheck));
    for (const reason of [
      'bad-key-length',
      'bad-signature-length',
      's-not-reduced',
      'non-canonical-key',
      'non-canonical-r',
      'small-order-key',
      'small-order-r',
      null,
    ] as const) {
      expect(reasons.has(reason)).toBe(true);
    }
    expect(ED25519_VECTORS.find((v) => v.name.startsWith('speccheck 3'))?.accept).toBe(true);
  });

  test('without the pre-checks Node WebCrypto accepts small-order keys (why they exist)', async () => {
    const accepted = [];
    for (const v of ED25519_VECTORS) {
      const raw = await rawWebCrypto(
        hexBytes(v.publicKey),
        hexBytes(v.message),
        hexBytes(v.signature),
      );
      if (raw !== v.accept) accepted.push(v.name.split(':')[0]);
    }
    // nodejs/node#54572: OpenSSL accepts these; BoringSSL (Chromium) rejects some of them.
    expect(accepted).toEqual([
      'speccheck 0',
      'speccheck 1',
      'speccheck 2',
      'speccheck 11',
      'R = identity, S = 0 with a small-order key (trivial forgery)',
    ]);
  });

  test('noble strict (cofactored) differs from the rule only on cofactored-only vectors', () => {
    const differ = ED25519_VECTORS.filter((v) => v.precheck === null)
      .filter((v) => {
        const verdict = nobleStrict(
          hexBytes(v.publicKey),
          hexBytes(v.message),
          hexBytes(v.signature),
        );
        return verdict !== v.accept;
      })
      .map((v) => v.name.split(':')[0]);
    expect(differ).toEqual(['speccheck 4', 'speccheck 5']);
  });
});

describe('the small-order blocklist is exactly the 8 small-order points', () => {
  test('every encoding noble decodes to a small-order point is rejected', () => {
    const candidates: Uint8Array[] = [];
    for (const y of [
      '0100000000000000000000000000000000000000000000000000000000000000',
      'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
      '0000000000000000000000000000000000000000000000000000000000000000',
      'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
      '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
    ]) {
      for (const signBit of [0, 0x80]) {
        const bytes = hexBytes(y);
        bytes[31]! |= signBit;
        candidates.push(bytes);
      }
    }
    const points = new Set<string>();
    for (const bytes of candidates) {
      expect(precheckSignature(bytes, new Uint8Array(64))).toMatch(
        /small-order-key|non-canonical-key/,
      );
      try {
        const point = ed25519.Point.fromBytes(bytes, true);
        expect(point.isSmallOrder()).toBe(true);
        points.add(point.toHex());
      } catch {
        // x = 0 with the sign bit set: not a valid encoding at all.
      }
    }
    expect(points.size).toBe(8);
  });

  test('random valid public keys pass the pre-checks', () => {
    // R = the base point, S = 0: well-formed, so only the key is judged.
    const signature = new Uint8Array(64);
    signature.set(ed25519.Point.BASE.toBytes());
    for (let i = 0; i < 20; i++) {
      const publicKey = ed25519.getPublicKey(ed25519.utils.randomSecretKey());
      expect(precheckSignature(publicKey, signature)).toBeNull();
    }
  });
});
