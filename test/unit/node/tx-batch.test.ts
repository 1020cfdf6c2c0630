import { describe, expect, it } from 'vitest';
import { genesisState } from '../../../src/lib/core/genesis';
import { chainIdOf, toHex } from '../../../src/lib/core/hash';
import { DecodeError, encodeTx, encodeValue } from '../../../src/lib/core/encoding';
import type { Tx } from '../../../src/lib/core/types';
import { webCryptoVerifier } from '../../../src/lib/crypto/index';
import { TX_BATCH_TXS_MAX } from '../../../src/lib/net/limits';
import { createGossipValidator } from '../../../src/lib/node/gossip-validator';
import { chunks, decodeTxBatch, encodeTxBatch } from '../../../src/lib/node/wire';
import { addressOfKey, makeGenesis, newKeys, signTx } from '../../support/fixtures';

async function setup() {
  const keys = await newKeys(2);
  const genesis = makeGenesis(keys.slice(0, 1));
  const chainId = chainIdOf(genesis);
  const state = genesisState(genesis);
  const to = addressOfKey(keys[1]!);
  const transfer = (nonce: number, chain = chainId): Promise<Tx> =>
    signTx(keys[0]!, { chainId: chain, nonce, kind: 'transfer', body: { to, amount: 1 } });
  const validate = createGossipValidator({
    state: () => state,
    verifier: webCryptoVerifier(),
    onAhead: () => undefined,
  });
  return { transfer, validate };
}

describe('tx batches (the tx gossip payload)', () => {
  it('round-trip 1 to TX_BATCH_TXS_MAX txs, keeping each tx as sent', async () => {
    const { transfer } = await setup();
    const txs = await Promise.all([0, 1, 2].map((nonce) => transfer(nonce)));
    const bytes = txs.map((tx) => encodeTx(tx));
    const batch = decodeTxBatch(encodeTxBatch(bytes));
    expect(batch.txs).toEqual(txs);
    expect(batch.txBytes.map(toHex)).toEqual(bytes.map(toHex));
  });

  it('refuse an empty batch, a batch too long, and items that are not byte strings', () => {
    expect(() => encodeTxBatch([])).toThrow(RangeError);
    const tooMany = Array.from({ length: TX_BATCH_TXS_MAX + 1 }, () => new Uint8Array(1));
    expect(() => encodeTxBatch(tooMany)).toThrow(RangeError);
    for (const value of [[], tooMany, [1, 2], 'tx', [new Uint8Array([1])]]) {
      expect(() => decodeTxBatch(encodeValue(value))).toThrow(DecodeError);
    }
  });

  it('are accepted at the edge only when every signature verifies and the chain matches', async () => {
    const { transfer, validate } = await setup();
    const good = await Promise.all([0, 1, 2].map((nonce) => transfer(nonce)));
    const payload = (txs: Tx[]) => encodeTxBatch(txs.map((tx) => encodeTx(tx)));
    expect(await validate('tx', payload(good), 'peer')).toMatchObject({ result: 'accept' });

    const forged = { ...good[1]!, body: { ...good[1]!.body, amount: 2 } } as Tx;
    expect(await validate('tx', payload([good[0]!, forged, good[2]!]), 'peer')).toEqual({
      result: 'reject',
      reason: 'bad-signature',
    });
    const otherChain = await transfer(3, 'ab'.repeat(32));
    expect(await validate('tx', payload([good[0]!, otherChain]), 'peer')).toEqual({
      result: 'reject',
      reason: 'wrong-chain',
    });
    expect(await validate('tx', encodeValue([]), 'peer')).toEqual({
      result: 'reject',
      reason: 'decode-bad-shape',
    });
  });

  it('chunks split a list into runs of at most the size', () => {
    expect(chunks([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunks([], 3)).toEqual([]);
  });
});

describe('tx batches at the edge: the inclusion rules', () => {
  it("reject an outsider's writes (no account, not a validator) and ignore committed ones", async () => {
    const keys = await newKeys(2);
    const genesis = makeGenesis(keys.slice(0, 1));
    const state = genesisState(genesis);
    const validate = createGossipValidator({
      state: () => state,
      verifier: webCryptoVerifier(),
      onAhead: () => undefined,
    });
    const outsider = keys[1]!;
    const spam = await signTx(outsider, {
      chainId: state.chainId,
      nonce: 0,
      kind: 'put',
      body: { key: 'spam', value: new Uint8Array(100) },
    });
    expect(await validate('tx', encodeTxBatch([encodeTx(spam)]), 'peer')).toEqual({
      result: 'reject',
      reason: 'tx-unknown-sender',
    });
    // The validator (a known sender) at a nonce the state has used already: a stale resubmit.
    const validator = keys[0]!;
    state.accounts.set(addressOfKey(validator), { balance: 0, nonce: 3 });
    const stale = await signTx(validator, {
      chainId: state.chainId,
      nonce: 2,
      kind: 'put',
      body: { key: 'k', value: new Uint8Array(1) },
    });
    expect(await validate('tx', encodeTxBatch([encodeTx(stale)]), 'peer')).toEqual({
      result: 'ignore',
      reason: 'already-committed',
    });
  });
});
