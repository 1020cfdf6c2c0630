// The IndexedDB LedgerStore (idb v8). Every tab of a browser profile opens the same database;
// each block goes in with one readwrite transaction that re-checks the head inside it, so racing
// tabs apply it exactly once and a tab killed mid-write leaves no half-applied block.
//
// Writing a block costs three puts (block row, state-change log row, head) whatever the block
// touches; the log is folded into per-account and per-record rows every STATE_LOG_BLOCKS_MAX
// blocks (a batch that fills it is folded in its own transaction, unlogged); reads lay the log
// over the rows, read-only.

import { openDB } from 'idb';
import type { SignedState, SignerStateStore } from '../consensus/types';
import { decodeBlock, encodeBlock } from '../core/encoding';
import { bytesEqual, toHex, txHash, ZERO_HASH } from '../core/hash';
import type { LedgerState } from '../core/state';
import type { Account, Address, Block, ChainId, Commit, Genesis, Hash, Tx } from '../core/types';
import {
  ApplyMismatchError,
  ChainMismatchError,
  NotFoundError,
  NotInitializedError,
  OutboxFullError,
  SchemaError,
  SignerReadBackError,
  StorageFullError,
  StoreClosedError,
} from './errors';
import { mapIdbError } from './idb-errors';
import {
  ledgerDbName,
  LEDGER_SCHEMA_VERSION,
  upgradeLedgerDb,
  type BlockRow,
  type ChainRow,
  type FoldedRow,
  type HeadRow,
  type LedgerDb,
  type LedgerSchema,
  type LedgerStoreName,
  type LedgerTx,
  type LogRow,
  type StateRow,
} from './idb-schema';
import {
  blockAddresses,
  checkBatchLinked,
  checkSignerAdvance,
  decideApply,
  HISTORY_HEIGHT_DIGITS,
  historyKey,
  historyOfBlock,
  sameSignedState,
} from './ledger-rules';
import { KNOWN_PEERS_MAX, OUTBOX_PENDING_MAX, PAGE_ROWS_MAX, STATE_LOG_BLOCKS_MAX } from './limits';
import { settledByBlocks, settledExcess, settledToDrop } from './outbox-rules';
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

type Durability = 'default' | 'strict' | 'relaxed';
const STATE_STORES: LedgerStoreName[] = ['meta', 'state-log', 'accounts', 'records', 'history'];
/** What applyBlocks' transaction did: blocks it found stored, log length after, folded or not. */
interface BatchWritten {
  /** Head and folded heights after the transaction. */
  head: { height: number; folded: number } | null;
  skipped: number;
  logBlocks: number;
  folded: boolean;
}
/** What a fold writes besides meta and the state log. */
const FOLD_STORES: LedgerStoreName[] = ['accounts', 'records', 'history'];
/** Log rows kept in memory per handle (see #written); the oldest are dropped first. */
const WRITTEN_LOG_ROWS_MAX = 2 * STATE_LOG_BLOCKS_MAX;
/** Aborts a batch written ahead of its head check when the head was not where this handle left it. */
const HEAD_MOVED = Symbol('head-moved');
type AnyTx = LedgerTx<LedgerStoreName[], 'readwrite'>;

function pageLimit(limit: number): number {
  return Math.max(0, Math.min(limit, PAGE_ROWS_MAX));
}

function statusRange(status: OutboxFate['status']): IDBKeyRange {
  return IDBKeyRange.bound([status, -Infinity], [status, Infinity]);
}

export class IdbLedgerStore implements LedgerStore {
  readonly signerState: SignerStateStore;
  #closed: StoreClosedError['reason'] | null = null;
  /**
   * Log rows this handle wrote, by height, so folding and state reads need not read them back
   * (the costliest part of a fold). Only rows written here: a row of height h is the same
   * whichever tab wrote it (one block per height), but only our own copy is known to match.
   */
  readonly #written = new Map<number, LogRow>();
  /** Head and folded heights as this handle last saw them (other tabs may have moved them). */
  #lastHead: { height: number; folded: number } | null = null;

  constructor(
    readonly chainId: ChainId,
    private readonly db: LedgerDb,
  ) {
    this.signerState = {
      load: () => this.#loadSigned(),
      save: (state) => this.#saveSigned(state),
      // The vote log is best effort: 'relaxed' (no wait for the disk) and no read-back, so it
      // does not hold up the strict write of the next signature behind it.
      saveVotes: (state) => this.#putSigned(state, 'relaxed'),
    };
  }

  #remember(height: number, row: LogRow): void {
    this.#written.set(height, row);
    for (const old of this.#written.keys()) {
      if (this.#written.size <= WRITTEN_LOG_ROWS_MAX) break;
      this.#written.delete(old);
    }
  }

  /** Called when another tab upgrades the schema or the browser kills the connection. */
  markClosed(reason: StoreClosedError['reason']): void {
    this.#closed ??= reason;
    this.db.close();
  }

  async #tx<T>(
    stores: LedgerStoreName[],
    mode: IDBTransactionMode,
    body: (tx: AnyTx) => Promise<T>,
    durability: Durability = 'default',
  ): Promise<T> {
    if (this.#closed) throw new StoreClosedError(this.#closed);
    let tx: AnyTx;
    try {
      tx = this.db.transaction(stores, mode, { durability }) as AnyTx;
    } catch (error) {
      throw mapIdbError(error, this.#closed ?? 'closed');
    }
    try {
      const result = await body(tx);
      await tx.done;
      return result;
    } catch (error) {
      tx.done.catch(() => {});
      try {
        tx.abort();
      } catch {
        // Already committed or aborted (an aborted transaction is why we are here).
      }
      throw mapIdbError(error, this.#closed);
    }
  }

  async initialize(genesis: Genesis, genesisState: LedgerState): Promise<void> {
    if (genesisState.chainId !== this.chainId) {
      throw new ChainMismatchError(this.chainId, genesisState.chainId);
    }
    if (genesisState.height !== 0) throw new ApplyMismatchError('genesis state is not at height 0');
    await this.#tx(['meta', 'accounts', 'records'], 'readwrite', async (tx) => {
      const meta = tx.objectStore('meta');
      const chain = (await meta.get('chain')) as ChainRow | undefined;
      if (chain) {
        if (chain.chainId !== this.chainId)
          throw new ChainMismatchError(this.chainId, chain.chainId);
        return;
      }
      const writes: Promise<unknown>[] = [
        meta.put({ chainId: this.chainId, genesis } satisfies ChainRow, 'chain'),
        meta.put({ height: 0, hash: ZERO_HASH } satisfies HeadRow, 'head'),
        meta.put({ height: 0 } satisfies FoldedRow, 'folded'),
        meta.put(stateRowOf(genesisState), 'state'),
      ];
      const accounts = tx.objectStore('accounts');
      for (const [address, account] of genesisState.accounts)
        writes.push(accounts.put(account, address));
      const records = tx.objectStore('records');
      for (const [key, value] of genesisState.records) writes.push(records.put(value, key));
      await Promise.all(writes);
    });
  }

  async meta(): Promise<LedgerMeta | null> {
    return this.#tx(['meta'], 'readonly', async (tx) => {
      const chain = (await tx.objectStore('meta').get('chain')) as ChainRow | undefined;
      const head = (await tx.objectStore('meta').get('head')) as HeadRow | undefined;
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
    return this.#tx([...STATE_STORES], 'readonly', async (tx) => {
      const view = await readLog(tx, this.#written);
      if (!view) return null;
      const { row } = view;
      const accountStore = tx.objectStore('accounts');
      const recordStore = tx.objectStore('records');
      const [accountKeys, accountValues, recordKeys, recordValues] = await Promise.all([
        accountStore.getAllKeys(),
        accountStore.getAll(),
        recordStore.getAllKeys(),
        recordStore.getAll(),
      ]);
      const accounts = new Map(accountKeys.map((key, i) => [key, accountValues[i]!]));
      const records = new Map(recordKeys.map((key, i) => [key, recordValues[i]!]));
      for (const [address, account] of view.accounts) {
        if (account === null) accounts.delete(address);
        else accounts.set(address, account);
      }
      for (const [key, value] of view.records) {
        if (value === null) records.delete(key);
        else records.set(key, value);
      }
      return {
        chainId: this.chainId,
        height: row.height,
        lastBlockHash: row.lastBlockHash,
        lastBlockTime: row.lastBlockTime,
        accounts,
        records,
        lastValidators: row.lastValidators,
        lastValidatorsSince: row.lastValidatorsSince,
        validators: row.validators,
        nextValidators: row.nextValidators,
        proposals: new Map(row.proposals.map((proposal) => [toHex(proposal.id), proposal])),
        accumulator: row.accumulator,
        stateRoot: row.stateRoot,
      };
    });
  }

  async applyBlocks(
    entries: readonly BlockToApply[],
    options: ApplyBatchOptions = {},
  ): Promise<number> {
    const hashes = checkBatchLinked(this.chainId, entries);
    const first = entries[0];
    if (!first) return 0;
    const durability = options.durability ?? 'strict';
    const rows = entries.map((entry, i): [BlockRow, LogRow] => [
      blockRowOf(entry, hashes[i] as Hash),
      { changes: entry.changes, addresses: blockAddresses(entry.block.txs) },
    ]);
    let written: BatchWritten;
    try {
      written = await this.#writeBatch(entries, hashes, rows, durability, true);
    } catch (error) {
      // A full disk may refuse the fold and still take the blocks with their log rows.
      if (!(error instanceof StorageFullError)) throw error;
      written = await this.#writeBatch(entries, hashes, rows, durability, false);
    }
    const { skipped, logBlocks, folded } = written;
    if (!folded) {
      for (const [row, logRow] of rows.slice(skipped)) this.#remember(row.height, logRow);
    }
    if (skipped < entries.length && logBlocks >= STATE_LOG_BLOCKS_MAX) {
      try {
        await this.#tx(
          [...STATE_STORES],
          'readwrite',
          (tx) => foldLog(tx, this.#written),
          durability,
        );
      } catch (error) {
        if (!(error instanceof StorageFullError)) throw error;
      }
    }
    return entries.length - skipped;
  }

  /**
   * applyBlocks' transaction. With `foldNow`, a batch that fills the state log to
   * STATE_LOG_BLOCKS_MAX is folded in the same transaction instead of being written to the log
   * first (a sync batch of SYNC_PERSIST_BLOCKS_MAX blocks does that every time): half the puts,
   * no second transaction, no read-back of the log.
   *
   * When this handle's last write left the head just below the batch (the common case: one
   * writer committing block after block), the writes go out together with the head check's
   * reads, so one round trip serves all; if another tab moved the head meanwhile, the
   * transaction is aborted (its writes vanish with it) and run again the careful way.
   */
  async #writeBatch(
    entries: readonly BlockToApply[],
    hashes: readonly Hash[],
    rows: readonly [BlockRow, LogRow][],
    durability: Durability,
    foldNow: boolean,
  ): Promise<BatchWritten> {
    const firstHeight = (entries[0] as BlockToApply).block.header.height;
    const expected = this.#lastHead;
    if (expected?.height === firstHeight - 1) {
      try {
        return await this.#batchTx(entries, hashes, rows, durability, foldNow, expected.folded);
      } catch (error) {
        if (error !== HEAD_MOVED) throw error;
      }
    }
    return this.#batchTx(entries, hashes, rows, durability, foldNow, null);
  }

  /** `guessFolded`: write before the head check, guessing the state log is folded up to it. */
  async #batchTx(
    entries: readonly BlockToApply[],
    hashes: readonly Hash[],
    rows: readonly [BlockRow, LogRow][],
    durability: Durability,
    foldNow: boolean,
    guessFolded: number | null,
  ): Promise<BatchWritten> {
    const firstHeight = (entries[0] as BlockToApply).block.header.height;
    const last = rows.at(-1)?.[0] as BlockRow;
    const result: BatchWritten = { head: null, skipped: 0, logBlocks: 0, folded: false };
    await this.#tx(
      ['meta', 'blocks', 'state-log', 'outbox', ...(foldNow ? FOLD_STORES : [])],
      'readwrite',
      async (tx) => {
        const meta = tx.objectStore('meta');
        const blocks = tx.objectStore('blocks');
        const outbox = tx.objectStore('outbox');
        const reads = Promise.all([
          meta.get('head') as Promise<HeadRow | undefined>,
          meta.get('folded') as Promise<FoldedRow | undefined>,
          outbox.index('status').count(statusRange('pending')),
        ]);
        const writes: Promise<unknown>[] = [];
        // Requests run in order: the reads above see the database before these writes.
        const writeRows = (skipped: number, foldedHeight: number): boolean => {
          const fold = foldNow && last.height - foldedHeight >= STATE_LOG_BLOCKS_MAX;
          for (const [row, logRow] of rows.slice(skipped)) {
            writes.push(blocks.put(row));
            if (!fold) writes.push(tx.objectStore('state-log').put(logRow, row.height));
          }
          writes.push(meta.put({ height: last.height, hash: last.hash } satisfies HeadRow, 'head'));
          // A failed write fails the transaction; tx.done reports it.
          for (const write of writes) write.catch(() => {});
          return fold;
        };
        const guessedFold = guessFolded === null ? null : writeRows(0, guessFolded);
        const [head, folded, pendingCount] = await reads;
        if (!head || !folded) throw new NotInitializedError(this.chainId);
        // Entries at or below the head must be the stored blocks; the first one above it must
        // extend the head (the batch itself is linked already).
        const skipped = Math.max(0, Math.min(entries.length, head.height - firstHeight + 1));
        if (guessedFold !== null && skipped > 0) throw HEAD_MOVED;
        result.skipped = skipped;
        const stored = await Promise.all(
          entries.slice(0, skipped).map((entry) => blocks.get(entry.block.header.height)),
        );
        entries.forEach((entry, i) => {
          if (i > skipped) return;
          const height = entry.block.header.height;
          const previous = entry.block.header.previousHash;
          const storedHash = i < skipped ? (stored[i]?.hash ?? null) : null;
          decideApply(head.height, head.hash, height, hashes[i] as Hash, previous, storedHash);
        });
        result.head = { height: head.height, folded: folded.height };
        if (skipped === entries.length) return;
        const fold = guessedFold ?? writeRows(skipped, folded.height);
        if (pendingCount > 0) {
          const pending = await outbox.index('status').getAll(statusRange('pending'));
          const byHash = new Map(pending.map((item) => [item.txHash, item]));
          const settled = settledByBlocks(entries.slice(skipped), byHash);
          for (const item of settled) outbox.put(item).catch(() => {});
          if (settled.length > 0) await pruneSettled(tx as AnyTx);
        }
        if (fold) {
          const batchLog = rows.slice(skipped).map(([, logRow]) => logRow);
          await foldLog(tx as AnyTx, this.#written, batchLog);
          result.folded = true;
        } else {
          result.logBlocks = last.height - folded.height;
        }
        result.head = { height: last.height, folded: fold ? last.height : folded.height };
      },
      durability,
    ).catch((error: unknown) => {
      this.#lastHead = null;
      throw error;
    });
    this.#lastHead = result.head;
    return result;
  }

  async replaceSeenCommit(commit: Commit): Promise<void> {
    await this.#tx(['meta', 'blocks'], 'readwrite', async (tx) => {
      const head = (await tx.objectStore('meta').get('head')) as HeadRow | undefined;
      if (!head) throw new NotInitializedError(this.chainId);
      const row = await tx.objectStore('blocks').get(commit.height);
      if (commit.height !== head.height || !row) {
        throw new ApplyMismatchError(`seen commit for ${commit.height}, head is ${head.height}`);
      }
      if (!bytesEqual(row.hash, commit.blockHash)) {
        throw new ApplyMismatchError(`seen commit for another block at ${commit.height}`);
      }
      await tx.objectStore('blocks').put({ ...row, commit });
    });
  }

  async block(height: number): Promise<StoredBlock | null> {
    const row = await this.#tx(['blocks'], 'readonly', (tx) =>
      tx.objectStore('blocks').get(height),
    );
    return row ? storedBlockOf(row) : null;
  }

  async blockByHash(hash: Hash): Promise<StoredBlock | null> {
    const row = await this.#tx(['blocks'], 'readonly', (tx) =>
      tx.objectStore('blocks').index('hash').get(toHex(hash)),
    );
    return row ? storedBlockOf(row) : null;
  }

  async heightOfHash(hash: Hash): Promise<number | null> {
    const height = await this.#tx(['blocks'], 'readonly', (tx) =>
      tx.objectStore('blocks').index('hash').getKey(toHex(hash)),
    );
    return height ?? null;
  }

  async blockBytes(height: number): Promise<Uint8Array | null> {
    const row = await this.#tx(['blocks'], 'readonly', (tx) =>
      tx.objectStore('blocks').get(height),
    );
    return row?.bytes ?? null;
  }

  async latestBlocks(page: HeightPage): Promise<BlockSummary[]> {
    const limit = pageLimit(page.limit);
    return this.#tx(['blocks'], 'readonly', async (tx) => {
      const out: BlockSummary[] = [];
      const range =
        page.beforeHeight === undefined
          ? undefined
          : IDBKeyRange.upperBound(page.beforeHeight, true);
      let cursor = limit > 0 ? await tx.objectStore('blocks').openCursor(range, 'prev') : null;
      while (cursor && out.length < limit) {
        const { height, hash, time, txCount, proposer } = cursor.value;
        out.push({ height, hash, time, txCount, proposer });
        cursor = out.length < limit ? await cursor.continue() : null;
      }
      return out;
    });
  }

  async account(address: Address): Promise<Account | null> {
    return this.#tx([...STATE_STORES], 'readonly', async (tx) => {
      const view = await readLog(tx, this.#written);
      if (!view) throw new NotInitializedError(this.chainId);
      const logged = view.accounts.get(address);
      if (logged !== undefined) return logged;
      return (await tx.objectStore('accounts').get(address)) ?? null;
    });
  }

  async accountHistory(address: Address, page: HeightPage): Promise<AccountHistoryEntry[]> {
    const limit = pageLimit(page.limit);
    const top = (page.beforeHeight ?? Number.MAX_SAFE_INTEGER) - 1;
    if (limit === 0 || top < 1) return [];
    return this.#tx(['blocks', 'state-log', 'history'], 'readonly', async (tx) => {
      const out: AccountHistoryEntry[] = [];
      const blocks = tx.objectStore('blocks');
      // A page never splits a block, so `beforeHeight: last.height` continues exactly.
      const take = async (heights: number[]): Promise<boolean> => {
        for (const height of heights) {
          if (out.length >= limit) return false;
          const row = await blocks.get(height);
          if (!row) throw new SchemaError(`history names block ${height}, which is missing`);
          out.push(...historyOfBlock(address, height, decodeBlock(row.bytes).txs, row.codes));
        }
        return out.length < limit;
      };
      const below = (heights: number[]) => heights.filter((h) => h <= top).reverse();
      // Newest first: blocks still in the log, then the fold that straddles `top`, then older
      // folds (history rows are keyed by each fold's last height).
      const logged = (await tx.objectStore('state-log').getAll())
        .filter((row) => row.addresses.includes(address))
        .map((row) => row.changes.height);
      if (!(await take(below(logged)))) return out;
      const history = tx.objectStore('history');
      const prefix = historyKey(address, 0).slice(0, -HISTORY_HEIGHT_DIGITS);
      const straddling = await history.openCursor(
        IDBKeyRange.lowerBound(historyKey(address, top + 1)),
      );
      if (
        straddling &&
        straddling.key.startsWith(prefix) &&
        !(await take(below(straddling.value)))
      ) {
        return out;
      }
      const range = IDBKeyRange.bound(historyKey(address, 0), historyKey(address, top));
      let cursor = await history.openCursor(range, 'prev');
      while (cursor && (await take(below(cursor.value)))) cursor = await cursor.continue();
      return out;
    });
  }

  async record(fullKey: string): Promise<Uint8Array | null> {
    return this.#tx([...STATE_STORES], 'readonly', async (tx) => {
      const view = await readLog(tx, this.#written);
      if (!view) throw new NotInitializedError(this.chainId);
      const logged = view.records.get(fullKey);
      if (logged !== undefined) return logged;
      return (await tx.objectStore('records').get(fullKey)) ?? null;
    });
  }

  async records(prefix: string, page: KeyPage): Promise<Array<[string, Uint8Array]>> {
    const limit = pageLimit(page.limit);
    return this.#tx([...STATE_STORES], 'readonly', async (tx) => {
      const view = await readLog(tx, this.#written);
      if (!view) throw new NotInitializedError(this.chainId);
      const after = page.afterKey !== undefined && page.afterKey >= prefix;
      const inPage = (key: string) => key.startsWith(prefix) && (!after || key > page.afterKey!);
      const logged = [...view.records].filter(([key]) => inPage(key));
      const deletions = logged.filter(([, value]) => value === null).length;
      // The stored rows are behind by the log: read `limit + deletions` of them in key order
      // (at most `deletions` can vanish), then lay the log over them.
      const merged = new Map<string, Uint8Array | null>();
      const range = IDBKeyRange.lowerBound(after ? page.afterKey! : prefix, after);
      let cursor = limit > 0 ? await tx.objectStore('records').openCursor(range) : null;
      while (cursor && merged.size < limit + deletions && cursor.key.startsWith(prefix)) {
        merged.set(cursor.key, cursor.value);
        cursor = merged.size < limit + deletions ? await cursor.continue() : null;
      }
      for (const [key, value] of logged) merged.set(key, value);
      return [...merged]
        .filter((item): item is [string, Uint8Array] => item[1] !== null)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .slice(0, limit);
    });
  }

  /** The signer state with its locked block put back (see #putSigned). */
  async #loadSigned(): Promise<SignedState | null> {
    return this.#tx(['signer'], 'readonly', async (tx) => {
      const last = (await tx.objectStore('signer').get('last')) as SignedState | undefined;
      if (!last?.lock || last.lock.block) return last ?? null;
      const block = await tx.objectStore('signer').get(lockKey(last.lock.blockHash));
      return block ? { ...last, lock: { ...last.lock, block: block as Block } } : last;
    });
  }

  /**
   * Write the signer state unless it would regress what is stored (one transaction). The locked
   * block goes under its own key, written when the lock changes: a state is saved with every
   * signature and vote, and carrying a block of hundreds of txs each time (and reading it back)
   * made the signer's writes the slowest step of a height.
   */
  #putSigned(state: SignedState, durability: Durability): Promise<void> {
    const { lock } = state;
    const slim: SignedState = lock?.block
      ? { ...state, lock: { round: lock.round, blockHash: lock.blockHash } }
      : state;
    return this.#tx(
      ['signer'],
      'readwrite',
      async (tx) => {
        const signer = tx.objectStore('signer');
        const last = (await signer.get('last')) as SignedState | undefined;
        checkSignerAdvance(last ?? null, state);
        if (lock?.block) {
          const key = lockKey(lock.blockHash);
          if ((await signer.count(key)) === 0) {
            await signer.delete(IDBKeyRange.bound(LOCK_KEY_PREFIX, `${LOCK_KEY_PREFIX}\uffff`));
            await signer.put(lock.block, key);
          }
        }
        await signer.put(slim, 'last');
      },
      durability,
    );
  }

  async #saveSigned(state: SignedState): Promise<void> {
    // 'strict': the promise resolves only once the write is on disk, so a crash right after
    // cannot forget a signature that already left the node.
    await this.#putSigned(state, 'strict');
    const back = await this.#tx(['signer'], 'readonly', (tx) =>
      tx.objectStore('signer').get('last'),
    );
    if (!sameSignedState((back as SignedState | undefined) ?? null, state)) {
      throw new SignerReadBackError();
    }
  }

  async addToOutbox(txs: readonly Tx[], addedMs: number): Promise<OutboxEntry[]> {
    const keyed = txs.map((tx) => ({ tx, key: toHex(txHash(tx)) }));
    return this.#tx(['outbox'], 'readwrite', async (t) => {
      const outbox = t.objectStore('outbox');
      const [existing, pendingCount] = await Promise.all([
        Promise.all(keyed.map(({ key }) => outbox.get(key))),
        outbox.index('status').count(statusRange('pending')),
      ]);
      const fresh = new Set(keyed.filter((_, i) => !existing[i]).map(({ key }) => key));
      if (pendingCount + fresh.size > OUTBOX_PENDING_MAX) {
        throw new OutboxFullError(OUTBOX_PENDING_MAX);
      }
      const entries = keyed.map(({ tx, key }, i): OutboxEntry => {
        return existing[i] ?? { txHash: key, tx, addedMs, fate: { status: 'pending' } };
      });
      await Promise.all(entries.filter((e) => fresh.has(e.txHash)).map((e) => outbox.put(e)));
      return entries;
    });
  }

  async outboxEntries(keys: readonly string[]): Promise<(OutboxEntry | null)[]> {
    if (keys.length === 0) return [];
    return this.#tx(['outbox'], 'readonly', async (tx) => {
      const outbox = tx.objectStore('outbox');
      const entries = await Promise.all(keys.map((key) => outbox.get(key)));
      return entries.map((entry) => entry ?? null);
    });
  }

  async outbox(status?: OutboxFate['status']): Promise<OutboxEntry[]> {
    return this.#tx(['outbox'], 'readonly', (tx) =>
      status === undefined
        ? tx.objectStore('outbox').index('added').getAll()
        : tx.objectStore('outbox').index('status').getAll(statusRange(status)),
    );
  }

  async setOutboxFate(key: string, fate: OutboxFate): Promise<void> {
    await this.#tx(['outbox'], 'readwrite', async (tx) => {
      const entry = await tx.objectStore('outbox').get(key);
      if (!entry) throw new NotFoundError(`outbox entry ${key}`);
      await tx.objectStore('outbox').put({ ...entry, fate });
      await pruneSettled(tx);
    });
  }

  async notePeer(address: string, lastSeenMs: number): Promise<void> {
    await this.#tx(['peers'], 'readwrite', async (tx) => {
      const existing = await tx.objectStore('peers').get(address);
      await tx.objectStore('peers').put({
        address,
        lastSeenMs: Math.max(lastSeenMs, existing?.lastSeenMs ?? -Infinity),
      });
      let excess = (await tx.objectStore('peers').count()) - KNOWN_PEERS_MAX;
      let cursor =
        excess > 0 ? await tx.objectStore('peers').index('last-seen').openCursor() : null;
      while (cursor && excess > 0) {
        await cursor.delete();
        excess--;
        cursor = excess > 0 ? await cursor.continue() : null;
      }
    });
  }

  async forgetPeer(address: string): Promise<void> {
    await this.#tx(['peers'], 'readwrite', (tx) => tx.objectStore('peers').delete(address));
  }

  async knownPeers(): Promise<KnownPeer[]> {
    return this.#tx(['peers'], 'readonly', async (tx) => {
      const out: KnownPeer[] = [];
      let cursor = await tx.objectStore('peers').index('last-seen').openCursor(null, 'prev');
      while (cursor) {
        out.push(cursor.value);
        cursor = await cursor.continue();
      }
      return out;
    });
  }

  async close(): Promise<void> {
    this.markClosed('closed');
  }
}

function stateRowOf(state: LedgerState): StateRow {
  return {
    height: state.height,
    lastBlockHash: state.lastBlockHash,
    lastBlockTime: state.lastBlockTime,
    lastValidators: state.lastValidators,
    lastValidatorsSince: state.lastValidatorsSince,
    validators: state.validators,
    nextValidators: state.nextValidators,
    proposals: [...state.proposals.values()],
    accumulator: state.accumulator,
    stateRoot: state.stateRoot,
  };
}

function storedBlockOf(row: BlockRow): StoredBlock {
  return {
    height: row.height,
    hash: row.hash,
    block: decodeBlock(row.bytes),
    commit: row.commit,
    codes: row.codes,
  };
}

/** The state at the head as stored rows plus the not-yet-folded log (read-only). */
interface LogView {
  /** The wholesale state parts at the head. */
  row: StateRow;
  /** Latest value per account / record key changed in the log (null = deleted). */
  accounts: Map<Address, Account | null>;
  records: Map<string, Uint8Array | null>;
  logBlocks: number;
  /** Heights per account of the blocks in the log, ascending. */
  heights: Map<Address, number[]>;
}

/** `pending`: rows of the blocks this transaction writes, after the stored log (see #writeBatch). */
async function readLog(
  tx: AnyTx,
  written: Map<number, LogRow>,
  pending: readonly LogRow[] = [],
): Promise<LogView | null> {
  const logStore = tx.objectStore('state-log');
  const [stored, keys] = await Promise.all([
    tx.objectStore('meta').get('state') as Promise<StateRow | undefined>,
    logStore.getAllKeys(),
  ]);
  if (!stored) return null;
  const log = [
    ...(await Promise.all(
      keys.map(async (height) => written.get(height) ?? (await logStore.get(height))!),
    )),
    ...pending,
  ];
  const changes = log.map((row) => row.changes);
  const accounts = new Map<Address, Account | null>();
  const records = new Map<string, Uint8Array | null>();
  let expected = stored.height + 1;
  for (const change of changes) {
    if (change.height !== expected) {
      throw new SchemaError(`state log jumps to ${change.height}, expected ${expected}`);
    }
    expected++;
    for (const [address, account] of change.accounts) accounts.set(address, account);
    for (const [key, value] of change.records) records.set(key, value);
  }
  const heights = new Map<Address, number[]>();
  for (const { changes: change, addresses } of log) {
    for (const address of addresses) {
      const list = heights.get(address) ?? [];
      list.push(change.height);
      heights.set(address, list);
    }
  }
  const last = changes.at(-1);
  if (!last) return { row: stored, accounts, records, logBlocks: 0, heights };
  const { accounts: _accounts, records: _records, ...row } = last;
  return { row, accounts, records, logBlocks: changes.length, heights };
}

/**
 * Folds the state-change log into the account and record rows and drops it, in one
 * transaction (a crash keeps all of it or none). Reads never fold: they overlay the log, so
 * they keep working on a full disk.
 */
async function foldLog(
  tx: AnyTx,
  written: Map<number, LogRow>,
  pending: readonly LogRow[] = [],
): Promise<void> {
  const view = await readLog(tx, written, pending);
  if (!view || view.logBlocks === 0) return;
  const { row: next, accounts, records, heights } = view;
  const history = tx.objectStore('history');
  const meta = tx.objectStore('meta');
  const log = tx.objectStore('state-log');
  const accountStore = tx.objectStore('accounts');
  const recordStore = tx.objectStore('records');
  const writes: Promise<unknown>[] = [
    meta.put(next, 'state'),
    meta.put({ height: next.height } satisfies FoldedRow, 'folded'),
    log.delete(IDBKeyRange.upperBound(next.height)),
  ];
  for (const [address, account] of accounts) {
    writes.push(
      account === null ? accountStore.delete(address) : accountStore.put(account, address),
    );
  }
  for (const [key, value] of records) {
    writes.push(value === null ? recordStore.delete(key) : recordStore.put(value, key));
  }
  for (const [address, list] of heights) {
    writes.push(history.put(list, historyKey(address, next.height)));
  }
  await Promise.all(writes);
}

/**
 * The settle-and-prune rule (outbox-rules.ts) inside a writing transaction: the 'status' index
 * orders each status by (addedMs, txHash), so the oldest `excess` of each settled status hold
 * the oldest `excess` settled entries; only those are read.
 */
async function pruneSettled(tx: AnyTx): Promise<void> {
  const status = tx.objectStore('outbox').index('status');
  const [committed, rejected] = await Promise.all([
    status.count(statusRange('committed')),
    status.count(statusRange('rejected')),
  ]);
  const excess = settledExcess(committed + rejected);
  if (excess === 0) return;
  const candidates = await Promise.all([
    status.getAll(statusRange('committed'), excess),
    status.getAll(statusRange('rejected'), excess),
  ]);
  const drop = settledToDrop(candidates.flat(), excess);
  await Promise.all(drop.map((key) => tx.objectStore('outbox').delete(key)));
}

const LOCK_KEY_PREFIX = 'lock:';

function lockKey(blockHash: Hash): `lock:${string}` {
  return `${LOCK_KEY_PREFIX}${toHex(blockHash)}`;
}

function blockRowOf(entry: BlockToApply, hash: Hash): BlockRow {
  const { block } = entry;
  return {
    height: block.header.height,
    hash,
    hashHex: toHex(hash),
    bytes: entry.encoded ?? encodeBlock(block),
    commit: entry.commit,
    codes: entry.results ? entry.results.map((result) => result.code) : null,
    time: block.header.time,
    txCount: block.txs.length,
    proposer: block.header.proposer,
  };
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
