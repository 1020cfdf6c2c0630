// The 'outbox' table: the txs this device signed, pending until a block (or setOutboxFate)
// settles them. Indexed by (status, addedMs, txHash) for the pending list and count, and by
// (settled, addedMs, txHash) for the settle-and-prune rule (outbox-rules.ts): a prune reads as
// many rows as it drops, opening a ledger reads only the pending entries.

import type { Statement } from 'better-sqlite3';
import { toHex, txHash } from '../../core/hash';
import type { Tx } from '../../core/types';
import { NotFoundError, OutboxFullError } from '../errors';
import { OUTBOX_PENDING_MAX } from '../limits';
import { settledByBlocks, settledExcess, settledToDrop } from '../outbox-rules';
import type { BlockToApply, OutboxEntry, OutboxFate } from '../types';
import { decodeValue, encodeValue } from './codec';
import type { SqliteConnection } from './connection';

type Status = OutboxFate['status'];
interface EntryColumn {
  entry: Uint8Array;
}

export class SqliteOutbox {
  readonly #put: Statement<[string, number, Status, number, Buffer]>;
  readonly #get: Statement<[string], EntryColumn>;
  readonly #all: Statement<[], EntryColumn>;
  readonly #withStatus: Statement<[Status], EntryColumn>;
  readonly #count: Statement<[Status], { count: number }>;
  readonly #countSettled: Statement<[], { count: number }>;
  readonly #oldestSettled: Statement<[number], EntryColumn>;
  readonly #delete: Statement<[string]>;

  constructor(private readonly connection: SqliteConnection) {
    const { db } = connection;
    this.#put = db.prepare(
      `INSERT OR REPLACE INTO outbox (tx_hash, added_ms, status, settled, entry)
       VALUES (?, ?, ?, ?, ?)`,
    );
    this.#get = db.prepare('SELECT entry FROM outbox WHERE tx_hash = ?');
    this.#all = db.prepare('SELECT entry FROM outbox ORDER BY added_ms, tx_hash');
    this.#withStatus = db.prepare(
      'SELECT entry FROM outbox WHERE status = ? ORDER BY added_ms, tx_hash',
    );
    this.#count = db.prepare('SELECT COUNT(*) AS count FROM outbox WHERE status = ?');
    this.#countSettled = db.prepare('SELECT COUNT(*) AS count FROM outbox WHERE settled = 1');
    this.#oldestSettled = db.prepare(
      'SELECT entry FROM outbox WHERE settled = 1 ORDER BY added_ms, tx_hash LIMIT ?',
    );
    this.#delete = db.prepare('DELETE FROM outbox WHERE tx_hash = ?');
  }

  #write(entry: OutboxEntry): void {
    const { status } = entry.fate;
    this.#put.run(
      entry.txHash,
      entry.addedMs,
      status,
      status === 'pending' ? 0 : 1,
      encodeValue(entry),
    );
  }

  #entry(key: string): OutboxEntry | null {
    const row = this.#get.get(key);
    return row ? decodeValue<OutboxEntry>(row.entry) : null;
  }

  add(txs: readonly Tx[], addedMs: number): OutboxEntry[] {
    const keyed = txs.map((tx) => ({ tx, key: toHex(txHash(tx)) }));
    return this.connection.write('strict', () => {
      const existing = keyed.map(({ key }) => this.#entry(key));
      const fresh = new Set(keyed.filter((_, i) => !existing[i]).map(({ key }) => key));
      if ((this.#count.get('pending')?.count ?? 0) + fresh.size > OUTBOX_PENDING_MAX) {
        throw new OutboxFullError(OUTBOX_PENDING_MAX);
      }
      return keyed.map(({ tx, key }, i): OutboxEntry => {
        const known = existing[i];
        if (known) return known;
        const entry: OutboxEntry = { txHash: key, tx, addedMs, fate: { status: 'pending' } };
        if (fresh.delete(key)) this.#write(entry);
        return entry;
      });
    });
  }

  entries(keys: readonly string[]): (OutboxEntry | null)[] {
    return this.connection.read(() => keys.map((key) => this.#entry(key)));
  }

  /** Oldest first; through the status index when a status is given. */
  list(status?: Status): OutboxEntry[] {
    const rows = this.connection.read(() =>
      status === undefined ? this.#all.all() : this.#withStatus.all(status),
    );
    return rows.map((row) => decodeValue<OutboxEntry>(row.entry));
  }

  setFate(key: string, fate: OutboxFate): void {
    this.connection.write('strict', () => {
      const entry = this.#entry(key);
      if (!entry) throw new NotFoundError(`outbox entry ${key}`);
      this.#write({ ...entry, fate });
      this.#prune();
    });
  }

  /** Inside the batch's write transaction: settle what the blocks include, then prune. */
  settleByBlocks(entries: readonly BlockToApply[]): void {
    if ((this.#count.get('pending')?.count ?? 0) === 0) return;
    const pending = this.#withStatus
      .all('pending')
      .map((row) => decodeValue<OutboxEntry>(row.entry));
    const settled = settledByBlocks(entries, new Map(pending.map((item) => [item.txHash, item])));
    for (const item of settled) this.#write(item);
    if (settled.length > 0) this.#prune();
  }

  #prune(): void {
    const excess = settledExcess(this.#countSettled.get()?.count ?? 0);
    if (excess === 0) return;
    const candidates = this.#oldestSettled
      .all(excess)
      .map((row) => decodeValue<OutboxEntry>(row.entry));
    for (const key of settledToDrop(candidates, excess)) this.#delete.run(key);
  }
}
