// Private ledgers' keys, with WebCrypto (browsers and Node 20): a device's X25519 key (the
// private half non-extractable), epoch keys sealed to a member's X25519 key, the previous epoch
// key wrapped under the next, and payloads encrypted under an epoch key (AES-256-GCM).
//
// Sealing (ECIES): a fresh X25519 key pair per box; the shared secret of it and the recipient's
// key goes through HKDF-SHA256 (salt: both public keys; info: what the key is for, on which
// chain, for which epoch and member) to an AES-256-GCM key that encrypts the epoch key. A box is
// ephemeral public key (32) || nonce (12) || ciphertext with tag (48): SEALED_KEY_BYTES.
//
// Every AEAD binds its context as associated data, so a box, a wrapped key or a payload made
// for one chain, epoch or member never opens as another.

import { encodeValue } from '../core/encoding';
import { EPOCH_KEY_BYTES, SEALED_KEY_BYTES, WRAPPED_KEY_BYTES } from '../core/params';

const X25519 = { name: 'X25519' } as const;
const AES_GCM = 'AES-GCM';
const NONCE_BYTES = 12;
const SEAL_INFO = 'p2p-ledger/seal/v1';
const WRAP_INFO = 'p2p-ledger/wrap/v1';

/** A device's key for receiving sealed epoch keys. */
export interface BoxKey {
  /** Raw 32-byte X25519 public key (what members publish). */
  publicKey: Uint8Array;
  /** Non-extractable: IndexedDB can store it; script can only derive with it. */
  privateKey: CryptoKey;
}

export interface SealContext {
  chainId: string;
  epoch: number;
  /** The member the box is for. */
  member: string;
}

export async function generateBoxKey(): Promise<BoxKey> {
  const pair = (await crypto.subtle.generateKey(X25519, false, ['deriveBits'])) as CryptoKeyPair;
  const publicKey = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  return { publicKey, privateKey: pair.privateKey };
}

/** Random bytes for a new epoch key. */
export function newEpochKey(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(EPOCH_KEY_BYTES));
}

async function aesKey(raw: Uint8Array, usage: KeyUsage[]): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', raw.slice(), AES_GCM, false, usage);
}

async function sharedAesKey(
  privateKey: CryptoKey,
  peerPublic: Uint8Array,
  salt: Uint8Array,
  info: Uint8Array,
): Promise<CryptoKey> {
  const peer = await crypto.subtle.importKey('raw', peerPublic.slice(), X25519, true, []);
  const shared = await crypto.subtle.deriveBits({ name: 'X25519', public: peer }, privateKey, 256);
  const hkdf = await crypto.subtle.importKey('raw', shared, 'HKDF', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: salt.slice(), info: info.slice() },
    hkdf,
    { name: AES_GCM, length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

function sealAad(context: SealContext): Uint8Array {
  return encodeValue([SEAL_INFO, context.chainId, context.epoch, context.member]);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Seal an epoch key to a member's X25519 public key. */
export async function sealKey(
  recipient: Uint8Array,
  key: Uint8Array,
  context: SealContext,
): Promise<Uint8Array> {
  const ephemeral = (await crypto.subtle.generateKey(X25519, true, [
    'deriveBits',
  ])) as CryptoKeyPair;
  const ephemeralPublic = new Uint8Array(await crypto.subtle.exportKey('raw', ephemeral.publicKey));
  const aad = sealAad(context);
  const aes = await sharedAesKey(
    ephemeral.privateKey,
    recipient,
    concat(ephemeralPublic, recipient),
    aad,
  );
  const nonce = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
  const ciphertext = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: AES_GCM, iv: nonce, additionalData: aad.slice() },
      aes,
      key.slice(),
    ),
  );
  return concat(ephemeralPublic, nonce, ciphertext);
}

/** Open a box sealed to this device; null if it is not for this key or context. */
export async function openSealedKey(
  box: BoxKey,
  sealed: Uint8Array,
  context: SealContext,
): Promise<Uint8Array | null> {
  if (sealed.length !== SEALED_KEY_BYTES) return null;
  const ephemeralPublic = sealed.subarray(0, 32);
  const nonce = sealed.subarray(32, 32 + NONCE_BYTES);
  const ciphertext = sealed.subarray(32 + NONCE_BYTES);
  const aad = sealAad(context);
  try {
    const aes = await sharedAesKey(
      box.privateKey,
      ephemeralPublic,
      concat(ephemeralPublic, box.publicKey),
      aad,
    );
    const key = await crypto.subtle.decrypt(
      { name: AES_GCM, iv: nonce.slice(), additionalData: aad.slice() },
      aes,
      ciphertext.slice(),
    );
    return new Uint8Array(key);
  } catch {
    return null;
  }
}

function wrapAad(chainId: string, epoch: number): Uint8Array {
  return encodeValue([WRAP_INFO, chainId, epoch]);
}

/** The previous epoch's key encrypted under the new one (`epoch` is the new epoch). */
export async function wrapPreviousKey(
  newKey: Uint8Array,
  previousKey: Uint8Array,
  chainId: string,
  epoch: number,
): Promise<Uint8Array> {
  const nonce = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
  const ciphertext = await crypto.subtle.encrypt(
    { name: AES_GCM, iv: nonce, additionalData: wrapAad(chainId, epoch).slice() },
    await aesKey(newKey, ['encrypt']),
    previousKey.slice(),
  );
  return concat(nonce, new Uint8Array(ciphertext));
}

/** The previous epoch's key from its wrapping under `key` (of `epoch`); null if it fails. */
export async function unwrapPreviousKey(
  key: Uint8Array,
  wrapped: Uint8Array,
  chainId: string,
  epoch: number,
): Promise<Uint8Array | null> {
  if (wrapped.length !== WRAPPED_KEY_BYTES) return null;
  try {
    const plain = await crypto.subtle.decrypt(
      {
        name: AES_GCM,
        iv: wrapped.slice(0, NONCE_BYTES),
        additionalData: wrapAad(chainId, epoch).slice(),
      },
      await aesKey(key, ['decrypt']),
      wrapped.slice(NONCE_BYTES),
    );
    return new Uint8Array(plain);
  } catch {
    return null;
  }
}

/**
 * Encrypts and decrypts payloads under one epoch key (AES-256-GCM, random 96-bit nonces; the
 * context is associated data). A nonce repeats with probability 2^-32 only after 2^32 messages
 * under one key; epochs change long before.
 */
export class EpochCipher {
  readonly #key: Promise<CryptoKey>;

  constructor(key: Uint8Array) {
    this.#key = aesKey(key, ['encrypt', 'decrypt']);
  }

  async seal(plaintext: Uint8Array, aad: Uint8Array): Promise<Uint8Array> {
    const nonce = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
    const ciphertext = await crypto.subtle.encrypt(
      { name: AES_GCM, iv: nonce, additionalData: aad.slice() },
      await this.#key,
      plaintext.slice(),
    );
    return concat(nonce, new Uint8Array(ciphertext));
  }

  /** null when it does not decrypt (another key, tampered, truncated). */
  async open(sealed: Uint8Array, aad: Uint8Array): Promise<Uint8Array | null> {
    if (sealed.length < NONCE_BYTES + 16) return null;
    try {
      const plain = await crypto.subtle.decrypt(
        { name: AES_GCM, iv: sealed.slice(0, NONCE_BYTES), additionalData: aad.slice() },
        await this.#key,
        sealed.slice(NONCE_BYTES),
      );
      return new Uint8Array(plain);
    } catch {
      return null;
    }
  }
}
