// The on-disk LedgerStore for Node (the always-on peer): one SQLite file per ledger,
// `<directory>/ledger-<chainId>.sqlite`, behind the same interface and conformance suite as the
// IndexedDB and in-memory stores. One part per table (blocks, state, history, signer, outbox,
// peers) and one write path for blocks (block-writer.ts); this class only routes calls to them.
// Every method is one SQLite transaction; several stores over one file behave like tabs.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { SignerStateStore } from '../../consensus/types';
import { bytesEqual, ZERO_HASH } from '../../core/hash';
import type { LedgerState } from '../../core/state';
import type { Account, Address, ChainId, Commit, Genesis, Hash, Tx } from '../../core/types';
import {
  ApplyMismatchError,
  ChainMismatchError,
  NotInitializedError,
  SchemaError,
} from '../errors';
import { recomputeStateRoot } from '../state-root';
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
} from '../types';
import { SqliteBlockWriter } from './block-writer';
import { SqliteBlocks } from './blocks';
import { mapSqliteError, SqliteConnection } from './connection';
import { SqliteHistory } from './history';
import { checkLength, checkPages, walBytes } from './integrity';
import { SqliteOutbox } from './outbox';
import { SqlitePeers } from './peers';
import { migrateLedgerDb } from './schema';
import { SqliteSigner } from './signer';
import { SqliteState } from './state';

export class SqliteLedgerStore implements LedgerStore {
  readonly signerState: SignerStateStore;
  readonly #connection: SqliteConnection;
  readonly #blocks: SqliteBlocks;
  readonly #state: SqliteState;
  readonly #history: SqliteHistory;
  readonly #outbox: SqliteOutbox;
  readonly #peers: SqlitePeers;
  readonly #writer: SqliteBlockWriter;
  /** Opened after an unclean shutdown: the first loaded state is recomputed from its rows. */
  #checkNextState: boolean;

  constructor(
    readonly chainId: ChainId,
    connection: SqliteConnection,
    options: { unclean?: boolean } = {},
  ) {
    this.#checkNextState = options.unclean ?? false;
    this.#connection = connection;
    this.#blocks = new SqliteBlocks(connection);
    this.#state = new SqliteState(connection, chainId);
    this.#history = new SqliteHistory(connection, this.#blocks);
    this.#outbox = new SqliteOutbox(connection);
    this.#peers = new SqlitePeers(connection);
    this.signerState = new SqliteSigner(connection);
    this.#writer = new SqliteBlockWriter(chainId, {
      connection,
      blocks: this.#blocks,
      history: this.#history,
      state: this.#state,
      outbox: this.#outbox,
    });
  }

  async initialize(genesis: Genesis, genesisState: LedgerState): Promise<void> {
    if (genesisState.chainId !== this.chainId) {
      throw new ChainMismatchError(this.chainId, genesisState.chainId);
    }
    if (genesisState.height !== 0) throw new ApplyMismatchError('genesis state is not at height 0');
    this.#connection.write('strict', () => {
      const chain = this.#state.chain();
      if (chain) {
        if (chain.chainId !== this.chainId)
          throw new ChainMismatchError(this.chainId, chain.chainId);
        return;
      }
      this.#state.writeGenesis(genesis, genesisState, ZERO_HASH);
    });
  }

  async meta(): Promise<LedgerMeta | null> {
    return this.#connection.read(() => {
      const chain = this.#state.chain();
      const head = this.#state.head();
      if (!chain || !head) return null;
      return {
        chainId: chain.chainId,
        genesis: chain.genesis,
        headHeight: head.height,
        headHash: head.hash,
      };
    });
  }

  async loadState(): Promise<LedgerState | null> {
    if (this.#checkNextState) {
      const whole = this.#state.loadState(true);
      if (whole && !bytesEqual(recomputeStateRoot(whole), whole.stateRoot)) {
        throw new SchemaError(
          'the database file is damaged: the state does not add up to its root',
        );
      }
      this.#checkNextState = false;
    }
    return this.#state.loadState();
  }

  async applyBlocks(
    entries: readonly BlockToApply[],
    options?: ApplyBatchOptions,
  ): Promise<number> {
    return this.#writer.applyBlocks(entries, options);
  }

  async replaceSeenCommit(commit: Commit): Promise<void> {
    this.#connection.write('strict', () => {
      const head = this.#state.head();
      if (!head) throw new NotInitializedError(this.chainId);
      const stored = this.#blocks.hashAt(commit.height);
      if (commit.height !== head.height || !stored) {
        throw new ApplyMismatchError(`seen commit for ${commit.height}, head is ${head.height}`);
      }
      if (!bytesEqual(stored, commit.blockHash)) {
        throw new ApplyMismatchError(`seen commit for another block at ${commit.height}`);
      }
      this.#blocks.replaceCommit(commit);
    });
  }

  async block(height: number): Promise<StoredBlock | null> {
    return this.#blocks.block(height);
  }

  async blockByHash(hash: Hash): Promise<StoredBlock | null> {
    return this.#blocks.blockByHash(hash);
  }

  async heightOfHash(hash: Hash): Promise<number | null> {
    return this.#blocks.heightOfHash(hash);
  }

  async blockBytes(height: number): Promise<Uint8Array | null> {
    return this.#blocks.blockBytes(height);
  }

  async latestBlocks(page: HeightPage): Promise<BlockSummary[]> {
    return this.#blocks.latestBlocks(page);
  }

  async account(address: Address): Promise<Account | null> {
    return this.#state.account(address);
  }

  async accountHistory(address: Address, page: HeightPage): Promise<AccountHistoryEntry[]> {
    return this.#history.accountHistory(address, page);
  }

  async record(fullKey: string): Promise<Uint8Array | null> {
    return this.#state.record(fullKey);
  }

  async records(prefix: string, page: KeyPage): Promise<Array<[string, Uint8Array]>> {
    return this.#state.records(prefix, page);
  }

  async addToOutbox(txs: readonly Tx[], addedMs: number): Promise<OutboxEntry[]> {
    return this.#outbox.add(txs, addedMs);
  }

  async outboxEntries(keys: readonly string[]): Promise<(OutboxEntry | null)[]> {
    return this.#outbox.entries(keys);
  }

  async outbox(status?: OutboxFate['status']): Promise<OutboxEntry[]> {
    return this.#outbox.list(status);
  }

  async setOutboxFate(key: string, fate: OutboxFate): Promise<void> {
    this.#outbox.setFate(key, fate);
  }

  async notePeer(address: string, lastSeenMs: number): Promise<void> {
    this.#peers.note(address, lastSeenMs);
  }

  async forgetPeer(address: string): Promise<void> {
    this.#peers.forget(address);
  }

  async knownPeers(): Promise<KnownPeer[]> {
    return this.#peers.list();
  }

  async close(): Promise<void> {
    this.#connection.close();
  }

  /**
   * Cheap checks that head, blocks and state agree (three indexed reads), so a damaged file is
   * refused at open rather than served. Transactions keep them true; only damage breaks them.
   */
  checkConsistent(): void {
    this.#connection.read(() => {
      const head = this.#state.head();
      if (!head) return;
      const row = this.#state.stateRow();
      const top = this.#blocks.maxHeight();
      const headHash = head.height === 0 ? ZERO_HASH : this.#blocks.hashAt(head.height);
      if (!row || row.height !== head.height || top !== head.height || !headHash) {
        throw new SchemaError(
          `the database file is damaged: head ${head.height}, state ${row?.height}, top block ${top}`,
        );
      }
      if (!bytesEqual(headHash, head.hash) || !bytesEqual(row.lastBlockHash, head.hash)) {
        throw new SchemaError(`the database file is damaged: head ${head.height} hash mismatch`);
      }
    });
  }
}

export interface OpenSqliteLedgerStoreOptions {
  /** The peer's data directory (created with mode 0700 when missing). */
  directory: string;
  chainId: ChainId;
}

export function sqliteLedgerPath(directory: string, chainId: ChainId): string {
  // The chain id names the file: it must not be able to name anything else.
  if (!/^[0-9a-f]{1,128}$/.test(chainId)) throw new RangeError(`not a chain id: ${chainId}`);
  return join(directory, `ledger-${chainId}.sqlite`);
}

/**
 * Opens (creating or upgrading) the ledger's database file. Throws SchemaError for a file of a
 * newer schema or a damaged one. After an unclean shutdown (a write-ahead log left behind, or
 * another process has the file open) it checks every page first, which reads the whole file,
 * and recomputes the first state it loads from its rows; otherwise it checks that the file holds
 * every page its header counts. Blocks are checked against their hash whenever they are read.
 */
export async function openSqliteLedgerStore(
  options: OpenSqliteLedgerStoreOptions,
): Promise<SqliteLedgerStore> {
  const { directory, chainId } = options;
  const path = sqliteLedgerPath(directory, chainId);
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  const unclean = walBytes(path) > 0;
  const connection = new SqliteConnection(path);
  try {
    if (unclean) checkPages(connection.db);
    else checkLength(connection.db, path);
    migrateLedgerDb(connection.db);
    const store = new SqliteLedgerStore(chainId, connection, { unclean });
    store.checkConsistent();
    return store;
  } catch (error) {
    connection.close();
    throw mapSqliteError(error);
  }
}
