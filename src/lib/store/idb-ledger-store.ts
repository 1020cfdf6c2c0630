// The IndexedDB LedgerStore (idb v8). Every tab of a browser profile opens the same database
// (layout in idb-schema.ts); each write is one transaction that checks what it must inside it,
// so racing tabs agree and a tab killed mid-write leaves nothing half done. One part per object
// store, in idb/: blocks and their one write path (block-writer.ts), the state log and state
// reads, history, signer, outbox and peers. This class only opens transactions over them.

import { openDB } from 'idb';
import type { SignerStateStore } from '../consensus/types';
import type { LedgerState } from '../core/state';
import type { Account, Address, ChainId, Commit, Genesis, Hash, Tx } from '../core/types';
import { ApplyMismatchError, ChainMismatchError, StoreClosedError } from './errors';
import { mapIdbError } from './idb-errors';
import {
  ledgerDbName,
  LEDGER_SCHEMA_VERSION,
  upgradeLedgerDb,
  type LedgerDb,
  type LedgerSchema,
  type LedgerStoreName,
} from './idb-schema';
import { IdbBlockWriter } from './idb/block-writer';
import {
  readBlockRow,
  readBlockRowByHash,
  readHeightOfHash,
  readLatestBlocks,
  replaceHeadCommit,
  storedBlockOf,
} from './idb/blocks';
import { HISTORY_STORES, readAccountHistory } from './idb/history';
import { INITIALIZE_STORES, readMeta, writeGenesis } from './idb/meta';
import { addEntries, readEntries, readOutbox, writeFate } from './idb/outbox';
import { notePeer, readPeers } from './idb/peers';
import { idbSignerState } from './idb/signer';
import { readAccount, readRecord, readRecords, readState } from './idb/state';
import { LogRowCache, STATE_STORES } from './idb/state-log';
import { IdbTransactions, type AnyTx } from './idb/transaction';
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
  StoreEvents,
  StoredBlock,
} from './types';

export class IdbLedgerStore implements LedgerStore {
  readonly signerState: SignerStateStore;
  readonly #transactions: IdbTransactions;
  readonly #cache = new LogRowCache();
  readonly #writer: IdbBlockWriter;

  constructor(
    readonly chainId: ChainId,
    db: LedgerDb,
  ) {
    this.#transactions = new IdbTransactions(db);
    this.#writer = new IdbBlockWriter(this.#transactions, chainId, this.#cache);
    this.signerState = idbSignerState(this.#transactions);
  }

  /** Called when another tab upgrades the schema or the browser kills the connection. */
  markClosed(reason: StoreClosedError['reason']): void {
    this.#transactions.markClosed(reason);
  }

  async initialize(genesis: Genesis, genesisState: LedgerState): Promise<void> {
    if (genesisState.chainId !== this.chainId) {
      throw new ChainMismatchError(this.chainId, genesisState.chainId);
    }
    if (genesisState.height !== 0) throw new ApplyMismatchError('genesis state is not at height 0');
    await this.#transactions.run(INITIALIZE_STORES, 'readwrite', (tx) =>
      writeGenesis(tx, this.chainId, genesis, genesisState),
    );
  }

  meta(): Promise<LedgerMeta | null> {
    return this.#transactions.run(['meta'], 'readonly', readMeta);
  }

  loadState(): Promise<LedgerState | null> {
    return this.#read(STATE_STORES, (tx) => readState(tx, this.#cache, this.chainId));
  }

  applyBlocks(entries: readonly BlockToApply[], options?: ApplyBatchOptions): Promise<number> {
    return this.#writer.applyBlocks(entries, options);
  }

  async replaceSeenCommit(commit: Commit): Promise<void> {
    await this.#transactions.run(['meta', 'blocks'], 'readwrite', (tx) =>
      replaceHeadCommit(tx, this.chainId, commit),
    );
  }

  async block(height: number): Promise<StoredBlock | null> {
    const row = await this.#read(['blocks'], (tx) => readBlockRow(tx, height));
    return row ? storedBlockOf(row) : null;
  }

  async blockByHash(hash: Hash): Promise<StoredBlock | null> {
    const row = await this.#read(['blocks'], (tx) => readBlockRowByHash(tx, hash));
    return row ? storedBlockOf(row) : null;
  }

  heightOfHash(hash: Hash): Promise<number | null> {
    return this.#read(['blocks'], (tx) => readHeightOfHash(tx, hash));
  }

  async blockBytes(height: number): Promise<Uint8Array | null> {
    const row = await this.#read(['blocks'], (tx) => readBlockRow(tx, height));
    return row?.bytes ?? null;
  }

  latestBlocks(page: HeightPage): Promise<BlockSummary[]> {
    return this.#read(['blocks'], (tx) => readLatestBlocks(tx, page));
  }

  account(address: Address): Promise<Account | null> {
    return this.#read(STATE_STORES, (tx) => readAccount(tx, this.#cache, this.chainId, address));
  }

  accountHistory(address: Address, page: HeightPage): Promise<AccountHistoryEntry[]> {
    return this.#read(HISTORY_STORES, (tx) => readAccountHistory(tx, address, page));
  }

  record(fullKey: string): Promise<Uint8Array | null> {
    return this.#read(STATE_STORES, (tx) => readRecord(tx, this.#cache, this.chainId, fullKey));
  }

  records(prefix: string, page: KeyPage): Promise<Array<[string, Uint8Array]>> {
    return this.#read(STATE_STORES, (tx) =>
      readRecords(tx, this.#cache, this.chainId, prefix, page),
    );
  }

  addToOutbox(txs: readonly Tx[], addedMs: number): Promise<OutboxEntry[]> {
    return this.#transactions.run(['outbox'], 'readwrite', (tx) => addEntries(tx, txs, addedMs));
  }

  async outboxEntries(keys: readonly string[]): Promise<(OutboxEntry | null)[]> {
    if (keys.length === 0) return [];
    return this.#read(['outbox'], (tx) => readEntries(tx, keys));
  }

  outbox(status?: OutboxFate['status']): Promise<OutboxEntry[]> {
    return this.#read(['outbox'], (tx) => readOutbox(tx, status));
  }

  async setOutboxFate(key: string, fate: OutboxFate): Promise<void> {
    await this.#transactions.run(['outbox'], 'readwrite', (tx) => writeFate(tx, key, fate));
  }

  async notePeer(address: string, lastSeenMs: number): Promise<void> {
    await this.#transactions.run(['peers'], 'readwrite', (tx) => notePeer(tx, address, lastSeenMs));
  }

  async forgetPeer(address: string): Promise<void> {
    await this.#transactions.run(['peers'], 'readwrite', (tx) =>
      tx.objectStore('peers').delete(address),
    );
  }

  knownPeers(): Promise<KnownPeer[]> {
    return this.#read(['peers'], readPeers);
  }

  async close(): Promise<void> {
    this.markClosed('closed');
  }

  #read<T>(stores: readonly LedgerStoreName[], body: (tx: AnyTx) => Promise<T>): Promise<T> {
    return this.#transactions.run(stores, 'readonly', body);
  }
}

export interface OpenLedgerStoreOptions extends StoreEvents {
  chainId: ChainId;
}

/** Opens (creating or upgrading) the ledger's database. Throws SchemaError for a newer schema. */
export async function openIdbLedgerStore(options: OpenLedgerStoreOptions): Promise<IdbLedgerStore> {
  const { chainId, onBlocked, onVersionChange } = options;
  let store: IdbLedgerStore | null = null;
  let db: LedgerDb;
  try {
    db = await openDB<LedgerSchema>(ledgerDbName(chainId), LEDGER_SCHEMA_VERSION, {
      upgrade: (database, oldVersion) => upgradeLedgerDb(database, oldVersion),
      blocked: () => onBlocked?.(),
      // A newer tab wants to upgrade: let go at once so it never hangs, and tell the app.
      blocking: (_current, _next, event) => {
        (event.target as IDBDatabase).close();
        store?.markClosed('version-change');
        onVersionChange?.();
      },
      terminated: () => store?.markClosed('terminated'),
    });
  } catch (error) {
    throw mapIdbError(error);
  }
  store = new IdbLedgerStore(chainId, db);
  return store;
}
