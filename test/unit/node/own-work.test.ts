// A device's own overspend and a transaction that cannot go into a block yet: the first is
// refused before it is signed, with its reason; the second never makes the ledger produce
// blocks (empty blocks without end, 120 a second, was what a nonce-gapped tx caused).
import { afterEach, describe, expect, test } from 'vitest';
import { encodeTx } from '../../../src/lib/core/encoding';
import { genesisState } from '../../../src/lib/core/genesis';
import { chainIdOf } from '../../../src/lib/core/hash';
import { cachingVerifier, webCryptoSigner, webCryptoVerifier } from '../../../src/lib/crypto/index';
import { MemoryHub, MemoryNetwork } from '../../../src/lib/net/memory-network';
import { ManualClock } from '../../../src/lib/node/clock';
import { FullNode, TxRejectedError } from '../../../src/lib/node/full-node';
import { encodeTxBatch } from '../../../src/lib/node/wire';
import { createMemoryLedgerStore } from '../../../src/lib/store/memory-ledger-store';
import {
  addressOfKey,
  makeGenesis,
  newKeys,
  signTx,
  type SigningKey,
} from '../../support/fixtures';

const running: FullNode[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((node) => node.stop()));
});

/** A one-validator ledger on a manual clock (nothing happens unless the test moves time). */
async function ledger(balance: number) {
  const keys = await newKeys(2);
  const genesis = makeGenesis(keys.slice(0, 1), {
    balances: keys.map((key) => ({ address: addressOfKey(key), amount: balance })),
  });
  const chainId = chainIdOf(genesis);
  const store = createMemoryLedgerStore(chainId);
  await store.initialize(genesis, genesisState(genesis));
  const clock = new ManualClock(genesis.time + 1_000);
  const hub = new MemoryHub();
  const node = new FullNode(
    { ledgerName: 'own work', timeouts: { heartbeatMs: 0 } },
    {
      store,
      createNetwork: ({ validator, blocks }) =>
        new MemoryNetwork('node', chainId, { hub, blocks, validator }),
      signer: webCryptoSigner(keys[0] as SigningKey),
      verifier: cachingVerifier(webCryptoVerifier()),
      clock,
      timers: clock,
    },
  );
  running.push(node);
  await node.start();
  const peer = new MemoryNetwork('peer', chainId, {
    hub,
    blocks: {
      status: () => ({ chainId, height: 0, headHash: new Uint8Array(32) }),
      getBlocks: async () => [],
    },
  });
  await peer.start();
  hub.linkAll();
  return { node, keys, chainId, clock, peer };
}

/** Let every queued task and timer due by now run. */
async function quiet(node: FullNode): Promise<void> {
  for (let i = 0; i < 20; i++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    await node.settled();
  }
}

describe("a device's own work", () => {
  test('an overspend is refused before signing, with its reason, and takes no nonce', async () => {
    const { node, keys } = await ledger(1_000);
    const to = addressOfKey(keys[1]!);
    await expect(node.transfer(to, 5_000)).rejects.toMatchObject({
      name: 'TxRejectedError',
      code: 'insufficient-balance',
    });
    // Pending txs count: 900 is fine, then 200 more is not (only 100 would be left).
    const first = await node.transfer(to, 900);
    expect(first.nonce).toBe(0);
    await expect(node.transfer(to, 200)).rejects.toBeInstanceOf(TxRejectedError);
    const second = await node.transfer(to, 100);
    expect(second.nonce).toBe(1);
    expect((await node.activity()).map((entry) => entry.nonce).sort()).toEqual([0, 1]);
  });

  test('a tx waiting behind a missing nonce makes no block, however long', async () => {
    const { node, keys, chainId, clock, peer } = await ledger(1_000);
    const sender = keys[1]!;
    // Nonce 1 while the sender's next is 0: it may wait in the mempool, but no block can carry it.
    const gapped = await signTx(sender, {
      chainId,
      nonce: 1,
      kind: 'transfer',
      body: { to: addressOfKey(keys[0]!), amount: 1 },
    });
    await peer.publish('tx', encodeTxBatch([encodeTx(gapped)]));
    await quiet(node);
    expect(node.parts.mempool.size).toBe(1);
    for (let i = 0; i < 10; i++) {
      clock.advance(5_000);
      await quiet(node);
    }
    expect(node.status.height).toBe(0);
    // Its predecessor arrives: one block carries both.
    const first = await signTx(sender, {
      chainId,
      nonce: 0,
      kind: 'transfer',
      body: { to: addressOfKey(keys[0]!), amount: 1 },
    });
    await peer.publish('tx', encodeTxBatch([encodeTx(first)]));
    await quiet(node);
    clock.advance(1);
    await quiet(node);
    expect(node.status.height).toBe(1);
    expect(node.parts.mempool.size).toBe(0);
  });
});
