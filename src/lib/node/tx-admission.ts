// Mempool admission: the one rule for letting a signature-checked transaction wait for a block,
// for gossip, other tabs and this device's own submits alike: the core's inclusion rules on the
// committed state (core/execute.ts inclusionError). A tx whose nonce runs ahead of the account
// (earlier ones still in flight) may wait too, and becomes includable when they commit. A tx
// whose body would fail is admitted: included, it uses its nonce and settles as rejected, so
// neither it nor its sender's later txs wait for ever.

import { checkInclusion } from '../core/apply';
import { addressOf, toHex, txHash } from '../core/hash';
import type { LedgerState } from '../core/state';
import type { Tx, TxCode } from '../core/types';
import type { Mempool } from './mempool';

export type Admission =
  | { admitted: true; fresh: boolean }
  | { admitted: false; code: TxCode | 'mempool-full' | 'nonce-taken' | 'too-far-ahead' };

/** `sizeBytes`: the tx's encoded size (as received, or as encoded for gossip). */
export function admitTx(
  state: LedgerState,
  mempool: Mempool,
  tx: Tx,
  sizeBytes: number,
): Admission {
  const result = checkInclusion(state, tx, true);
  if (result.code !== 'ok' && result.code !== 'nonce-gap') {
    return { admitted: false, code: result.code };
  }
  const sender = addressOf(tx.from);
  const outcome = mempool.add(
    { tx, hash: toHex(txHash(tx)), sender, sizeBytes },
    state.accounts.get(sender)?.nonce ?? 0,
  );
  if (outcome.added) return { admitted: true, fresh: true };
  switch (outcome.reason) {
    case 'duplicate':
      return { admitted: true, fresh: false };
    case 'full':
      return { admitted: false, code: 'mempool-full' };
    case 'nonce-too-low':
      return { admitted: false, code: 'nonce-too-low' };
    default:
      return { admitted: false, code: outcome.reason };
  }
}
