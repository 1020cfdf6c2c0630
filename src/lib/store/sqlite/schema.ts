// The on-disk layout of one ledger, `ledger-<chainId>.sqlite`, with versioned upgrades
// (PRAGMA user_version). Unlike IndexedDB there is no state log: SQLite updates rows in place
// within one transaction cheaply, so each block writes its touched accounts and records.
//
//   meta      'chain' -> {chainId, genesis}; 'head' -> {height, hash}; 'state' -> the wholesale
//             state parts at the head (validator sets, proposals, accumulator, state root)
//   blocks    height -> canonical block bytes, seen commit, tx codes, summary; unique hash
//   history   (address, height) of every block whose txs involve the account
//   accounts  address -> Account (JSON: numbers only, and the hottest write)
//   records   full key as UTF-16BE bytes (codec.ts) -> value bytes
//   signer    'last' -> SignedState (its lock without the block); 'lock:<hex>' -> locked block
//   outbox    txHash -> entry, by (status, addedMs, txHash), (settled, ...) and (addedMs, ...)
//   peers     address -> lastSeenMs, by (lastSeenMs, address)
// Structured values are Node structured-clone bytes (codec.ts).

import type Database from 'better-sqlite3';
import { SchemaError } from '../errors';

export const SQLITE_SCHEMA_VERSION = 1;

const VERSION_1 = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE blocks (
  height INTEGER PRIMARY KEY,
  hash BLOB NOT NULL UNIQUE,
  bytes BLOB NOT NULL,
  seen_commit BLOB NOT NULL,
  codes BLOB,
  time REAL NOT NULL,
  tx_count INTEGER NOT NULL,
  proposer TEXT NOT NULL
);
CREATE TABLE history (
  address TEXT NOT NULL,
  height INTEGER NOT NULL,
  PRIMARY KEY (address, height)
) WITHOUT ROWID;
CREATE TABLE accounts (address TEXT PRIMARY KEY, account TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE records (key BLOB PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE signer (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE outbox (
  tx_hash TEXT PRIMARY KEY,
  added_ms REAL NOT NULL,
  status TEXT NOT NULL,
  settled INTEGER NOT NULL,
  entry BLOB NOT NULL
) WITHOUT ROWID;
CREATE INDEX outbox_by_status ON outbox (status, added_ms, tx_hash);
CREATE INDEX outbox_by_settled ON outbox (settled, added_ms, tx_hash);
CREATE INDEX outbox_by_age ON outbox (added_ms, tx_hash);
CREATE TABLE peers (address TEXT PRIMARY KEY, last_seen_ms REAL NOT NULL) WITHOUT ROWID;
CREATE INDEX peers_by_last_seen ON peers (last_seen_ms, address);
`;

/** Creates or upgrades the tables; SchemaError for a file written by a newer version. */
export function migrateLedgerDb(db: Database.Database): void {
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SQLITE_SCHEMA_VERSION) {
      throw new SchemaError(`the database was written by a newer version (schema ${version})`);
    }
    switch (version) {
      case 0:
        db.exec(VERSION_1);
      // Future versions: `case 1: ...` here, falling through in order.
    }
    if (version !== SQLITE_SCHEMA_VERSION) db.pragma(`user_version = ${SQLITE_SCHEMA_VERSION}`);
  }).immediate();
}
