// The storage contract of one ledger (LedgerStore) and of the device (DeviceStore). The node, the
// simulator and the tests code against these; IndexedDB and in-memory implementations pass one
// shared conformance suite (test/support/store-conformance.ts).

import type { SignerStateStore } from '../consensus/types';
import type { SigningKey } from '../crypto';
import type { BoxKey } from '../crypto/box';
import type { LedgerState, StateChanges } from '../core/state';
import type {
  Account,
  Address,
  Block,
  ChainId,
  Commit,
  Genesis,
  Hash,
  Tx,
  TxCode,
  TxResult,
} from '../core/types';

/** Everything one decided block writes, persisted in one atomic step. */
export interface BlockToApply {
  block: Block;
  /** The commit that finalised this block (the node's "seen commit"). */
  commit: Commit;
  /** core applyBlock's change set for this block (core/state.ts). */
  changes: StateChanges;
  /** Per-tx outcome, in block order; settles matching outbox entries and feeds history. */
  results?: TxResult[];
  /** The block's canonical encoding if the caller has it already (saves re-encoding). */
  encoded?: Uint8Array;
}

export interface ApplyBatchOptions {
  /** 'strict' (default) waits until the batch is on disk. */
  durability?: 'strict' | 'relaxed';
}

export interface LedgerMeta {
  chainId: ChainId;
  genesis: Genesis;
  headHeight: number;
  /** Hash of the head block (32 zero bytes at height 0). */
  headHash: Hash;
}

export interface StoredBlock {
  height: number;
  hash: Hash;
  block: Block;
  /** The commit that finalised it as this node saw it (for the head: the seen commit). */
  commit: Commit;
  /** Per-tx codes when the node supplied results, else null. */
  codes: TxCode[] | null;
}

export interface BlockSummary {
  height: number;
  hash: Hash;
  time: number;
  txCount: number;
  proposer: Address;
}

/** One transaction that involves an account (as sender or transfer recipient). */
export interface AccountHistoryEntry {
  height: number;
  /** Position of the tx in its block. */
  index: number;
  txHash: Hash;
  tx: Tx;
  /** null when the node did not supply results for that block. */
  code: TxCode | null;
}

export type OutboxFate =
  | { status: 'pending' }
  | { status: 'committed'; height: number }
  | { status: 'rejected'; code: TxCode; detail?: string };

export interface OutboxEntry {
  /** Lowercase hex of txHash(tx). */
  txHash: string;
  tx: Tx;
  addedMs: number;
  fate: OutboxFate;
}

export interface KnownPeer {
  /** A multiaddr string. */
  address: string;
  lastSeenMs: number;
}

/** Pagination: newest first, strictly below `beforeHeight` when given. */
export interface HeightPage {
  beforeHeight?: number;
  limit: number;
}

export interface KeyPage {
  /** Strictly after this full key when given. */
  afterKey?: string;
  limit: number;
}

export interface LedgerStore {
  readonly chainId: ChainId;

  /** Write the genesis and its state (height 0). Idempotent for the same genesis. */
  initialize(genesis: Genesis, genesisState: LedgerState): Promise<void>;
  /** null until initialize. */
  meta(): Promise<LedgerMeta | null>;
  /**
   * The ledger state at the head, without its records (`records` empty, `recordsComplete`
   * false: a ledger's records may not fit in memory, so the node reads the ones a block touches
   * with `record`); null until initialize.
   */
  loadState(): Promise<LedgerState | null>;

  /**
   * The ONE way to write blocks: consecutive blocks (ascending heights, each linked to the one
   * before) with their commits, state changes, history index, outbox fates and the new head, in
   * ONE atomic write (all of them or none), after checking the head inside it, so exactly one
   * of several racing writers applies each block. A single block is a batch of one. Blocks at
   * or below the head must be the stored ones and are skipped (the same blocks again are a
   * no-op); the rest start at head + 1. Resolves with how many blocks it wrote. At most
   * APPLY_BATCH_BLOCKS_MAX entries. 'strict' durability (the default) resolves once the write
   * is on disk; 'relaxed' (range sync) lets the commit be reported before it reaches the disk:
   * a crash may lose the whole batch, never part of it, and the blocks are fetched again.
   * Throws HeightGapError, ConflictingBlockError, BrokenLinkError, ApplyMismatchError,
   * NotInitializedError, StorageFullError, StoreClosedError.
   */
  applyBlocks(entries: readonly BlockToApply[], options?: ApplyBatchOptions): Promise<number>;
  /** Replace the head's seen commit (e.g. with more precommits); same height and block only. */
  replaceSeenCommit(commit: Commit): Promise<void>;

  block(height: number): Promise<StoredBlock | null>;
  blockByHash(hash: Hash): Promise<StoredBlock | null>;
  heightOfHash(hash: Hash): Promise<number | null>;
  /** The block's canonical encoding, for serving sync requests without re-encoding. */
  blockBytes(height: number): Promise<Uint8Array | null>;
  latestBlocks(page: HeightPage): Promise<BlockSummary[]>;

  account(address: Address): Promise<Account | null>;
  accountHistory(address: Address, page: HeightPage): Promise<AccountHistoryEntry[]>;
  /** A record by its full key `${address}/${key}`. */
  record(fullKey: string): Promise<Uint8Array | null>;
  /** Records whose full key starts with `prefix`, in key order. */
  records(prefix: string, page: KeyPage): Promise<Array<[string, Uint8Array]>>;

  /** save() is durable (strict) and read back before it resolves; refuses regressions. */
  readonly signerState: SignerStateStore;
  /** A private ledger's secret and epoch keys on this device (null until saved). */
  readonly keyring: KeyringStore;

  /**
   * Add locally signed txs as pending, in one atomic write (a device's quick submits share it).
   * A tx already in the outbox keeps its entry, which is returned. Throws OutboxFullError and
   * adds none when the new ones would not all fit.
   */
  addToOutbox(txs: readonly Tx[], addedMs: number): Promise<OutboxEntry[]>;
  /** The entries of these txs (null where there is none), read in one transaction. */
  outboxEntries(txHashes: readonly string[]): Promise<(OutboxEntry | null)[]>;
  /** Oldest first; only entries with that status when given. */
  outbox(status?: OutboxFate['status']): Promise<OutboxEntry[]>;
  setOutboxFate(txHash: string, fate: OutboxFate): Promise<void>;

  /** Remember a peer address (bounded by KNOWN_PEERS_MAX; least recently seen dropped). */
  notePeer(address: string, lastSeenMs: number): Promise<void>;
  forgetPeer(address: string): Promise<void>;
  /** Most recently seen first. */
  knownPeers(): Promise<KnownPeer[]>;

  close(): Promise<void>;
}

/** One key epoch of a private ledger as this device knows it. */
export interface KeyringEpoch {
  epoch: number;
  /** The epoch's key, if this device has it (a removed device never gets later ones). */
  key: Uint8Array | null;
  /** The first height under this key (null until this device knows where the epoch began). */
  fromHeight: number | null;
  /** The chain's commitment to the key (genesis or rotation): a key is only kept if it matches. */
  keyHash: Uint8Array | null;
  /** The previous epoch's key wrapped under this one (from the rotation), if known. */
  wrappedPrevious: Uint8Array | null;
}

/** What a device holds to take part in a private ledger (see docs/protocol.md §9). */
export interface StoredKeyring {
  /** The invite secret: names the ledger's topics and sync protocol. */
  networkSecret: Uint8Array;
  epochs: KeyringEpoch[];
}

/** Durable (strict) storage of a private ledger's keyring; save replaces it whole. */
export interface KeyringStore {
  load(): Promise<StoredKeyring | null>;
  save(keyring: StoredKeyring): Promise<void>;
}

export interface LedgerEntry {
  chainId: ChainId;
  name: string;
  genesis: Genesis;
  role: 'created' | 'joined';
  addedMs: number;
}

/** The device's signing key: a non-extractable WebCrypto pair and its raw public key. */
export interface DeviceKey extends SigningKey {
  createdMs: number;
}

export interface DeviceStore {
  /** Ledgers on this device, oldest first. */
  ledgers(): Promise<LedgerEntry[]>;
  /** Idempotent by chain id (the first entry is kept). */
  addLedger(entry: LedgerEntry): Promise<void>;
  removeLedger(chainId: ChainId): Promise<void>;
  deviceKey(): Promise<DeviceKey | null>;
  /** Store `key` unless a key exists; returns the stored one (racing tabs agree on one key). */
  putDeviceKeyIfAbsent(key: DeviceKey): Promise<DeviceKey>;
  /** The device's X25519 key (private ledgers seal their keys to it), kept as the signing key. */
  deviceBoxKey(): Promise<BoxKey | null>;
  putDeviceBoxKeyIfAbsent(key: BoxKey): Promise<BoxKey>;
  close(): Promise<void>;
}

export interface StoreEvents {
  /** Another tab opened a newer schema: this store closed itself; the app should reload. */
  onVersionChange?: () => void;
  /** Opening waits for older tabs to close the database. */
  onBlocked?: () => void;
}
