// SHA-256 (FIPS 180-4) for the short inputs the ledger hashes by the hundred per block (tx and
// header encodings, Merkle nodes, validator sets). Same digests as @noble/hashes, without its
// per-call object, buffers and DataView: in Chromium a typed array over 64 bytes, or a view's
// `.buffer`, costs an off-heap allocation, and sync hashes ~50 times per block (bench row 4).
// The only allocation is the 32-byte digest. test/property/sha256.test.ts holds it to noble.

const K = Int32Array.of(
  0x428a2f98,
  0x71374491,
  0xb5c0fbcf,
  0xe9b5dba5,
  0x3956c25b,
  0x59f111f1,
  0x923f82a4,
  0xab1c5ed5,
  0xd807aa98,
  0x12835b01,
  0x243185be,
  0x550c7dc3,
  0x72be5d74,
  0x80deb1fe,
  0x9bdc06a7,
  0xc19bf174,
  0xe49b69c1,
  0xefbe4786,
  0x0fc19dc6,
  0x240ca1cc,
  0x2de92c6f,
  0x4a7484aa,
  0x5cb0a9dc,
  0x76f988da,
  0x983e5152,
  0xa831c66d,
  0xb00327c8,
  0xbf597fc7,
  0xc6e00bf3,
  0xd5a79147,
  0x06ca6351,
  0x14292967,
  0x27b70a85,
  0x2e1b2138,
  0x4d2c6dfc,
  0x53380d13,
  0x650a7354,
  0x766a0abb,
  0x81c2c92e,
  0x92722c85,
  0xa2bfe8a1,
  0xa81a664b,
  0xc24b8b70,
  0xc76c51a3,
  0xd192e819,
  0xd6990624,
  0xf40e3585,
  0x106aa070,
  0x19a4c116,
  0x1e376c08,
  0x2748774c,
  0x34b0bcb5,
  0x391c0cb3,
  0x4ed8aa4a,
  0x5b9cca4f,
  0x682e6ff3,
  0x748f82ee,
  0x78a5636f,
  0x84c87814,
  0x8cc70208,
  0x90befffa,
  0xa4506ceb,
  0xbef9a3f7,
  0xc67178f2,
);
const IV = Int32Array.of(
  0x6a09e667,
  0xbb67ae85,
  0x3c6ef372,
  0xa54ff53a,
  0x510e527f,
  0x9b05688c,
  0x1f83d9ab,
  0x5be0cd19,
);
const BLOCK_BYTES = 64;

/** Scratch, reused by every call (the core is single-threaded and sha256 is not re-entrant). */
const W = new Int32Array(64);
const H = new Int32Array(8);
/** The last one or two blocks: the input's tail, 0x80, zeros, the bit length. */
const TAIL = new Uint8Array(2 * BLOCK_BYTES);

function compress(bytes: Uint8Array, at: number): void {
  for (let i = 0; i < 16; i++, at += 4) {
    W[i] = (bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!;
  }
  for (let i = 16; i < 64; i++) {
    const w15 = W[i - 15]!;
    const w2 = W[i - 2]!;
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
    W[i] = (W[i - 16]! + s0 + W[i - 7]! + s1) | 0;
  }
  let a = H[0]!;
  let b = H[1]!;
  let c = H[2]!;
  let d = H[3]!;
  let e = H[4]!;
  let f = H[5]!;
  let g = H[6]!;
  let h = H[7]!;
  for (let i = 0; i < 64; i++) {
    const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + s1 + ((e & f) ^ (~e & g)) + K[i]! + W[i]!) | 0;
    const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  H[0] = (H[0]! + a) | 0;
  H[1] = (H[1]! + b) | 0;
  H[2] = (H[2]! + c) | 0;
  H[3] = (H[3]! + d) | 0;
  H[4] = (H[4]! + e) | 0;
  H[5] = (H[5]! + f) | 0;
  H[6] = (H[6]! + g) | 0;
  H[7] = (H[7]! + h) | 0;
}

/** SHA-256 of `bytes`. */
export function sha256Digest(bytes: Uint8Array): Uint8Array {
  H.set(IV);
  const length = bytes.length;
  const fullEnd = length - (length % BLOCK_BYTES);
  for (let at = 0; at < fullEnd; at += BLOCK_BYTES) compress(bytes, at);
  const rest = length - fullEnd;
  TAIL.fill(0);
  for (let i = 0; i < rest; i++) TAIL[i] = bytes[fullEnd + i]!;
  TAIL[rest] = 0x80;
  const tailBytes = rest + 9 <= BLOCK_BYTES ? BLOCK_BYTES : 2 * BLOCK_BYTES;
  // The message length in bits, a 64-bit big-endian integer (lengths stay below 2^53 bits).
  const high = Math.floor(length / 0x2000_0000);
  const low = (length << 3) >>> 0;
  TAIL[tailBytes - 8] = high >>> 24;
  TAIL[tailBytes - 7] = (high >>> 16) & 0xff;
  TAIL[tailBytes - 6] = (high >>> 8) & 0xff;
  TAIL[tailBytes - 5] = high & 0xff;
  TAIL[tailBytes - 4] = low >>> 24;
  TAIL[tailBytes - 3] = (low >>> 16) & 0xff;
  TAIL[tailBytes - 2] = (low >>> 8) & 0xff;
  TAIL[tailBytes - 1] = low & 0xff;
  compress(TAIL, 0);
  if (tailBytes > BLOCK_BYTES) compress(TAIL, BLOCK_BYTES);
  const out = new Uint8Array(32);
  for (let i = 0; i < 8; i++) {
    const word = H[i]!;
    out[4 * i] = word >>> 24;
    out[4 * i + 1] = (word >>> 16) & 0xff;
    out[4 * i + 2] = (word >>> 8) & 0xff;
    out[4 * i + 3] = word & 0xff;
  }
  return out;
}

/** Reused for sha256Concat; grows to the largest input up to CONCAT_BYTES_MAX. */
const CONCAT_BYTES_MAX = 1 << 20;
let concatScratch = new Uint8Array(256);

/** SHA-256 of the parts' concatenation, without allocating the concatenation. */
export function sha256Concat(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  if (length > concatScratch.length) {
    if (length > CONCAT_BYTES_MAX) {
      const whole = new Uint8Array(length);
      let at = 0;
      for (const part of parts) {
        whole.set(part, at);
        at += part.length;
      }
      return sha256Digest(whole);
    }
    concatScratch = new Uint8Array(
      Math.min(CONCAT_BYTES_MAX, Math.max(length, 2 * concatScratch.length)),
    );
  }
  let at = 0;
  for (const part of parts) {
    concatScratch.set(part, at);
    at += part.length;
  }
  return sha256Digest(concatScratch.subarray(0, length));
}
