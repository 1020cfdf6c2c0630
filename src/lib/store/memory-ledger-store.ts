// The in-memory LedgerStore, for the simulator and fast tests. Same contract and same rules as
// the IndexedDB store (ledger-rules.ts); values are cloned in and out, as IndexedDB does, so a
// caller can never alias stored data. Several stores over one MemoryLedgerDatabase behave like
// several tabs over one IndexedDB database.

import type { SignedState, SignerStateStore } from '../consensus/types';
import { applyChanges } from '../core/apply';
import { encodeBlock } from '../core/encoding';
import { bytesEqual, toHex, txHash, ZERO_HASH } from '../core/hash';
import type { LedgerState } from '../core/state';
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
} from '../core/types';
import {
  ApplyMismatchError,
  ChainMismatchError,
  NotFoundError,
  NotInitializedError,
  OutboxFullError,
  StoreClosedError,
} from './errors';
import {
  blockAddresses,
  checkBatchLinked,
  checkSignerAdvance,
  decideApply,
  historyOfBlock,
} from './ledger-rules';
import { KNOWN_PEERS_MAX, OUTBOX_PENDING_MAX } from './limits';
import { pageLimit } from './page-limit';
import { byOutboxAge, settledByBlocks, settledExcess, settledToDrop } from './outbox-rules';
import type {
  AccountHistoryEntry,
  ApplyBatchOptions,
  BlockSummary,
  BlockToApply,
  HeightPage,
  KeyPage,
  KnownPeer,
  LedgerMeta,
  LedgerStore,
  OutboxEntry,
  OutboxFate,
  StoredBlock,
} from './types';

interface MemoryBlockRow {
  hash: Hash;
  block: Block;
  commit: Commit;
  codes: TxCode[] | null;
}

/** The shared data of one ledger "database". */
export class MemoryLedgerDatabase {
  genesis: Genesis | null = null;
  state: LedgerState | null = null;
  readonly blocks = new Map<number, MemoryBlockRow>();
  readonly heightByHash = new Map<string, number>();
  /** Heights (ascending, distinct) of blocks with txs involving each address. */
  readonly historyHeights = new Map<Address, number[]>();
  signed: SignedState | null = null;
  readonly outbox = new Map<string, OutboxEntry>();
  readonly peers = new Map<string, number>();
  constructor(readonly chainId: ChainId) {}
}

const clone = <T>(value: T): T => structuredClone(value);

export class MemoryLedgerStore implements LedgerStore {
  readonly chainId: ChainId;
  readonly signerState: SignerStateStore;
  #closed = false;

  constructor(private readonly db: MemoryLedgerDatabase) {
    this.chainId = db.chainId;
    this.signerState = {
      load: async () => {
        this.#open();
        return clone(this.db.signed);
      },
      save: async (state) => {
        this.#open();
        checkSignerAdvance(this.db.signed, state);
        this.db.signed = clone(state);
      },
      saveVotes: async (state) => {
        this.#open();
        checkSignerAdvance(this.db.signed, state);
        this.db.signed = clone(state);
      },
    };
  }

  #open(): void {
    if (this.#closed) throw new StoreClosedError('closed');
  }

  #state(): LedgerState {
    this.#open();
    if (!this.db.state) throw new NotInitializedError(this.chainId);
    return this.db.state;
  }

  async initialize(genesis: Genesis, genesisState: LedgerState): Promise<void> {
    this.#open();
    if (genesisState.chainId !== this.chainId) {
      throw new ChainMismatchError(this.chainId, genesisState.chainId);
    }
    if (genesisState.height !== 0) throw new ApplyMismatchError('genesis state is not at height 0');
    if (this.db.state) return;
    this.db.genesis = clone(genesis);
    this.db.state = clone(genesisState);
  }

  async meta(): Promise<LedgerMeta | null> {
    this.#open();
    const { genesis, state } = this.db;
    if (!genesis || !state) return null;
    return {
      chainId: this.chainId,
      genesis: clone(genesis),
      headHeight: state.height,
      headHash: state.height === 0 ? ZERO_HASH.slice() : state.lastBlockHash.slice(),
    };
  }

  /** The head state without its records (read them with record / records): see LedgerStore. */
  async loadState(): Promise<LedgerState | null> {
    this.#open();
    if (!this.db.state) return null;
    const { records: _records, ...rest } = this.db.state;
    return { ...clone(rest), records: new Map(), recordsComplete: false };
  }

  async applyBlocks(
    entries: readonly BlockToApply[],
    _options?: ApplyBatchOptions,
  ): Promise<number> {
    const state = this.#state();
    const hashes = checkBatchLinked(this.chainId, entries);
    // Every decision first, against the head as the batch would move it: a refusal anywhere
    // leaves the database untouched (all or none).
    let headHeight = state.height;
    let headHash = state.height === 0 ? ZERO_HASH : state.lastBlockHash;
    const writes: number[] = [];
    entries.forEach((entry, i) => {
      const hash = hashes[i] as Hash;
      const height = entry.block.header.height;
      const stored = height <= headHeight ? (this.db.blocks.get(height)?.hash ?? null) : null;
      const previous = entry.block.header.previousHash;
      if (decideApply(headHeight, headHash, height, hash, previous, stored) === 'apply') {
        writes.push(i);
        headHeight = height;
        headHash = hash;
      }
    });
    for (const i of writes) this.#write(entries[i] as BlockToApply, hashes[i] as Hash);
    const pending = new Map(
      [...this.db.outbox].filter(([, item]) => item.fate.status === 'pending'),
    );
    const settled = settledByBlocks(
      writes.map((i) => entries[i] as BlockToApply),
      pending,
    );
    for (const item of settled) this.db.outbox.set(item.txHash, clone(item));
    if (settled.length > 0) this.#pruneSettled();
    return writes.length;
  }

  #write(entry: BlockToApply, hash: Hash): void {
    const state = this.#state();
    const height = entry.block.header.height;
    const block = clone(entry.block);
    this.db.blocks.set(height, {
      hash,
      block,
      commit: clone(entry.commit),
      codes: entry.results ? entry.results.map((result) => result.code) : null,
    });
    this.db.heightByHash.set(toHex(hash), height);
    for (const address of blockAddresses(block.txs)) {
      const heights = this.db.historyHeights.get(address) ?? [];
      heights.push(height);
      this.db.historyHeights.set(address, heights);
    }
    applyChanges(state, clone(entry.changes));
  }

  async replaceSeenCommit(commit: Commit): Promise<void> {
    const state = this.#state();
    const row = this.db.blocks.get(commit.height);
    if (commit.height !== state.height || !row) {
      throw new ApplyMismatchError(`seen commit for ${commit.height}, head is ${state.height}`);
    }
    if (!bytesEqual(row.hash, commit.blockHash)) {
      throw new ApplyMismatchError(`seen commit for another block at ${commit.height}`);
    }
    row.commit = clone(commit);
  }

  #stored(height: number): StoredBlock | null {
    const row = this.db.blocks.get(height);
    if (!row) return null;
    return clone({
      height,
      hash: row.hash,
      block: row.block,
      commit: row.commit,
      codes: row.codes,
    });
  }

  async block(height: number): Promise<StoredBlock | null> {
    this.#open();
    return this.#stored(height);
  }

  async blockByHash(hash: Hash): Promise<StoredBlock | null> {
    this.#open();
    const height = this.db.heightByHash.get(toHex(hash));
    return height === undefined ? null : this.#stored(height);
  }

  async heightOfHash(hash: Hash): Promise<number | null> {
    this.#open();
    return this.db.heightByHash.get(toHex(hash)) ?? null;
  }

  async blockBytes(height: number): Promise<Uint8Array | null> {
    this.#open();
    const row = this.db.blocks.get(height);
    return row ? encodeBlock(row.block) : null;
  }

  async latestBlocks(page: HeightPage): Promise<BlockSummary[]> {
    this.#open();
    const out: BlockSummary[] = [];
    const top = Math.min(this.db.state?.height ?? 0, (page.beforeHeight ?? Infinity) - 1);
    for (let height = top; height >= 1 && out.length < pageLimit(page.limit); height--) {
      const row = this.db.blocks.get(height);
      if (!row) break;
      out.push({
        height,
        hash: row.hash.slice(),
        time: row.block.header.time,
        txCount: row.block.txs.length,
        proposer: row.block.header.proposer,
      });
    }
    return out;
  }

  async account(address: Address): Promise<Account | null> {
    const account = this.#state().accounts.get(address);
    return account ? clone(account) : null;
  }

  async accountHistory(address: Address, page: HeightPage): Promise<AccountHistoryEntry[]> {
    this.#open();
    const limit = pageLimit(page.limit);
    const heights = this.db.historyHeights.get(address) ?? [];
    const out: AccountHistoryEntry[] = [];
    // A page never splits a block, so `beforeHeight: last.height` continues exactly.
    for (let i = heights.length - 1; i >= 0 && out.length < limit; i--) {
      const height = heights[i]!;
      if (page.beforeHeight !== undefined && height >= page.beforeHeight) continue;
      const row = this.db.blocks.get(height)!;
      out.push(...clone(historyOfBlock(address, height, row.block.txs, row.codes)));
    }
    return out;
  }

  async record(fullKey: string): Promise<Uint8Array | null> {
    const value = this.#state().records.get(fullKey);
    return value ? value.slice() : null;
  }

  async records(prefix: string, page: KeyPage): Promise<Array<[string, Uint8Array]>> {
    const keys = [...this.#state().records.keys()]
      .filter(
        (key) => key.startsWith(prefix) && (page.afterKey === undefined || key > page.afterKey),
      )
      .sort()
      .slice(0, pageLimit(page.limit));
    return keys.map((key) => [key, this.db.state!.records.get(key)!.slice()]);
  }

  async addToOutbox(txs: readonly Tx[], addedMs: number): Promise<OutboxEntry[]> {
    this.#open();
    const keyed = txs.map((tx) => ({ tx, key: toHex(txHash(tx)) }));
    const fresh = new Set(keyed.filter(({ key }) => !this.db.outbox.has(key)).map((k) => k.key));
    const pending = [...this.db.outbox.values()].filter((item) => item.fate.status === 'pending');
    if (pending.length + fresh.size > OUTBOX_PENDING_MAX) {
      throw new OutboxFullError(OUTBOX_PENDING_MAX);
    }
    return keyed.map(({ tx, key }) => {
      const existing = this.db.outbox.get(key);
      if (existing) return clone(existing);
      const entry: OutboxEntry = {
        txHash: key,
        tx: clone(tx),
        addedMs,
        fate: { status: 'pending' },
      };
      this.db.outbox.set(key, entry);
      return clone(entry);
    });
  }

  async outboxEntries(keys: readonly string[]): Promise<(OutboxEntry | null)[]> {
    this.#open();
    return keys.map((key) => {
      const entry = this.db.outbox.get(key);
      return entry ? clone(entry) : null;
    });
  }

  async outbox(status?: OutboxFate['status']): Promise<OutboxEntry[]> {
    this.#open();
    return [...this.db.outbox.values()]
      .filter((entry) => status === undefined || entry.fate.status === status)
      .sort(byOutboxAge)
      .map(clone);
  }

  async setOutboxFate(key: string, fate: OutboxFate): Promise<void> {
    this.#open();
    const entry = this.db.outbox.get(key);
    if (!entry) throw new NotFoundError(`outbox entry ${key}`);
    entry.fate = clone(fate);
    this.#pruneSettled();
  }

  #pruneSettled(): void {
    const settled = [...this.db.outbox.values()].filter((entry) => entry.fate.status !== 'pending');
    for (const key of settledToDrop(settled, settledExcess(settled.length))) {
      this.db.outbox.delete(key);
    }
  }

  async notePeer(address: string, lastSeenMs: number): Promise<void> {
    this.#open();
    const peers = this.db.peers;
    peers.set(address, Math.max(lastSeenMs, peers.get(address) ?? -Infinity));
    while (peers.size > KNOWN_PEERS_MAX) {
      const [oldest] = [...peers.entries()].sort(byLastSeen);
      peers.delete(oldest![0]);
    }
  }

  async forgetPeer(address: string): Promise<void> {
    this.#open();
    this.db.peers.delete(address);
  }

  async knownPeers(): Promise<KnownPeer[]> {
    this.#open();
    return [...this.db.peers.entries()]
      .sort(byLastSeen)
      .reverse()
      .map(([address, lastSeenMs]) => ({ address, lastSeenMs }));
  }

  async close(): Promise<void> {
    this.#closed = true;
  }
}

/** Oldest first; ties by address so eviction is deterministic. */
function byLastSeen(a: [string, number], b: [string, number]): number {
  return a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
}

/** A store over a fresh database (one "tab"); share `db` to model several tabs. */
export function createMemoryLedgerStore(
  chainId: ChainId,
  db: MemoryLedgerDatabase = new MemoryLedgerDatabase(chainId),
): MemoryLedgerStore {
  if (db.chainId !== chainId) throw new ChainMismatchError(chainId, db.chainId);
  return new MemoryLedgerStore(db);
}
