// The pure half of the Ed25519 acceptance rule (docs/protocol.md, "Signatures").
//
// Rule: strict RFC 8032 §5.1.7 cofactorless verification ([S]B = R + [k]A, compared as
// encoded bytes), plus these pre-checks, which every backend runs before the curve arithmetic:
//   1. public key 32 bytes, signature 64 bytes;
//   2. S (the signature's second half, little-endian) < L, the group order (no malleability);
//   3. A and R are canonical encodings (y < p; x = 0 never carries a set sign bit);
//   4. neither A nor R is one of the 8 small-order points (in any encoding).
// WebCrypto backends disagree exactly on cases 2-4 (Node's OpenSSL accepts small-order keys
// that BoringSSL rejects; nodejs/node#54572), and all use cofactorless verification, so after
// these checks every backend returns the same verdict; test vectors pin it.

import type { PublicKey, Signature } from './types';

/** The prime order of the Ed25519 base point, little-endian. */
const L_LE = Uint8Array.from([
  0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
]);

/**
 * Canonical encodings (sign bit cleared) of the y-coordinates of the 8 small-order points:
 * y = 1 (identity), y = p - 1 (order 2), y = 0 (order 4), and the two y of the order-8 points.
 * Any encoding whose low 255 bits equal one of these is small-order whatever its sign bit.
 */
const SMALL_ORDER_Y_HEX = [
  '0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000000',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
];
const SMALL_ORDER_Y = SMALL_ORDER_Y_HEX.map((hex) =>
  Uint8Array.from(hex.match(/../g)!.map((byte) => parseInt(byte, 16))),
);

export type SignatureRejection =
  | 'bad-key-length'
  | 'bad-signature-length'
  | 's-not-reduced'
  | 'non-canonical-key'
  | 'non-canonical-r'
  | 'small-order-key'
  | 'small-order-r';

/** Little-endian comparison of 32-byte values: true if a < b. */
function lessThanLe(a: Uint8Array, b: Uint8Array, offset: number): boolean {
  for (let i = 31; i >= 0; i--) {
    const x = a[offset + i]!;
    const y = b[i]!;
    if (x !== y) return x < y;
  }
  return false;
}

/** True if the 255-bit y of the point encoded at bytes[offset..offset+32] is >= p = 2^255 - 19. */
function yNotReduced(bytes: Uint8Array, offset: number): boolean {
  if ((bytes[offset + 31]! & 0x7f) !== 0x7f) return false;
  for (let i = 30; i >= 1; i--) if (bytes[offset + i] !== 0xff) return false;
  return bytes[offset]! >= 0xed;
}

function isSmallOrder(bytes: Uint8Array, offset: number): boolean {
  outer: for (const y of SMALL_ORDER_Y) {
    for (let i = 0; i < 31; i++) if (bytes[offset + i] !== y[i]) continue outer;
    if ((bytes[offset + 31]! & 0x7f) === y[31]) return true;
  }
  return false;
}

/**
 * x = 0 exactly at y = 1 and y = p - 1; those points are small-order, so they are already
 * rejected by isSmallOrder (with any sign bit). Only y >= p remains for the canonical check.
 */
function isNonCanonicalPoint(bytes: Uint8Array, offset: number): boolean {
  return yNotReduced(bytes, offset);
}

/** null if the key and signature pass the pure pre-checks, else the reason for rejecting. */
export function precheckSignature(
  publicKey: PublicKey,
  signature: Signature,
): SignatureRejection | null {
  if (publicKey.length !== 32) return 'bad-key-length';
  if (signature.length !== 64) return 'bad-signature-length';
  if (!lessThanLe(signature, L_LE, 32)) return 's-not-reduced';
  if (isNonCanonicalPoint(publicKey, 0)) return 'non-canonical-key';
  if (isNonCanonicalPoint(signature, 0)) return 'non-canonical-r';
  if (isSmallOrder(publicKey, 0)) return 'small-order-key';
  if (isSmallOrder(signature, 0)) return 'small-order-r';
  return null;
}
