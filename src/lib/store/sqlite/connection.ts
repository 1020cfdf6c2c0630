// One better-sqlite3 connection of a store: pragmas, transactions with their durability, the
// closed state, and SQLite's errors as the store's typed errors.
//
// Durability: the database runs in WAL mode. A 'strict' write commits with synchronous=FULL,
// so the WAL is fsynced before the call returns: a resolved write survives kill -9 and power
// loss. A 'relaxed' write commits with synchronous=NORMAL: no fsync, so it survives the process
// being killed (the OS has the bytes) but a power cut may take the last transactions back,
// whole, never in part (WAL frames carry checksums; recovery stops at the first bad one).
//
// better-sqlite3 is synchronous: a transaction runs to its end before anything else in this
// process does, so handles in one process never interleave; another process waits on SQLite's
// lock (`BUSY_TIMEOUT_MS`). Writes take the write lock at BEGIN (IMMEDIATE), so the head a
// write checks is the head it writes on.

import Database from 'better-sqlite3';
import { SchemaError, StorageFullError, StoreClosedError, StoreError } from '../errors';

export type Durability = 'strict' | 'relaxed';

/** How long a write waits for another process's write lock before failing. */
const BUSY_TIMEOUT_MS = 10_000;
/** The WAL file is cut back to this size after a checkpoint (it is reused, not regrown). */
const WAL_BYTES_KEPT_MAX = 16 * 1024 * 1024;

export class SqliteConnection {
  #synchronous: 'FULL' | 'NORMAL' = 'FULL';
  #closed = false;
  readonly db: Database.Database;

  /** Opens (creating) the file; throws SchemaError when it is not a database. */
  constructor(path: string) {
    try {
      this.db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = FULL');
      this.db.pragma(`journal_size_limit = ${WAL_BYTES_KEPT_MAX}`);
    } catch (error) {
      throw mapSqliteError(error);
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** A read-write transaction (BEGIN IMMEDIATE); a throw rolls all of it back. */
  write<T>(durability: Durability, body: () => T): T {
    this.#open();
    try {
      const synchronous = durability === 'strict' ? 'FULL' : 'NORMAL';
      if (synchronous !== this.#synchronous) {
        this.db.pragma(`synchronous = ${synchronous}`);
        this.#synchronous = synchronous;
      }
      return this.db.transaction(body).immediate();
    } catch (error) {
      throw mapSqliteError(error);
    }
  }

  /** Several reads from one snapshot (a deferred transaction). */
  read<T>(body: () => T): T {
    this.#open();
    try {
      return this.db.transaction(body).deferred();
    } catch (error) {
      throw mapSqliteError(error);
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.db.close();
  }

  #open(): void {
    if (this.#closed) throw new StoreClosedError('closed');
  }
}

function codeOf(error: unknown): string {
  return typeof error === 'object' && error !== null && 'code' in error
    ? String((error as { code: unknown }).code)
    : '';
}

/** SQLite's result codes as the store's errors; typed store errors pass through. */
export function mapSqliteError(error: unknown): unknown {
  if (error instanceof StoreError) return error;
  const code = codeOf(error);
  if (code === 'SQLITE_FULL') return new StorageFullError({ cause: error });
  // A short read is a page the file should hold and does not: a cut file.
  if (
    code.startsWith('SQLITE_CORRUPT') ||
    code === 'SQLITE_NOTADB' ||
    code === 'SQLITE_IOERR_SHORT_READ'
  ) {
    return new SchemaError('the database file is damaged', { cause: error });
  }
  return error;
}
