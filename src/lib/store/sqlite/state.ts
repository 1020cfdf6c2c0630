// The ledger state on disk: 'accounts' and 'records' rows updated in place by every block, and
// the meta rows 'chain' (chain id and genesis), 'head' and 'state' (the wholesale parts of the
// state at the head). Writes run inside block-writer.ts's transaction; reads take a snapshot.

import type { Statement } from 'better-sqlite3';
import { toHex } from '../../core/hash';
import type { LedgerState, StateChanges } from '../../core/state';
import type { Account, Address, ChainId, Genesis, Hash } from '../../core/types';
import { NotInitializedError } from '../errors';
import { pageLimit } from '../page-limit';
import type { KeyPage } from '../types';
import {
  bytesOf,
  decodeAccount,
  decodeValue,
  encodeAccount,
  encodeValue,
  keyBytes,
  keyOf,
} from './codec';
import type { SqliteConnection } from './connection';

export interface ChainRow {
  chainId: ChainId;
  genesis: Genesis;
}

export interface HeadRow {
  height: number;
  hash: Hash;
}

/** The parts of LedgerState other than accounts and records, at the head. */
export type StateRow = Omit<StateChanges, 'accounts' | 'records'>;

type MetaKey = 'chain' | 'head' | 'state';

export function stateRowOf(state: LedgerState | StateChanges): StateRow {
  return {
    height: state.height,
    lastBlockHash: state.lastBlockHash,
    lastBlockTime: state.lastBlockTime,
    lastValidators: state.lastValidators,
    lastValidatorsSince: state.lastValidatorsSince,
    validators: state.validators,
    nextValidators: state.nextValidators,
    proposals: state.proposals instanceof Map ? [...state.proposals.values()] : state.proposals,
    accumulator: state.accumulator,
    stateRoot: state.stateRoot,
  };
}

export class SqliteState {
  readonly #getMeta: Statement<[MetaKey], { value: Uint8Array }>;
  readonly #putMeta: Statement<[MetaKey, Buffer]>;
  readonly #getAccount: Statement<[Address], { account: string }>;
  readonly #allAccounts: Statement<[], { address: Address; account: string }>;
  readonly #putAccount: Statement<[Address, string]>;
  readonly #deleteAccount: Statement<[Address]>;
  readonly #getRecord: Statement<[Buffer], { value: Uint8Array }>;
  readonly #allRecords: Statement<[], { key: Uint8Array; value: Uint8Array }>;
  readonly #recordsFrom: Statement<[Buffer, number], { key: Uint8Array; value: Uint8Array }>;
  readonly #recordsAfter: Statement<[Buffer, number], { key: Uint8Array; value: Uint8Array }>;
  readonly #putRecord: Statement<[Buffer, Uint8Array]>;
  readonly #deleteRecord: Statement<[Buffer]>;

  constructor(
    private readonly connection: SqliteConnection,
    private readonly chainId: ChainId,
  ) {
    const { db } = connection;
    this.#getMeta = db.prepare('SELECT value FROM meta WHERE key = ?');
    this.#putMeta = db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)');
    this.#getAccount = db.prepare('SELECT account FROM accounts WHERE address = ?');
    this.#allAccounts = db.prepare('SELECT address, account FROM accounts');
    this.#putAccount = db.prepare(
      'INSERT OR REPLACE INTO accounts (address, account) VALUES (?, ?)',
    );
    this.#deleteAccount = db.prepare('DELETE FROM accounts WHERE address = ?');
    this.#getRecord = db.prepare('SELECT value FROM records WHERE key = ?');
    this.#allRecords = db.prepare('SELECT key, value FROM records');
    this.#recordsFrom = db.prepare(
      'SELECT key, value FROM records WHERE key >= ? ORDER BY key LIMIT ?',
    );
    this.#recordsAfter = db.prepare(
      'SELECT key, value FROM records WHERE key > ? ORDER BY key LIMIT ?',
    );
    this.#putRecord = db.prepare('INSERT OR REPLACE INTO records (key, value) VALUES (?, ?)');
    this.#deleteRecord = db.prepare('DELETE FROM records WHERE key = ?');
  }

  chain(): ChainRow | null {
    const row = this.#getMeta.get('chain');
    return row ? decodeValue<ChainRow>(row.value) : null;
  }

  head(): HeadRow | null {
    const row = this.#getMeta.get('head');
    return row ? decodeValue<HeadRow>(row.value) : null;
  }

  stateRow(): StateRow | null {
    const row = this.#getMeta.get('state');
    return row ? decodeValue<StateRow>(row.value) : null;
  }

  /** Inside a write transaction: genesis, its state and a head at 0. */
  writeGenesis(genesis: Genesis, state: LedgerState, zeroHash: Hash): void {
    this.#putMeta.run('chain', encodeValue({ chainId: this.chainId, genesis } satisfies ChainRow));
    this.#putMeta.run('head', encodeValue({ height: 0, hash: zeroHash } satisfies HeadRow));
    this.#putMeta.run('state', encodeValue(stateRowOf(state)));
    for (const [address, account] of state.accounts) {
      this.#putAccount.run(address, encodeAccount(account));
    }
    for (const [key, value] of state.records) {
      if (value !== null) this.#putRecord.run(keyBytes(key), value);
    }
  }

  /** Inside a write transaction: one block's changes (its touched rows and the state row). */
  applyChanges(changes: StateChanges): void {
    for (const [address, account] of changes.accounts) {
      if (account === null) this.#deleteAccount.run(address);
      else this.#putAccount.run(address, encodeAccount(account));
    }
    for (const [key, value] of changes.records) {
      if (value === null) this.#deleteRecord.run(keyBytes(key));
      else this.#putRecord.run(keyBytes(key), value);
    }
  }

  /** Inside a write transaction: the head and the wholesale state parts after the last block. */
  moveHead(last: StateChanges): void {
    this.#putMeta.run('state', encodeValue(stateRowOf(last)));
    this.#putMeta.run(
      'head',
      encodeValue({ height: last.height, hash: last.lastBlockHash } satisfies HeadRow),
    );
  }

  /**
   * The head state without its records (the node reads the ones a block touches), or with all
   * of them (`withRecords`: the integrity check after an unclean shutdown recomputes the root).
   */
  loadState(withRecords = false): LedgerState | null {
    return this.connection.read(() => {
      const row = this.stateRow();
      if (!row) return null;
      const accounts = new Map<Address, Account>();
      for (const row of this.#allAccounts.iterate()) {
        accounts.set(row.address, decodeAccount(row.account));
      }
      const records = new Map<string, Uint8Array | null>();
      if (withRecords) {
        for (const { key, value } of this.#allRecords.iterate()) {
          records.set(keyOf(key), bytesOf(value));
        }
      }
      return {
        chainId: this.chainId,
        height: row.height,
        lastBlockHash: row.lastBlockHash,
        lastBlockTime: row.lastBlockTime,
        accounts,
        records,
        recordsComplete: withRecords,
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

  account(address: Address): Account | null {
    return this.connection.read(() => {
      this.#initialized();
      const row = this.#getAccount.get(address);
      return row ? decodeAccount(row.account) : null;
    });
  }

  record(fullKey: string): Uint8Array | null {
    return this.connection.read(() => {
      this.#initialized();
      const row = this.#getRecord.get(keyBytes(fullKey));
      return row ? bytesOf(row.value) : null;
    });
  }

  /** Records whose full key starts with `prefix`, in key order, strictly after `afterKey`. */
  records(prefix: string, page: KeyPage): Array<[string, Uint8Array]> {
    const limit = pageLimit(page.limit);
    return this.connection.read(() => {
      this.#initialized();
      if (limit === 0) return [];
      const after = page.afterKey !== undefined && page.afterKey >= prefix;
      // Keys that start with `prefix` sort together from `prefix` on: the first key past them
      // ends the page.
      const rows = after
        ? this.#recordsAfter.all(keyBytes(page.afterKey!), limit)
        : this.#recordsFrom.all(keyBytes(prefix), limit);
      const out: Array<[string, Uint8Array]> = [];
      for (const row of rows) {
        const key = keyOf(row.key);
        if (!key.startsWith(prefix)) break;
        out.push([key, bytesOf(row.value)]);
      }
      return out;
    });
  }

  #initialized(): void {
    if (!this.#getMeta.get('head')) throw new NotInitializedError(this.chainId);
  }
}
