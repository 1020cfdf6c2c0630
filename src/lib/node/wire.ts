// Payloads the node gossips besides the core's own encodings: a batch of txs, a decided block
// with the commit that finalised it (for peers that missed the votes), and a join request.
import { decodeBlock, decodeCommit, decodeTx, decodeValue, encodeValue } from '../core/encoding';
import { DecodeError } from '../core/encoding';
import { DEVICE_KINDS, JOIN_ROLES, type DeviceKind, type JoinRole } from '../core/signing';
import type { Block, Commit, PublicKey, Signature, Tx } from '../core/types';
import { TX_BATCH_BYTES_MAX, TX_BATCH_TXS_MAX } from '../net/limits';
import { BLOCK_BYTES_MAX } from '../core/params';

export interface DecidedBlock {
  block: Block;
  commit: Commit;
  blockBytes: Uint8Array;
  commitBytes: Uint8Array;
}

export function encodeDecided(blockBytes: Uint8Array, commitBytes: Uint8Array): Uint8Array {
  return encodeValue([blockBytes, commitBytes]);
}

export function decodeDecided(bytes: Uint8Array): DecidedBlock {
  const { commit, blockBytes, commitBytes } = decodeDecidedCommit(bytes);
  return { block: decodeBlock(blockBytes), commit, blockBytes, commitBytes };
}

/**
 * A decided block's commit, with the block left encoded: validators have mostly committed the
 * block themselves by the time its decided copy arrives, and the commit's height says so without
 * decoding hundreds of txs.
 */
export function decodeDecidedCommit(bytes: Uint8Array): Omit<DecidedBlock, 'block'> {
  const value = decodeValue(bytes, BLOCK_BYTES_MAX + 64 * 1024);
  if (!Array.isArray(value) || value.length !== 2) {
    throw new DecodeError('bad-shape', 'decided', 'expected [block, commit]');
  }
  const [blockBytes, commitBytes] = value as unknown[];
  if (!(blockBytes instanceof Uint8Array) || !(commitBytes instanceof Uint8Array)) {
    throw new DecodeError('bad-shape', 'decided', 'expected two byte strings');
  }
  return { commit: decodeCommit(commitBytes), blockBytes, commitBytes };
}

/** A `tx` message: 1 to TX_BATCH_TXS_MAX encoded txs, each kept as received (hash, size). */
export interface TxBatch {
  txs: Tx[];
  txBytes: Uint8Array[];
}

export function encodeTxBatch(txBytes: readonly Uint8Array[]): Uint8Array {
  if (txBytes.length === 0 || txBytes.length > TX_BATCH_TXS_MAX) {
    throw new RangeError(`a tx batch holds 1 to ${TX_BATCH_TXS_MAX} txs, not ${txBytes.length}`);
  }
  return encodeValue([...txBytes]);
}

export function decodeTxBatch(bytes: Uint8Array): TxBatch {
  const value = decodeValue(bytes, TX_BATCH_BYTES_MAX);
  if (!Array.isArray(value) || value.length === 0 || value.length > TX_BATCH_TXS_MAX) {
    throw new DecodeError('bad-shape', 'txs', `expected 1 to ${TX_BATCH_TXS_MAX} txs`);
  }
  const txBytes = value.map((item: unknown, i) => {
    if (!(item instanceof Uint8Array)) {
      throw new DecodeError('bad-shape', `txs[${i}]`, 'expected a byte string');
    }
    return item;
  });
  return { txs: txBytes.map((item) => decodeTx(item)), txBytes };
}

/** Splits `items` into runs of at most `size` (tx batches of the outbox, say). */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export const JOIN_LABEL_BYTES_MAX = 64;
/** An X25519 public key's length (the box key a join request carries). */
export const BOX_KEY_BYTES = 32;
/** The largest encoded join request (key, label, kind, box key, asks, two signatures). */
export const JOIN_REQUEST_BYTES_MAX = 512;

/**
 * "Please let this device in", signed by the device's key (domain-separated, for this chain):
 * shown to validators, who approve with a governance tx. It names the kind of device (a
 * browser, or an always-on peer), its X25519 key (a private ledger seals new keys to it) and
 * what it asks for (to be a member, or a validator) under the same signature, and carries the
 * device's proof of possession, which the member-add or validator-propose must include (nobody
 * can be admitted without holding its key).
 */
export interface JoinRequestMessage {
  publicKey: PublicKey;
  label: string;
  kind: DeviceKind;
  /** X25519 public key; null from a device that has none (a public ledger's validator only). */
  boxKey: Uint8Array | null;
  asks: JoinRole;
  /** Signature over possessionSignBytes(chainId, publicKey). */
  possession: Signature;
  /** Signature over joinSignBytes(chainId, publicKey, label, kind, boxKey, asks). */
  signature: Signature;
}

/** A request to encode; without a box key and an ask it is a public ledger's validator request. */
export type JoinRequestFields = Omit<JoinRequestMessage, 'boxKey' | 'asks'> &
  Partial<Pick<JoinRequestMessage, 'boxKey' | 'asks'>>;

export function encodeJoinRequest(request: JoinRequestFields): Uint8Array {
  return encodeValue([
    request.publicKey,
    request.label,
    request.kind,
    request.boxKey ?? null,
    request.asks ?? 'validator',
    request.possession,
    request.signature,
  ]);
}

export function decodeJoinRequest(bytes: Uint8Array): JoinRequestMessage {
  const value = decodeValue(bytes, JOIN_REQUEST_BYTES_MAX);
  if (!Array.isArray(value) || value.length !== 7) {
    throw new DecodeError(
      'bad-shape',
      'join',
      'expected [publicKey, label, kind, boxKey, asks, possession, signature]',
    );
  }
  const [publicKey, label, kind, boxKey, asks, possession, signature] = value as unknown[];
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) {
    throw new DecodeError('bad-length', 'join.publicKey', 'expected 32 bytes');
  }
  if (typeof label !== 'string' || new TextEncoder().encode(label).length > JOIN_LABEL_BYTES_MAX) {
    throw new DecodeError('bad-shape', 'join.label', 'expected a short string');
  }
  if (!DEVICE_KINDS.includes(kind as DeviceKind)) {
    throw new DecodeError('bad-shape', 'join.kind', `expected one of ${DEVICE_KINDS.join(', ')}`);
  }
  if (boxKey !== null && (!(boxKey instanceof Uint8Array) || boxKey.length !== BOX_KEY_BYTES)) {
    throw new DecodeError('bad-length', 'join.boxKey', `expected null or ${BOX_KEY_BYTES} bytes`);
  }
  if (!JOIN_ROLES.includes(asks as JoinRole)) {
    throw new DecodeError('bad-shape', 'join.asks', `expected one of ${JOIN_ROLES.join(', ')}`);
  }
  for (const [field, bytes] of [
    ['possession', possession],
    ['signature', signature],
  ] as const) {
    if (!(bytes instanceof Uint8Array) || bytes.length !== 64) {
      throw new DecodeError('bad-length', `join.${field}`, 'expected 64 bytes');
    }
  }
  return {
    publicKey,
    label,
    kind: kind as DeviceKind,
    boxKey,
    asks: asks as JoinRole,
    possession: possession as Uint8Array,
    signature: signature as Uint8Array,
  };
}
