// The explorer's search against a real chain in the memory store: heights, block hashes,
// transaction hashes (own outbox first, then the latest blocks), addresses, and text that is
// none of these.
import { beforeAll, describe, expect, test } from 'vitest';
import { toHex } from '../../../src/lib/core/bytes';
import { blockHash, txHash } from '../../../src/lib/core/hash';
import { searchLedger } from '../../../src/lib/node/search';
import { createMemoryLedgerStore } from '../../../src/lib/store/memory-ledger-store';
import type { LedgerStore } from '../../../src/lib/store/types';
import { addressOfKey } from '../../support/fixtures';
import { buildStoreChain, type StoreChain } from '../../support/store-chain';

let fx: StoreChain;
let store: LedgerStore;
let head: number;

beforeAll(async () => {
  fx = await buildStoreChain(12);
  store = createMemoryLedgerStore(fx.chain.chainId);
  await store.initialize(fx.chain.genesis, fx.chain.freshState());
  await store.applyBlocks(fx.entries);
  head = fx.entries.length;
});

describe('search', () => {
  test('a height on this device is a block; one beyond the head is nothing', async () => {
    expect(await searchLedger(store, head, ' 3 ')).toEqual({ kind: 'block', height: 3 });
    expect(await searchLedger(store, head, String(head + 1))).toEqual({
      kind: 'none',
      searchedBlocks: 0,
    });
  });

  test('a block hash (any case, 0x or not) is its block', async () => {
    const hash = toHex(blockHash(fx.chain.blocks[1]!));
    expect(await searchLedger(store, head, `0x${hash.toUpperCase()}`)).toEqual({
      kind: 'block',
      height: 2,
    });
  });

  test('a transaction hash is found in the block that holds it', async () => {
    expect(await searchLedger(store, head, toHex(txHash(fx.okTx)))).toEqual({
      kind: 'tx',
      hash: toHex(txHash(fx.okTx)),
      height: 1,
    });
  });

  test('an address with an account is that account', async () => {
    const alice = addressOfKey(fx.chain.accounts[0]!);
    expect(await searchLedger(store, head, alice)).toEqual({ kind: 'account', address: alice });
    expect(await searchLedger(store, head, 'f'.repeat(40))).toEqual({
      kind: 'none',
      searchedBlocks: 0,
    });
  });

  test('an unknown hash says how far back it looked; other text is not understood', async () => {
    expect(await searchLedger(store, head, 'e'.repeat(64))).toEqual({
      kind: 'none',
      searchedBlocks: head,
    });
    expect(await searchLedger(store, head, 'hello')).toEqual({ kind: 'not-understood' });
  });
});
