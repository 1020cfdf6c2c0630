// The 'signer' table: 'last' -> the last signed (height, round, step) with its lock, and
// 'lock:<block hash hex>' -> the locked block, written once per lock rather than with every
// vote. save() commits with fsync (synchronous=FULL) and reads the state back before it
// resolves, so a kill -9 or a power cut right after can never forget a signature that left.

import type { Statement } from 'better-sqlite3';
import type { SignedState, SignerStateStore } from '../../consensus/types';
import { toHex } from '../../core/hash';
import type { Block, Hash } from '../../core/types';
import { SignerReadBackError } from '../errors';
import { checkSignerAdvance, sameSignedState } from '../ledger-rules';
import { decodeValue, encodeValue } from './codec';
import type { Durability, SqliteConnection } from './connection';

const LOCK_KEY_PREFIX = 'lock:';

function lockKey(blockHash: Hash): string {
  return `${LOCK_KEY_PREFIX}${toHex(blockHash)}`;
}

export class SqliteSigner implements SignerStateStore {
  readonly #get: Statement<[string], { value: Uint8Array }>;
  readonly #put: Statement<[string, Buffer]>;
  readonly #dropLocks: Statement<[string, string]>;

  constructor(private readonly connection: SqliteConnection) {
    const { db } = connection;
    this.#get = db.prepare('SELECT value FROM signer WHERE key = ?');
    this.#put = db.prepare('INSERT OR REPLACE INTO signer (key, value) VALUES (?, ?)');
    this.#dropLocks = db.prepare('DELETE FROM signer WHERE key >= ? AND key < ?');
  }

  #last(): SignedState | null {
    const row = this.#get.get('last');
    return row ? decodeValue<SignedState>(row.value) : null;
  }

  // Arrow properties: callers may take these methods off the store.

  /** The signer state with its locked block put back. */
  readonly load = async (): Promise<SignedState | null> =>
    this.connection.read(() => {
      const last = this.#last();
      if (!last?.lock || last.lock.block) return last;
      const block = this.#get.get(lockKey(last.lock.blockHash));
      return block
        ? { ...last, lock: { ...last.lock, block: decodeValue<Block>(block.value) } }
        : last;
    });

  readonly save = async (state: SignedState): Promise<void> => {
    this.#store(state, 'strict');
    const back = this.connection.read(() => this.#last());
    if (!sameSignedState(back, state)) throw new SignerReadBackError();
  };

  /** The vote log is best effort: no fsync and no read-back (it must not slow the next save). */
  readonly saveVotes = async (state: SignedState): Promise<void> => {
    this.#store(state, 'relaxed');
  };

  /**
   * Writes the state unless it would regress what is stored. The locked block goes under its
   * own key when the lock changes: a state is saved with every signature and vote, and carrying
   * a block of hundreds of txs each time would make every save that much slower.
   */
  #store(state: SignedState, durability: Durability): void {
    const { lock } = state;
    const slim: SignedState = lock?.block
      ? { ...state, lock: { round: lock.round, blockHash: lock.blockHash } }
      : state;
    this.connection.write(durability, () => {
      checkSignerAdvance(this.#last(), state);
      if (lock?.block) {
        const key = lockKey(lock.blockHash);
        if (!this.#get.get(key)) {
          this.#dropLocks.run(LOCK_KEY_PREFIX, `${LOCK_KEY_PREFIX}\uffff`);
          this.#put.run(key, encodeValue(lock.block));
        }
      }
      this.#put.run('last', encodeValue(slim));
    });
  }
}
