// The 'meta' object store: which chain this database holds (with its genesis) and where the
// head is. The head row moves with every block write (block-writer.ts); the state rows under
// 'state' and 'folded' belong to the state log (state-log.ts).

import { ZERO_HASH } from '../../core/hash';
import type { LedgerState } from '../../core/state';
import type { ChainId, Genesis } from '../../core/types';
import { ChainMismatchError } from '../errors';
import type { ChainRow, FoldedRow, HeadRow, LedgerStoreName } from '../idb-schema';
import type { LedgerMeta } from '../types';
import { stateRowOf } from './state-log';
import type { AnyTx } from './transaction';

export const INITIALIZE_STORES: LedgerStoreName[] = ['meta', 'accounts', 'records'];

/** Writes the genesis, its state and a head at 0, unless the chain is there already. */
export async function writeGenesis(
  tx: AnyTx,
  chainId: ChainId,
  genesis: Genesis,
  genesisState: LedgerState,
): Promise<void> {
  const meta = tx.objectStore('meta');
  const chain = (await meta.get('chain')) as ChainRow | undefined;
  if (chain) {
    if (chain.chainId !== chainId) throw new ChainMismatchError(chainId, chain.chainId);
    return;
  }
  const writes: Promise<unknown>[] = [
    meta.put({ chainId, genesis } satisfies ChainRow, 'chain'),
    meta.put({ height: 0, hash: ZERO_HASH } satisfies HeadRow, 'head'),
    meta.put({ height: 0 } satisfies FoldedRow, 'folded'),
    meta.put(stateRowOf(genesisState), 'state'),
  ];
  const accounts = tx.objectStore('accounts');
  for (const [address, account] of genesisState.accounts) {
    writes.push(accounts.put(account, address));
  }
  const records = tx.objectStore('records');
  for (const [key, value] of genesisState.records) {
    if (value !== null) writes.push(records.put(value, key));
  }
  await Promise.all(writes);
}

export async function readMeta(tx: AnyTx): Promise<LedgerMeta | null> {
  const meta = tx.objectStore('meta');
  const [chain, head] = await Promise.all([
    meta.get('chain') as Promise<ChainRow | undefined>,
    meta.get('head') as Promise<HeadRow | undefined>,
  ]);
  if (!chain || !head) return null;
  return {
    chainId: chain.chainId,
    genesis: chain.genesis,
    headHeight: head.height,
    headHash: head.hash,
  };
}
