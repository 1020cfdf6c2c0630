// How a private ledger's network hides and protects its traffic (docs/protocol.md §9). The
// network layer sees only this interface; the node's keyring implements it.
//
// - Names: topics, the sync protocol id and discovery use `networkId` (derived from the invite's
//   secret) instead of the chain id, so a relay or a connected stranger cannot tell which ledger
//   a peer belongs to, nor find it by chain id.
// - Gossip: every message is sealed under the current epoch key; what does not open is dropped
//   before anything is decoded, and costs its sender score.
// - Sync: every frame is sealed too (see sealFrame): a reader announces the newest epoch it
//   holds a key for, and is served blocks up to the end of that epoch, all under that key. A
//   removed device so cannot read past its removal, and a member that was away across rotations
//   reads its way forward: the last block of each epoch carries the rotation with its sealed key
//   for the next, and its next request announces the new epoch.

import { decodeValue, encodeValue } from '../core/encoding';
import type { TopicName } from './message-types';

/** The topics on which gossip sealed under the previous epoch still opens (see openGossip). */
export const GRACE_TOPICS: readonly TopicName[] = ['consensus', 'blocks'];

export type OpenedGossip =
  | { ok: true; envelope: Uint8Array }
  | { ok: false; reason: 'undecryptable' | 'stale-epoch' | 'future-epoch' };

export interface LedgerCipher {
  /** Replaces the chain id in topic names, the sync protocol id and discovery. */
  readonly networkId: string;
  /** Seals a gossip message (the envelope bytes) under the current epoch key. */
  sealGossip(envelope: Uint8Array, topic: TopicName): Promise<Uint8Array>;
  /**
   * The envelope inside, or why not: 'undecryptable' (not sealed for this network: the sender
   * pays score), 'stale-epoch' or 'future-epoch' (an honest member behind or ahead of this
   * node in key epochs: dropped without penalty). Only the newest epoch opens, and on the
   * consensus and blocks topics also the one before it, so validators that have not committed
   * the rotation yet are still heard, while an invite made before a rotation stops working.
   */
  openGossip(sealed: Uint8Array, topic: TopicName): Promise<OpenedGossip>;
  /** The highest key epoch this node holds (a syncing client announces it to the server). */
  readerEpoch(): number;
  /**
   * Seals one sync frame for a reader holding keys up to `readerEpoch`, under the newest key
   * both hold; null for a block of a later epoch than the reader's (the reply stops before it,
   * see SyncEpochAheadError). `blockHeight` is null for frames that carry no block.
   */
  sealFrame(
    frame: Uint8Array,
    blockHeight: number | null,
    readerEpoch: number,
  ): Promise<Uint8Array | null>;
  /** The frame inside, or null if it does not open under any key this node holds. */
  openFrame(sealed: Uint8Array): Promise<Uint8Array | null>;
}

/**
 * A sync reply that stops at the end of the reader's key epoch: the reader commits the block
 * carrying the rotation, learns the next key, and asks again. Not the server's fault.
 */
export class SyncEpochAheadError extends Error {
  override readonly name = 'SyncEpochAheadError';
  constructor(readonly height: number) {
    super(`block ${height} is of a key epoch this device does not hold yet`);
  }
}

/** Sealed bytes on the wire: [epoch, nonce + ciphertext + tag]. */
export function encodeSealed(epoch: number, sealed: Uint8Array): Uint8Array {
  return encodeValue([epoch, sealed]);
}

/** The epoch and sealed bytes, or null if the shape is wrong (garbage is not an error here). */
export function decodeSealed(
  bytes: Uint8Array,
  bytesMax: number,
): { epoch: number; sealed: Uint8Array } | null {
  try {
    const value = decodeValue(bytes, bytesMax);
    if (!Array.isArray(value) || value.length !== 2) return null;
    const [epoch, sealed] = value as unknown[];
    if (!Number.isSafeInteger(epoch) || (epoch as number) < 0) return null;
    if (!(sealed instanceof Uint8Array)) return null;
    return { epoch: epoch as number, sealed };
  } catch {
    return null;
  }
}

/** The name a ledger goes by on the network: its networkId if private, else its chain id. */
export function networkNameOf(chainId: string, cipher: LedgerCipher | null | undefined): string {
  return cipher ? cipher.networkId : chainId;
}
