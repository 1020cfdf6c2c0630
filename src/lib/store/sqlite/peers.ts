// The 'peers' table: known peer addresses and when each was last seen, bounded by
// KNOWN_PEERS_MAX (the least recently seen go first, ties by address).

import type { Statement } from 'better-sqlite3';
import { KNOWN_PEERS_MAX } from '../limits';
import type { KnownPeer } from '../types';
import type { SqliteConnection } from './connection';

export class SqlitePeers {
  readonly #note: Statement<[string, number]>;
  readonly #count: Statement<[], { count: number }>;
  readonly #dropOldest: Statement<[number]>;
  readonly #forget: Statement<[string]>;
  readonly #all: Statement<[], { address: string; last_seen_ms: number }>;

  constructor(private readonly connection: SqliteConnection) {
    const { db } = connection;
    // Last-seen never goes back.
    this.#note = db.prepare(
      `INSERT INTO peers (address, last_seen_ms) VALUES (?, ?)
       ON CONFLICT (address) DO UPDATE SET last_seen_ms = MAX(last_seen_ms, excluded.last_seen_ms)`,
    );
    this.#count = db.prepare('SELECT COUNT(*) AS count FROM peers');
    this.#dropOldest = db.prepare(
      `DELETE FROM peers WHERE address IN
       (SELECT address FROM peers ORDER BY last_seen_ms, address LIMIT ?)`,
    );
    this.#forget = db.prepare('DELETE FROM peers WHERE address = ?');
    this.#all = db.prepare(
      'SELECT address, last_seen_ms FROM peers ORDER BY last_seen_ms DESC, address DESC',
    );
  }

  note(address: string, lastSeenMs: number): void {
    this.connection.write('relaxed', () => {
      this.#note.run(address, lastSeenMs);
      const excess = (this.#count.get()?.count ?? 0) - KNOWN_PEERS_MAX;
      if (excess > 0) this.#dropOldest.run(excess);
    });
  }

  forget(address: string): void {
    this.connection.write('relaxed', () => this.#forget.run(address));
  }

  /** Most recently seen first. */
  list(): KnownPeer[] {
    return this.connection
      .read(() => this.#all.all())
      .map((row) => ({ address: row.address, lastSeenMs: row.last_seen_ms }));
  }
}
