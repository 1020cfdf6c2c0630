// IndexedDB layout of one ledger and of the device, with versioned upgrades.
//
// One database per ledger, `ledger-<chainId>`:
//   meta       'chain' -> {chainId, genesis}; 'head' -> {height, hash}; 'folded' -> {height};
//              'state' -> the wholesale state parts at the materialised height
//   blocks     height -> block row (canonical block bytes, seen commit, tx codes, summary);
//              index 'hash' (hex) -> height
//   state-log  height -> {changes, addresses} of blocks not yet folded into the rows below
//   history    `${address}:${lastHeight}` -> ascending heights of the blocks that touched the
//              account, one row per address per fold (so a block adds no index entries)
//   accounts   address -> Account (as of the materialised height)
//   records    full key -> value bytes (as of the materialised height)
//   signer     'last' -> SignedState (its lock without the block); 'lock:<block hash hex>' ->
//              the locked block, written once per lock (not with every vote)
//   outbox     txHash -> OutboxEntry; indexes 'status' [status, addedMs] and 'added'
//   peers      address -> KnownPeer; index 'last-seen'
// One device database, `ledger-device`: ledgers (chainId -> LedgerEntry), device ('signing-key',
// 'box-key': the X25519 key private ledgers seal their keys to).

import type { DBSchema, IDBPDatabase, IDBPTransaction, StoreNames } from 'idb';
import type { SignedState } from '../consensus/types';
import type { Account, Block, ChainId, Commit, Genesis, Hash, TxCode } from '../core/types';
import type { StateChanges } from '../core/state';
import type { DeviceKey, KnownPeer, LedgerEntry, OutboxEntry, StoredKeyring } from './types';
import type { BoxKey } from '../crypto/box';

export const LEDGER_SCHEMA_VERSION = 1;
export const DEVICE_SCHEMA_VERSION = 1;
export const DEVICE_DB_NAME = 'ledger-device';

export function ledgerDbName(chainId: ChainId): string {
  return `ledger-${chainId}`;
}

export interface BlockRow {
  height: number;
  hash: Hash;
  hashHex: string;
  /** Canonical encoding (core encodeBlock). */
  bytes: Uint8Array;
  commit: Commit;
  codes: TxCode[] | null;
  time: number;
  txCount: number;
  proposer: string;
}

/** One block's entry in the state-change log. */
export interface LogRow {
  changes: StateChanges;
  /** Accounts the block's txs involve (for the history rows the fold writes). */
  addresses: string[];
}

export interface ChainRow {
  chainId: ChainId;
  genesis: Genesis;
}

export interface HeadRow {
  height: number;
  hash: Hash;
}

/** Height up to which the state log is folded into the rows (small: read with every block). */
export interface FoldedRow {
  height: number;
}

/** The parts of LedgerState other than accounts and records, at the materialised height. */
export type StateRow = Omit<StateChanges, 'accounts' | 'records'>;

export interface LedgerSchema extends DBSchema {
  meta: {
    key: 'chain' | 'head' | 'folded' | 'state';
    value: ChainRow | HeadRow | FoldedRow | StateRow;
  };
  blocks: { key: number; value: BlockRow; indexes: { hash: string } };
  'state-log': { key: number; value: LogRow };
  history: { key: string; value: number[] };
  accounts: { key: string; value: Account };
  records: { key: string; value: Uint8Array };
  signer: {
    key: 'last' | `lock:${string}` | 'keyring';
    value: SignedState | Block | StoredKeyring;
  };
  outbox: {
    key: string;
    value: OutboxEntry;
    indexes: { status: [string, number]; added: number };
  };
  peers: { key: string; value: KnownPeer; indexes: { 'last-seen': number } };
}

export type LedgerDb = IDBPDatabase<LedgerSchema>;
export type LedgerStoreName = StoreNames<LedgerSchema>;
export type LedgerTx<S extends LedgerStoreName[], M extends IDBTransactionMode> = IDBPTransaction<
  LedgerSchema,
  S,
  M
>;

/** Runs every upgrade step from `oldVersion` on; each case falls through to the next. */
export function upgradeLedgerDb(db: IDBPDatabase<LedgerSchema>, oldVersion: number): void {
  switch (oldVersion) {
    case 0: {
      db.createObjectStore('meta');
      const blocks = db.createObjectStore('blocks', { keyPath: 'height' });
      blocks.createIndex('hash', 'hashHex', { unique: true });
      db.createObjectStore('state-log');
      db.createObjectStore('history');
      db.createObjectStore('accounts');
      db.createObjectStore('records');
      db.createObjectStore('signer');
      const outbox = db.createObjectStore('outbox', { keyPath: 'txHash' });
      outbox.createIndex('status', ['fate.status', 'addedMs']);
      outbox.createIndex('added', 'addedMs');
      const peers = db.createObjectStore('peers', { keyPath: 'address' });
      peers.createIndex('last-seen', 'lastSeenMs');
    }
    // Future versions: `case 1: ...` here, falling through in order.
  }
}

export interface DeviceSchema extends DBSchema {
  ledgers: { key: string; value: LedgerEntry; indexes: { added: number } };
  device: { key: 'signing-key' | 'box-key'; value: DeviceKey | BoxKey };
}

export type DeviceDb = IDBPDatabase<DeviceSchema>;

export function upgradeDeviceDb(db: IDBPDatabase<DeviceSchema>, oldVersion: number): void {
  switch (oldVersion) {
    case 0: {
      const ledgers = db.createObjectStore('ledgers', { keyPath: 'chainId' });
      ledgers.createIndex('added', 'addedMs');
      db.createObjectStore('device');
    }
  }
}
