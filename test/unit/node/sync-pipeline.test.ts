// Range sync pipelined (docs/network.md, "Range sync in the node"): the driver fetches ahead
// within its bound and hands batches over twice (prepare, verifyBatch); signatures started
// ahead answer only identical checks; and a full node still rejects a bad block mid-batch,
// committing exactly the blocks before it, with or without a verify pool.
import { afterEach, describe, expect, test } from 'vitest';
import { encodeBlock, encodeCommit } from '../../../src/lib/core/encoding';
import { toHex } from '../../../src/lib/core/hash';
import { txSignBytes, type SignatureCheck, type Verifier } from '../../../src/lib/core/signing';
import { webCryptoSigner, webCryptoVerifier } from '../../../src/lib/crypto/index';
import { SYNC_BATCH_BLOCKS_MAX, SYNC_FETCH_AHEAD_BATCHES } from '../../../src/lib/net/limits';
import { MemoryHub, MemoryNetwork } from '../../../src/lib/net/memory-network';
import type { EncodedBlock } from '../../../src/lib/net/network';
import { syncRange, type SyncSession } from '../../../src/lib/net/sync-driver';
import { systemClock, systemTimers } from '../../../src/lib/node/clock';
import { FullNode } from '../../../src/lib/node/full-node';
import { VerifyAhead } from '../../../src/lib/node/sync-pipeline';
import { SYNC_POOL_BLOCKS_MIN } from '../../../src/lib/node/params';
import type { SignatureBatchVerifier } from '../../../src/lib/node/verify';
import { createMemoryLedgerStore } from '../../../src/lib/store/memory-ledger-store';
import { arraySource } from '../../integration/support/net-fixtures';
import { newKeys, TestChain } from '../../support/fixtures';
import type { SigningKey } from '../../../src/lib/crypto/index';

function countingVerifier(): Verifier & { calls: number } {
  const inner = webCryptoVerifier();
  const counted = {
    calls: 0,
    verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) {
      counted.calls += 1;
      return inner.verify(publicKey, message, signature);
    },
  };
  return counted;
}

describe('VerifyAhead', () => {
  test('a check started ahead is answered by that verification; any other is verified anew', async () => {
    const chain = await TestChain.create({ validators: 1, accounts: 1 });
    const tx = await chain.transfer(chain.accounts[0]!, chain.validatorKeys[0]!, 1);
    const check: SignatureCheck = {
      publicKey: tx.from,
      message: txSignBytes(tx),
      signature: tx.signature,
    };
    const inner = countingVerifier();
    const ahead = new VerifyAhead(inner);
    ahead.start([check, { ...check }]);
    expect(inner.calls).toBe(1);
    expect(await ahead.verifier.verify(check.publicKey, check.message, check.signature)).toBe(true);
    expect(inner.calls).toBe(1);
    // Same signature, other message or other key: not the check that was started.
    const otherMessage = Uint8Array.from(check.message);
    otherMessage[0] = (otherMessage[0] as number) ^ 1;
    expect(await ahead.verifier.verify(check.publicKey, otherMessage, check.signature)).toBe(false);
    const otherKey = chain.validatorKeys[0]!.publicKey;
    expect(await ahead.verifier.verify(otherKey, check.message, check.signature)).toBe(false);
    expect(inner.calls).toBe(3);
  });

  test('with a batch verifier, started checks go to it in one call', async () => {
    const inner = countingVerifier();
    const batches: number[] = [];
    const batch: SignatureBatchVerifier = {
      async verifyBatch(checks) {
        batches.push(checks.length);
        return checks.map((_, i) => i % 2 === 0);
      },
    };
    const ahead = new VerifyAhead(inner, batch);
    const checks = [1, 2, 3].map((n) => ({
      publicKey: new Uint8Array(32).fill(n),
      message: new Uint8Array([n]),
      signature: new Uint8Array(64).fill(n),
    }));
    ahead.start(checks);
    const verdicts = await Promise.all(
      checks.map((c) => ahead.verifier.verify(c.publicKey, c.message, c.signature)),
    );
    expect(batches).toEqual([3]);
    expect(verdicts).toEqual([true, false, true]);
    expect(inner.calls).toBe(0);
  });
});

describe('sync driver', () => {
  const blocks = (from: number, to: number): EncodedBlock[] =>
    Array.from({ length: to - from + 1 }, (_, i) => ({
      height: from + i,
      block: new Uint8Array([1]),
      commit: new Uint8Array([2]),
    }));

  test('fetches ahead within its bound, prepares each batch on arrival, verifies in order', async () => {
    const to = SYNC_BATCH_BLOCKS_MAX * 4;
    const log: string[] = [];
    let outstanding = 0;
    let outstandingMax = 0;
    const session: SyncSession = {
      async fetch(from, end) {
        outstanding += 1;
        outstandingMax = Math.max(outstandingMax, outstanding);
        await new Promise((resolve) => setTimeout(resolve, 1));
        log.push(`fetched ${from}`);
        outstanding -= 1;
        return blocks(from, end);
      },
      close() {},
    };
    const result = await syncRange(
      1,
      to,
      {
        verify: async () => ({ ok: false, reason: 'unused' }),
        prepare: (batch) => void log.push(`prepare ${batch[0]?.height}`),
        verifyBatch: async (batch) => {
          log.push(`verify ${batch[0]?.height}`);
          // Slow verification: the next batch must already be on its way meanwhile.
          await new Promise((resolve) => setTimeout(resolve, 20));
          return { verified: batch.length };
        },
      },
      { candidates: () => ['p'], open: async () => session },
    );
    expect(result).toMatchObject({ complete: true, height: to, blocks: to, peers: ['p'] });
    expect(outstandingMax).toBe(1);
    const starts = [0, 1, 2, 3].map((i) => 1 + i * SYNC_BATCH_BLOCKS_MAX);
    for (const start of starts) {
      expect(log.indexOf(`prepare ${start}`)).toBeLessThan(log.indexOf(`verify ${start}`));
    }
    // While batch k is verified, batch k + 1 arrives (SYNC_FETCH_AHEAD_BATCHES = 1).
    expect(SYNC_FETCH_AHEAD_BATCHES).toBe(1);
    expect(log.indexOf(`fetched ${starts[1]}`)).toBeLessThan(log.indexOf(`verify ${starts[1]}`));
    expect(log.indexOf(`fetched ${starts[1]}`)).toBeGreaterThan(log.indexOf(`verify ${starts[0]}`));
  });

  test('a batch verified only in part drops that peer and resumes after the verified prefix', async () => {
    const asked: string[] = [];
    const session = (peer: string): SyncSession => ({
      async fetch(from, end) {
        asked.push(`${peer}:${from}`);
        return blocks(from, end);
      },
      close() {},
    });
    const result = await syncRange(
      1,
      100,
      {
        verify: async () => ({ ok: false, reason: 'unused' }),
        verifyBatch: async (batch) =>
          batch[0]?.height === 1
            ? { verified: 10, reason: 'invalid-block' }
            : { verified: batch.length },
      },
      { candidates: () => ['bad', 'good'], open: async (peer) => session(peer) },
    );
    expect(result).toMatchObject({ complete: true, height: 100, peers: ['bad', 'good'] });
    expect(result.failures).toEqual([{ peerId: 'bad', reason: 'invalid block 11: invalid-block' }]);
    expect(asked.filter((a) => a.startsWith('good'))[0]).toBe('good:11');
  });
});

describe('full node range sync', () => {
  const running: FullNode[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((node) => node.stop()));
  });

  async function servedChain(blocks: number, badCommitAt: number) {
    const chain = await TestChain.create({ validators: 4, accounts: 2 });
    await chain.addBlocks(blocks, async (i) =>
      i % 3 === 0 ? [await chain.transfer(chain.accounts[0]!, chain.accounts[1]!, 1)] : [],
    );
    const encoded = chain.blocks.map((block, i) => ({
      height: block.header.height,
      block: encodeBlock(block),
      commit: encodeCommit(chain.commits[i]!),
    }));
    // One precommit signature of that block's commit does not verify.
    const commit = structuredClone(chain.commits[badCommitAt - 1]!);
    const slot = commit.signatures[1]!;
    if (slot.kind === 'absent') throw new Error('fixture: slot 1 signed');
    slot.signature[0] = (slot.signature[0] as number) ^ 1;
    encoded[badCommitAt - 1] = { ...encoded[badCommitAt - 1]!, commit: encodeCommit(commit) };
    return { chain, encoded };
  }

  async function syncFrom(
    served: { chain: TestChain; encoded: EncodedBlock[] },
    pool: SignatureBatchVerifier | null,
    verifier: Verifier = webCryptoVerifier(),
  ) {
    const { chain, encoded } = served;
    const hub = new MemoryHub();
    const server = new MemoryNetwork('server', chain.chainId, {
      hub,
      blocks: arraySource(chain.chainId, encoded),
    });
    await server.start();
    const store = createMemoryLedgerStore(chain.chainId);
    await store.initialize(chain.genesis, chain.freshState());
    const [key] = await newKeys(1);
    const opened: string[] = [];
    const node = new FullNode(
      { ledgerName: 'sync' },
      {
        store,
        createNetwork: ({ validator, blocks }) =>
          new MemoryNetwork('node', chain.chainId, { hub, blocks, validator }),
        signer: webCryptoSigner(key!),
        verifier,
        clock: systemClock,
        timers: systemTimers,
        openVerifyPool: () => {
          opened.push('open');
          return pool && { verifyBatch: (checks) => pool.verifyBatch(checks), close() {} };
        },
      },
    );
    await node.start();
    running.push(node);
    hub.linkAll();
    return { node, store, opened, stop: () => server.stop() };
  }

  async function settledAt(node: FullNode, height: number): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (node.status.height < height || node.status.sync !== null) {
      if (Date.now() > deadline) throw new Error(`stuck at ${node.status.height}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  test.each([
    ['on the main thread', false],
    ['with a verify pool', true],
  ])(
    'a bad commit mid-batch is rejected: exactly the blocks before it are committed (%s)',
    async (_, withPool) => {
      const blocks = SYNC_POOL_BLOCKS_MIN + 20;
      const bad = SYNC_POOL_BLOCKS_MIN + 5;
      const served = await servedChain(blocks, bad);
      let pooled = 0;
      const inner = webCryptoVerifier();
      const pool: SignatureBatchVerifier = {
        async verifyBatch(checks) {
          pooled += checks.length;
          return Promise.all(checks.map((c) => inner.verify(c.publicKey, c.message, c.signature)));
        },
      };
      const { node, store, opened, stop } = await syncFrom(served, withPool ? pool : null);
      try {
        await settledAt(node, bad - 1);
        // The sync retries (one peer, which served the bad block, is dropped): give it time.
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(node.status.height).toBe(bad - 1);
        expect((await store.meta())?.headHeight).toBe(bad - 1);
        const expectedRoot = toHex((await store.loadState())!.stateRoot);
        expect(toHex(node.state.stateRoot)).toBe(expectedRoot);
        expect(opened.length).toBeGreaterThan(0);
        if (withPool) expect(pooled).toBeGreaterThan(bad * 4);
        expect(await store.block(bad)).toBeNull();
      } finally {
        await stop();
      }
    },
    60_000,
  );

  describe('each commit is checked before its txs', () => {
    const VALIDATORS = 4;
    const TXS_PER_BLOCK = 6;

    /**
     * Two batches (enough for the verify pool) whose block `forgedAt` has a commit no validator
     * signed: the second batch, fetched ahead, must not be verified either.
     */
    async function forgedBatch(forgedAt: number) {
      const chain = await TestChain.create({ validators: VALIDATORS, accounts: 2 });
      const [alice, bob] = chain.accounts as [SigningKey, SigningKey];
      await chain.addBlocks(Math.max(SYNC_POOL_BLOCKS_MIN, 2 * SYNC_BATCH_BLOCKS_MAX), async () => {
        const txs = [];
        for (let i = 0; i < TXS_PER_BLOCK; i += 1) txs.push(await chain.transfer(alice, bob, 1));
        return txs;
      });
      const encoded = chain.blocks.map((block, i) => {
        const commit = structuredClone(chain.commits[i]!);
        if (block.header.height === forgedAt) {
          for (const slot of commit.signatures) {
            if (slot.kind !== 'absent') slot.signature = crypto.getRandomValues(new Uint8Array(64));
          }
        }
        return {
          height: block.header.height,
          block: encodeBlock(block),
          commit: encodeCommit(commit),
        };
      });
      return { chain, encoded };
    }

    test.each([
      ['the first block', 1, false],
      ['block 9, after eight good ones', 9, false],
      ['block 9, after eight good ones, with a verify pool', 9, true],
    ])(
      'a forged commit at %s costs one commit of verification beyond the good blocks',
      async (_, forgedAt, withPool) => {
        const served = await forgedBatch(forgedAt);
        const counted = countingVerifier();
        // Every check counts, whether verified on the main thread or in the pool.
        const verifier = {
          verify: counted.verify,
          get calls() {
            return counted.calls;
          },
        };
        const pool: SignatureBatchVerifier = {
          verifyBatch: (checks) =>
            Promise.all(checks.map((c) => counted.verify(c.publicKey, c.message, c.signature))),
        };
        const { node, stop } = await syncFrom(served, withPool ? pool : null, verifier);
        try {
          // Each good block: its commit and its txs; then the forged block's commit, and none of
          // its txs nor anything after it, in its batch or the next (before: every signature of
          // both batches, ~1,280).
          const good = (forgedAt - 1) * (VALIDATORS + TXS_PER_BLOCK);
          const deadline = Date.now() + 30_000;
          while (verifier.calls <= good || node.status.sync !== null) {
            if (Date.now() > deadline) throw new Error(`stuck: ${verifier.calls} checks`);
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
          // Anything still started ahead would be counted by now (the retry is a second away).
          await new Promise((resolve) => setTimeout(resolve, 200));
          expect(node.status.height).toBe(forgedAt - 1);
          expect(verifier.calls).toBeGreaterThanOrEqual(good);
          expect(verifier.calls).toBeLessThanOrEqual(good + VALIDATORS);
        } finally {
          await stop();
        }
      },
      60_000,
    );
  });
});
