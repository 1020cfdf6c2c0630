// Checks run when a database file is opened, before anything is written to it. Transactions
// keep a file consistent through any crash; only a disk that lost or cut writes can damage it,
// and SQLite may then read the missing pages as empty rows instead of failing. A damaged file is
// refused with SchemaError, never served.

import type Database from 'better-sqlite3';
import { statSync } from 'node:fs';
import { SchemaError } from '../errors';

/** Bytes in the write-ahead log: none after a clean close (the last connection empties it). */
export function walBytes(path: string): number {
  try {
    return statSync(`${path}-wal`).size;
  } catch {
    return 0;
  }
}

/**
 * SQLite's structural check of every page (PRAGMA quick_check): after an unclean shutdown, or
 * while another process has the file open. It reads the whole file.
 */
export function checkPages(db: Database.Database): void {
  const result = String(db.pragma('quick_check', { simple: true }));
  if (result !== 'ok') {
    const first = result.split('\n').find((line) => !line.startsWith('***'));
    throw new SchemaError(`the database file is damaged: ${first}`);
  }
}

/**
 * With no write-ahead log, every page the header counts must be in the file: a shorter file was
 * cut. Two numbers from the header and the file's length.
 */
export function checkLength(db: Database.Database, path: string): void {
  const pageBytes = db.pragma('page_size', { simple: true }) as number;
  const pages = db.pragma('page_count', { simple: true }) as number;
  const fileBytes = statSync(path).size;
  if (pages * pageBytes > fileBytes) {
    throw new SchemaError(
      `the database file is damaged: ${fileBytes} B, its header counts ${pages} pages of ${pageBytes} B`,
    );
  }
}
