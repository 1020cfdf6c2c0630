// A small real chain for store tests: TestChain's signed blocks and commits, plus each block's
// StateChanges and results obtained the way a full node gets them (applyBlock on a replica).

import {
  applyBlock,
  applyChanges,
  blockHash,
  blockSignatureChecks,
  type LedgerState,
  type Tx,
} from '../../src/lib/core/index';
import { STATE_LOG_BLOCKS_MAX } from '../../src/lib/store/limits';
import type { BlockToApply } from '../../src/lib/store/types';
import { addressOfKey, TestChain, verifyAll } from './fixtures';

export interface StoreChain {
  chain: TestChain;
  /** Entry i applies block i + 1. */
  entries: BlockToApply[];
  /** stateRoots[i]: the state root after block i + 1. */
  stateRoots: Uint8Array[];
  /** The state after every entry was applied. */
  finalState: LedgerState;
  /** The tx at block 3 that fails (insufficient-balance), and a tx that succeeds in block 1. */
  failingTx: Tx;
  okTx: Tx;
}

/**
 * Replays a chain's blocks on a fresh genesis state, returning what a node would persist. The
 * verdicts are real signature checks, so this also proves the fixture blocks are valid.
 */
export async function replay(
  chain: TestChain,
): Promise<{ entries: BlockToApply[]; state: LedgerState }> {
  const state = chain.freshState();
  const entries: BlockToApply[] = [];
  for (const [i, block] of chain.blocks.entries()) {
    const verdicts = await verifyAll(blockSignatureChecks(state, block));
    const { changes, results } = applyBlock(state, block, verdicts);
    applyChanges(state, changes);
    entries.push({ block, commit: chain.commits[i]!, changes, results });
  }
  return { entries, state };
}

/** Blocks: 1-3 with transfers and records (block 3 is a failing tx), then empty blocks, with
 *  a transfer every 10 blocks, up to `blocks` (two folds of the state log and a few blocks more by default). */
export async function buildStoreChain(blocks = 2 * STATE_LOG_BLOCKS_MAX + 6): Promise<StoreChain> {
  const chain = await TestChain.create({ validators: 4, accounts: 2, balance: 1_000 });
  const alice = chain.accounts[0]!;
  const bob = chain.accounts[1]!;
  const okTx = await chain.transfer(alice, bob, 100);
  await chain.addBlock({
    txs: [
      okTx,
      await chain.tx(alice, 'put', { key: 'greeting', value: new Uint8Array([104, 105]) }),
      await chain.tx(bob, 'put', { key: 'x', value: new Uint8Array([1, 2]) }),
      await chain.tx(alice, 'put', { key: 'note', value: new Uint8Array([7]) }),
    ],
  });
  await chain.addBlock({
    txs: [
      await chain.transfer(bob, alice, 5),
      await chain.tx(alice, 'delete', { key: 'greeting' }),
    ],
  });
  // Alone in its block: a failed tx does not use its nonce, so a later tx of alice would fail.
  const failingTx = await chain.transfer(alice, bob, 1_000_000);
  await chain.addBlock({ txs: [failingTx] });
  for (let height = 4; height <= blocks; height++) {
    const txs = height % 10 === 0 ? [await chain.transfer(alice, addressOfKey(bob), height)] : [];
    await chain.addBlock({ txs });
  }
  const { entries, state: last } = await replay(chain);
  if (!sameBytes(blockHash(chain.blocks.at(-1)!), last.lastBlockHash)) {
    throw new Error('replay disagrees with the fixture chain');
  }
  return {
    chain,
    entries,
    stateRoots: entries.map((entry) => entry.changes.stateRoot),
    finalState: last,
    failingTx,
    okTx,
  };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/** The state root recomputed from a state's contents (the store's own check, shared). */
export { recomputeStateRoot } from '../../src/lib/store/state-root';
