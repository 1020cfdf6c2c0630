// A fast path for the CBOR encoder (encoding.ts): the shapes every hashed, signed or stored
// message is made of (arrays, safe integers, ASCII strings, byte strings, null, booleans) are
// written in two passes (exact size, then bytes) into one buffer of that size. cborg's encode,
// which a sync spends a fifth of its main-thread time in (bench row 4), allocates a chunk per
// byte string of 64 bytes or more and copies again at the end.
//
// The bytes are cborg's bytes for the same value: the canonical head for each item (RFC 8949
// §4.2.1, shortest argument), and anything else (maps, floats, non-ASCII text, bigints,
// undefined, other objects, nesting deeper than CBOR_FAST_DEPTH_MAX) makes the fast path decline
// so the caller uses cborg for the whole value. test/property/cbor-fast.property.test.ts holds
// the two encoders to the same bytes.

/** Deeper values go to cborg, which also rejects circular references. */
export const CBOR_FAST_DEPTH_MAX = 32;

const MAJOR_UINT = 0x00;
const MAJOR_NEGINT = 0x20;
const MAJOR_BYTES = 0x40;
const MAJOR_TEXT = 0x60;
const MAJOR_ARRAY = 0x80;
const SIMPLE_FALSE = 0xf4;
const SIMPLE_TRUE = 0xf5;
const SIMPLE_NULL = 0xf6;
const TWO_POW_32 = 0x1_0000_0000;

/** Bytes of an item head carrying `n` (a non-negative safe integer). */
function headBytes(n: number): number {
  if (n < 24) return 1;
  if (n < 0x100) return 2;
  if (n < 0x1_0000) return 3;
  if (n < TWO_POW_32) return 5;
  return 9;
}

/** Strings up to this length are remembered once converted (ids, tags, addresses recur). */
const TEXT_CACHE_CHARS_MAX = 128;
/** Remembered strings at most; the cache starts over when full. */
export const CBOR_FAST_TEXT_CACHE_MAX = 4_096;
/** ASCII text -> its bytes (a pure function of the string, so remembering it is safe). */
const textCache = new Map<string, Uint8Array>();

/** The UTF-8 bytes of `text` if every code unit is ASCII (one byte each), else null. */
function asciiBytes(text: string): Uint8Array | null {
  const cached = textCache.get(text);
  if (cached) return cached;
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) return null;
    bytes[i] = code;
  }
  if (text.length <= TEXT_CACHE_CHARS_MAX) {
    if (textCache.size >= CBOR_FAST_TEXT_CACHE_MAX) textCache.clear();
    textCache.set(text, bytes);
  }
  return bytes;
}

/** Encoded size of `value`, or -1 when the fast path does not cover it. */
function sizeOf(value: unknown, depth: number): number {
  if (value === null || value === true || value === false) return 1;
  switch (typeof value) {
    case 'number':
      if (!Number.isSafeInteger(value)) return -1;
      return headBytes(value >= 0 ? value : -1 - value);
    case 'string': {
      const bytes = asciiBytes(value);
      return bytes ? headBytes(bytes.length) + bytes.length : -1;
    }
    case 'object': {
      if (Array.isArray(value)) {
        if (depth >= CBOR_FAST_DEPTH_MAX) return -1;
        let size = headBytes(value.length);
        for (let i = 0; i < value.length; i++) {
          const item = sizeOf(value[i], depth + 1);
          if (item < 0) return -1;
          size += item;
        }
        return size;
      }
      if (value instanceof Uint8Array) return headBytes(value.length) + value.length;
      return -1;
    }
    default:
      return -1;
  }
}

function writeHead(out: Uint8Array, at: number, major: number, n: number): number {
  if (n < 24) {
    out[at] = major | n;
    return at + 1;
  }
  if (n < 0x100) {
    out[at] = major | 24;
    out[at + 1] = n;
    return at + 2;
  }
  if (n < 0x1_0000) {
    out[at] = major | 25;
    out[at + 1] = n >>> 8;
    out[at + 2] = n & 0xff;
    return at + 3;
  }
  if (n < TWO_POW_32) {
    out[at] = major | 26;
    out[at + 1] = n >>> 24;
    out[at + 2] = (n >>> 16) & 0xff;
    out[at + 3] = (n >>> 8) & 0xff;
    out[at + 4] = n & 0xff;
    return at + 5;
  }
  const high = Math.floor(n / TWO_POW_32);
  const low = n - high * TWO_POW_32;
  out[at] = major | 27;
  out[at + 1] = high >>> 24;
  out[at + 2] = (high >>> 16) & 0xff;
  out[at + 3] = (high >>> 8) & 0xff;
  out[at + 4] = high & 0xff;
  out[at + 5] = low >>> 24;
  out[at + 6] = (low >>> 16) & 0xff;
  out[at + 7] = (low >>> 8) & 0xff;
  out[at + 8] = low & 0xff;
  return at + 9;
}

/** Writes `value` (already sized by sizeOf) at `at`; returns the offset after it. */
function write(out: Uint8Array, at: number, value: unknown): number {
  if (value === null) {
    out[at] = SIMPLE_NULL;
    return at + 1;
  }
  if (value === true || value === false) {
    out[at] = value ? SIMPLE_TRUE : SIMPLE_FALSE;
    return at + 1;
  }
  if (typeof value === 'number') {
    return value >= 0
      ? writeHead(out, at, MAJOR_UINT, value)
      : writeHead(out, at, MAJOR_NEGINT, -1 - value);
  }
  if (typeof value === 'string') {
    // Sized already: the text is ASCII, and cached unless longer than TEXT_CACHE_CHARS_MAX.
    const bytes = asciiBytes(value) as Uint8Array;
    const next = writeHead(out, at, MAJOR_TEXT, bytes.length);
    out.set(bytes, next);
    return next + bytes.length;
  }
  if (Array.isArray(value)) {
    let next = writeHead(out, at, MAJOR_ARRAY, value.length);
    for (let i = 0; i < value.length; i++) next = write(out, next, value[i]);
    return next;
  }
  const bytes = value as Uint8Array;
  const next = writeHead(out, at, MAJOR_BYTES, bytes.length);
  out.set(bytes, next);
  return next + bytes.length;
}

/** The encoded size of `value` if the fast path covers it, else null (ask cborg). */
export function cborFastSize(value: unknown): number | null {
  const size = sizeOf(value, 0);
  return size < 0 ? null : size;
}

/** Scratch for comparisons: a decoder re-encodes every message it accepts (encoding.ts). */
const SCRATCH_BYTES_MAX = 1 << 20;
let scratch = new Uint8Array(4_096);

/**
 * Whether `bytes` is exactly the canonical CBOR of `value`, if the fast path covers the value,
 * else null (ask cborg). Writes into a reused buffer: no allocation per message.
 */
export function cborFastEquals(value: unknown, bytes: Uint8Array): boolean | null {
  const size = sizeOf(value, 0);
  if (size < 0) return null;
  if (size !== bytes.length) return false;
  if (size > scratch.length) {
    if (size > SCRATCH_BYTES_MAX) return bytesEqualTo(cborFastEncode(value)!, bytes, size);
    scratch = new Uint8Array(Math.min(SCRATCH_BYTES_MAX, Math.max(size, scratch.length * 2)));
  }
  write(scratch, 0, value);
  return bytesEqualTo(scratch, bytes, size);
}

function bytesEqualTo(a: Uint8Array, b: Uint8Array, length: number): boolean {
  for (let i = 0; i < length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Scratch for transient encodings (see cborFastTransient); separate from the comparisons'. */
let transient = new Uint8Array(4_096);

/**
 * Canonical CBOR of `value` in a reused buffer, if the fast path covers it (else null): a view
 * valid only until the next call, for a caller that consumes it at once (hashing). Saves the
 * off-heap allocation a typed array over 64 bytes costs in Chromium (~2.5 µs for 200 bytes).
 */
export function cborFastTransient(value: unknown): Uint8Array | null {
  const size = sizeOf(value, 0);
  if (size < 0) return null;
  if (size > transient.length) {
    if (size > SCRATCH_BYTES_MAX) return cborFastEncode(value);
    transient = new Uint8Array(Math.min(SCRATCH_BYTES_MAX, Math.max(size, transient.length * 2)));
  }
  write(transient, 0, value);
  return transient.subarray(0, size);
}

/** Canonical CBOR of `value` if the fast path covers it, else null (ask cborg). */
export function cborFastEncode(value: unknown): Uint8Array | null {
  const size = sizeOf(value, 0);
  if (size < 0) return null;
  const out = new Uint8Array(size);
  write(out, 0, value);
  return out;
}
