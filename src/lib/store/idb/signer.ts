// The 'signer' object store: 'last' -> the last signed (height, round, step) with its lock, and
// 'lock:<block hash hex>' -> the locked block, written once per lock rather than with every
// vote. save() is strict (on disk before it resolves) and read back; the vote log is best effort.

import type { SignedState, SignerStateStore } from '../../consensus/types';
import { toHex } from '../../core/hash';
import type { Block, Hash } from '../../core/types';
import { SignerReadBackError } from '../errors';
import { checkSignerAdvance, sameSignedState } from '../ledger-rules';
import type { AnyTx, Durability, IdbTransactions } from './transaction';

const LOCK_KEY_PREFIX = 'lock:';

function lockKey(blockHash: Hash): `lock:${string}` {
  return `${LOCK_KEY_PREFIX}${toHex(blockHash)}`;
}

/** The signer state with its locked block put back (see putSigned). */
async function loadSigned(tx: AnyTx): Promise<SignedState | null> {
  const last = (await tx.objectStore('signer').get('last')) as SignedState | undefined;
  if (!last?.lock || last.lock.block) return last ?? null;
  const block = await tx.objectStore('signer').get(lockKey(last.lock.blockHash));
  return block ? { ...last, lock: { ...last.lock, block: block as Block } } : last;
}

/**
 * Writes the signer state unless it would regress what is stored. The locked block goes under
 * its own key, written when the lock changes: a state is saved with every signature and vote,
 * and carrying a block of hundreds of txs each time (and reading it back) made the signer's
 * writes the slowest step of a height.
 */
async function putSigned(tx: AnyTx, state: SignedState): Promise<void> {
  const { lock } = state;
  const slim: SignedState = lock?.block
    ? { ...state, lock: { round: lock.round, blockHash: lock.blockHash } }
    : state;
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
}

export function idbSignerState(transactions: IdbTransactions): SignerStateStore {
  const put = (state: SignedState, durability: Durability) =>
    transactions.run(['signer'], 'readwrite', (tx) => putSigned(tx, state), durability);
  return {
    load: () => transactions.run(['signer'], 'readonly', loadSigned),
    async save(state) {
      // 'strict': the promise resolves only once the write is on disk, so a crash right after
      // cannot forget a signature that already left the node.
      await put(state, 'strict');
      const back = await transactions.run(['signer'], 'readonly', (tx) =>
        tx.objectStore('signer').get('last'),
      );
      if (!sameSignedState((back as SignedState | undefined) ?? null, state)) {
        throw new SignerReadBackError();
      }
    },
    // The vote log is best effort: 'relaxed' (no wait for the disk) and no read-back, so it
    // does not hold up the strict write of the next signature behind it.
    saveVotes: (state) => put(state, 'relaxed'),
  };
}
