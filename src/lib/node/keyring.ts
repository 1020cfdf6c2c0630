// The keyring of a private ledger on this device: the invite secret (which names the ledger's
// topics and sync protocol) and the epoch keys this device holds, persisted in the store. It is
// the network's LedgerCipher (net/ledger-cipher.ts), and it learns each next key from the
// rotation that carries it: after every committed block with an epoch-rotate, it opens the box
// sealed to this device, checks the key against the rotation's commitment, and saves it before
// anyone relies on it. A device that finds no box for itself (it was removed) records the epoch
// without a key. Keys of earlier epochs come from the chain too: each rotation wraps the
// previous key under the new one, so a member that joined late can still serve old readers.

import { bytesEqual } from '../core/bytes';
import { encodeValue, sha256OfValue } from '../core/encoding';
import { toHex } from '../core/hash';
import { epochKeyHash } from '../core/membership';
import { MESSAGE_BYTES_MAX } from '../core/params';
import type { Block, EpochRotateBody, TxResult } from '../core/types';
import { EpochCipher, openSealedKey, unwrapPreviousKey, type BoxKey } from '../crypto/box';
import {
  decodeSealed,
  encodeSealed,
  GRACE_TOPICS,
  type LedgerCipher,
  type OpenedGossip,
} from '../net/ledger-cipher';
import type { TopicName } from '../net/message-types';
import type { KeyringEpoch, KeyringStore, StoredKeyring } from '../store/types';
import type { InviteAccess } from './private-ledger';

const NETWORK_ID_DOMAIN = 'p2p-ledger/network-id/v1';
const GOSSIP_AAD_DOMAIN = 'p2p-ledger/gossip/v1';
const FRAME_AAD_DOMAIN = 'p2p-ledger/sync-frame/v1';
/** Room for the sealing (epoch, nonce, tag, CBOR framing) around the largest message. */
const SEALED_OVERHEAD_BYTES = 1_024;

/** The name a private ledger's network goes by: a one-way function of the invite secret. */
export function networkIdOf(networkSecret: Uint8Array): string {
  return toHex(sha256OfValue([NETWORK_ID_DOMAIN, networkSecret]));
}

export class KeyMissingError extends Error {
  override readonly name = 'KeyMissingError';
  constructor(readonly epoch: number) {
    super(`this device has no key for epoch ${epoch}`);
  }
}

export interface KeyringComponents {
  store: KeyringStore;
  chainId: string;
  /** This device's address and X25519 key (rotations are sealed to it). */
  address: string;
  boxKey: BoxKey | null;
}

export class Keyring implements LedgerCipher {
  readonly #c: KeyringComponents;
  readonly #stored: StoredKeyring;
  readonly #ciphers = new Map<number, EpochCipher>();
  readonly networkId: string;

  private constructor(components: KeyringComponents, stored: StoredKeyring) {
    this.#c = components;
    this.#stored = stored;
    this.networkId = networkIdOf(stored.networkSecret);
  }

  /** Save a new keyring (a ledger created here, or joined by invite) and open it. */
  static async create(components: KeyringComponents, initial: StoredKeyring): Promise<Keyring> {
    await components.store.save(initial);
    return new Keyring(components, structuredClone(initial));
  }

  /**
   * A keyring kept in memory only, for a device without a ledger store (inviteCipher): it never
   * learns from blocks (it has no chain id nor X25519 key to open rotations with).
   */
  static inMemory(stored: StoredKeyring): Keyring {
    const store = new MemoryKeyringStore(stored);
    return new Keyring({ store, chainId: '', address: '', boxKey: null }, structuredClone(stored));
  }

  /** The keyring of a private ledger, from the store; null if this device has none saved. */
  static async open(components: KeyringComponents): Promise<Keyring | null> {
    const stored = await components.store.load();
    return stored ? new Keyring(components, stored) : null;
  }

  get epochs(): readonly KeyringEpoch[] {
    return this.#stored.epochs;
  }

  get networkSecret(): Uint8Array {
    return this.#stored.networkSecret;
  }

  /** The newest epoch this device holds a key for (-1: none). */
  readerEpoch(): number {
    let newest = -1;
    for (const entry of this.#stored.epochs) if (entry.key) newest = Math.max(newest, entry.epoch);
    return newest;
  }

  /** The newest epoch this device knows of, with or without its key. */
  knownEpoch(): number {
    return this.#stored.epochs.reduce((newest, entry) => Math.max(newest, entry.epoch), 0);
  }

  /** Whether a rotation this device has committed left it without the key (it was removed). */
  get locked(): boolean {
    return this.knownEpoch() > this.readerEpoch();
  }

  /** The epoch a committed block belongs to, as far as this device knows. */
  epochOfHeight(height: number): number {
    let epoch = 0;
    for (const entry of this.#stored.epochs) {
      if (entry.fromHeight !== null && entry.fromHeight <= height)
        epoch = Math.max(epoch, entry.epoch);
    }
    return epoch;
  }

  /** The key of the newest epoch held, to make an invite or a rotation from. */
  newestKey(): { epoch: number; key: Uint8Array } | null {
    const epoch = this.readerEpoch();
    const key = this.#entry(epoch)?.key;
    return key ? { epoch, key } : null;
  }

  #entry(epoch: number): KeyringEpoch | undefined {
    return this.#stored.epochs.find((entry) => entry.epoch === epoch);
  }

  #cipher(epoch: number): EpochCipher | null {
    let cipher = this.#ciphers.get(epoch);
    if (!cipher) {
      const key = this.#entry(epoch)?.key;
      if (!key) return null;
      cipher = new EpochCipher(key);
      this.#ciphers.set(epoch, cipher);
    }
    return cipher;
  }

  // --- Gossip -------------------------------------------------------------------------------

  #gossipAad(epoch: number, topic: TopicName): Uint8Array {
    return encodeValue([GOSSIP_AAD_DOMAIN, this.networkId, epoch, topic]);
  }

  async sealGossip(envelope: Uint8Array, topic: TopicName): Promise<Uint8Array> {
    const epoch = this.readerEpoch();
    const cipher = this.#cipher(epoch);
    if (!cipher) throw new KeyMissingError(epoch);
    return encodeSealed(epoch, await cipher.seal(envelope, this.#gossipAad(epoch, topic)));
  }

  async openGossip(bytes: Uint8Array, topic: TopicName): Promise<OpenedGossip> {
    const parsed = decodeSealed(bytes, MESSAGE_BYTES_MAX + SEALED_OVERHEAD_BYTES);
    if (!parsed) return { ok: false, reason: 'undecryptable' };
    const newest = this.readerEpoch();
    if (parsed.epoch > newest) return { ok: false, reason: 'future-epoch' };
    const inGrace = parsed.epoch === newest - 1 && GRACE_TOPICS.includes(topic);
    if (parsed.epoch !== newest && !inGrace) return { ok: false, reason: 'stale-epoch' };
    const cipher = this.#cipher(parsed.epoch);
    const envelope = cipher
      ? await cipher.open(parsed.sealed, this.#gossipAad(parsed.epoch, topic))
      : null;
    return envelope ? { ok: true, envelope } : { ok: false, reason: 'undecryptable' };
  }

  // --- Sync frames --------------------------------------------------------------------------

  #frameAad(epoch: number): Uint8Array {
    return encodeValue([FRAME_AAD_DOMAIN, this.networkId, epoch]);
  }

  async sealFrame(
    frame: Uint8Array,
    blockHeight: number | null,
    readerEpoch: number,
  ): Promise<Uint8Array | null> {
    if (blockHeight !== null && this.epochOfHeight(blockHeight) > readerEpoch) return null;
    const epoch = Math.min(readerEpoch, this.readerEpoch());
    const cipher = this.#cipher(epoch);
    if (!cipher) throw new KeyMissingError(epoch);
    return encodeSealed(epoch, await cipher.seal(frame, this.#frameAad(epoch)));
  }

  async openFrame(bytes: Uint8Array): Promise<Uint8Array | null> {
    const parsed = decodeSealed(bytes, MESSAGE_BYTES_MAX + SEALED_OVERHEAD_BYTES);
    if (!parsed) return null;
    const cipher = this.#cipher(parsed.epoch);
    return cipher ? cipher.open(parsed.sealed, this.#frameAad(parsed.epoch)) : null;
  }

  // --- Learning keys from the chain ---------------------------------------------------------

  /**
   * After a committed block: learn what its rotations say (where each epoch starts, the keys
   * sealed to this device, the previous keys wrapped under them). Returns the epochs for which
   * this device found no box of its own (it was removed, or the rotation was faulty).
   */
  async learn(block: Block, results: readonly TxResult[] | undefined): Promise<number[]> {
    const missing: number[] = [];
    let changed = false;
    for (const [index, tx] of block.txs.entries()) {
      if (tx.kind !== 'epoch-rotate' || results?.[index]?.code !== 'ok') continue;
      const body = tx.body as EpochRotateBody;
      const known = this.#entry(body.epoch)?.key;
      // A key from an invite is checked here, when the chain first commits to it.
      const key =
        known && bytesEqual(epochKeyHash(body.epoch, known), body.keyHash)
          ? known
          : await this.#openOwnBox(body);
      if (key === null) missing.push(body.epoch);
      this.#put({
        epoch: body.epoch,
        key,
        fromHeight: block.header.height + 1,
        keyHash: body.keyHash,
        wrappedPrevious: body.wrappedPrevious,
      });
      changed = true;
    }
    if (changed) {
      await this.#backfill();
      await this.#c.store.save(this.#stored);
    }
    return missing;
  }

  #put(entry: KeyringEpoch): void {
    this.#stored.epochs = [
      ...this.#stored.epochs.filter((other) => other.epoch !== entry.epoch),
      entry,
    ].sort((a, b) => a.epoch - b.epoch);
    this.#ciphers.delete(entry.epoch);
  }

  /**
   * Unwrap earlier keys this device lacks from the newest one it holds, walking down; a key is
   * kept only if it matches the chain's commitment to it (a faulty rotation's wrapping is not).
   */
  async #backfill(): Promise<void> {
    for (let epoch = this.readerEpoch(); epoch > 0; epoch -= 1) {
      const entry = this.#entry(epoch);
      const older = this.#entry(epoch - 1);
      if (!entry?.key || !entry.wrappedPrevious || !older?.keyHash || older.key) continue;
      const previous = await unwrapPreviousKey(
        entry.key,
        entry.wrappedPrevious,
        this.#c.chainId,
        epoch,
      );
      if (!previous || !bytesEqual(epochKeyHash(epoch - 1, previous), older.keyHash)) continue;
      this.#put({ ...older, key: previous });
    }
  }

  async #openOwnBox(body: EpochRotateBody): Promise<Uint8Array | null> {
    const box = this.#c.boxKey;
    if (!box) return null;
    const context = { chainId: this.#c.chainId, epoch: body.epoch, member: this.#c.address };
    for (const sealed of body.sealed) {
      const key = await openSealedKey(box, sealed, context);
      if (key && bytesEqual(epochKeyHash(body.epoch, key), body.keyHash)) return key;
    }
    return null;
  }
}

/** A KeyringStore that keeps its one keyring in memory (nothing is written anywhere). */
class MemoryKeyringStore implements KeyringStore {
  constructor(private stored: StoredKeyring | null = null) {}
  async load(): Promise<StoredKeyring | null> {
    return this.stored ? structuredClone(this.stored) : null;
  }
  async save(keyring: StoredKeyring): Promise<void> {
    this.stored = structuredClone(keyring);
  }
}

/**
 * The cipher of a device that holds only an invite to a private ledger (no ledger store yet):
 * it names the ledger's protocols by the invite's networkId and seals and opens frames under the
 * invite's epoch key only, which is enough to fetch the genesis from a device of that ledger.
 * The key is not checked here: the genesis it opens is, against the chain id, and the key then
 * against the genesis (keyringOfInvite).
 */
export function inviteCipher(access: InviteAccess): LedgerCipher {
  const stored: StoredKeyring = {
    networkSecret: access.networkSecret,
    epochs: [
      {
        epoch: access.epoch,
        key: access.key,
        fromHeight: null,
        keyHash: null,
        wrappedPrevious: null,
      },
    ],
  };
  return Keyring.inMemory(stored);
}
