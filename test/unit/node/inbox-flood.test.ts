// A flood of validly signed messages: a validator's key signs thousands of votes (each passes
// the gossip edge: right chain, a known validator, a good signature) while the node is busy.
// The inbox keeps at most its per-type bound, counts the rest as dropped (visible in the
// status), and the node goes on committing afterwards.
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterEach, describe, expect, test } from 'vitest';
import { encodeVote } from '../../../src/lib/core/encoding';
import { genesisState } from '../../../src/lib/core/genesis';
import { chainIdOf } from '../../../src/lib/core/hash';
import { cachingVerifier, webCryptoSigner, webCryptoVerifier } from '../../../src/lib/crypto/index';
import { MemoryHub, MemoryNetwork } from '../../../src/lib/net/memory-network';
import { systemClock, systemTimers } from '../../../src/lib/node/clock';
import { FullNode } from '../../../src/lib/node/full-node';
import { INBOX_LIMITS } from '../../../src/lib/node/params';
import { createMemoryLedgerStore } from '../../../src/lib/store/memory-ledger-store';
import { addressOfKey, makeGenesis, newKeys, signVote } from '../../support/fixtures';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const FLOOD_VOTES = 3_000;
const running: FullNode[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((node) => node.stop()));
});

function heapMiB(): number {
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

describe('inbox under a flood of validly signed votes', () => {
  test('keeps its bound, counts the drops, and the node commits afterwards', async () => {
    const keys = await newKeys(2);
    const genesis = makeGenesis(keys, {
      balances: keys.map((key) => ({ address: addressOfKey(key), amount: 1_000 })),
      time: Date.now() - 60_000,
    });
    const chainId = chainIdOf(genesis);
    const hub = new MemoryHub();
    const nodes = await Promise.all(
      keys.map(async (key, index) => {
        const store = createMemoryLedgerStore(chainId);
        await store.initialize(genesis, genesisState(genesis));
        const node = new FullNode(
          { ledgerName: genesis.name, timeouts: { heartbeatMs: 0, rebroadcastMs: 500 } },
          {
            store,
            createNetwork: ({ validator, blocks }) =>
              new MemoryNetwork(`peer-${index}`, chainId, { hub, blocks, validator }),
            signer: webCryptoSigner(key),
            verifier: cachingVerifier(webCryptoVerifier()),
            clock: systemClock,
            timers: systemTimers,
          },
        );
        running.push(node);
        return node;
      }),
    );
    const victim = nodes[0]!;
    await victim.start();
    const flooder = new MemoryNetwork('flooder', chainId, {
      hub,
      blocks: {
        status: () => ({ chainId, height: 0, headHash: new Uint8Array(32) }),
        getBlocks: async () => [],
      },
    });
    await flooder.start();
    hub.linkAll();

    // Validator 1's real key signs prevotes for height 1, every round.
    const attacker = keys[1]!;
    const votes = await Promise.all(
      Array.from({ length: 2 * FLOOD_VOTES }, (_, round) =>
        signVote(attacker, {
          chainId,
          height: 1,
          round,
          type: 'prevote',
          blockHash: null,
          timestamp: 1,
          validator: addressOfKey(attacker),
        }),
      ),
    );
    // The node is busy (its serial queue blocked) while the flood arrives.
    let unblock!: () => void;
    const busy = victim.parts.queue.enqueue(
      () => new Promise<void>((resolve) => (unblock = resolve)),
    );
    const network = victim.parts.network() as MemoryNetwork;
    const bound = INBOX_LIMITS.vote.messagesMax;
    /** Publish one wave of the flood and wait until the node's edge has accepted all of it. */
    async function wave(from: number): Promise<number> {
      for (const vote of votes.slice(from, from + FLOOD_VOTES)) {
        await flooder.publish('vote', encodeVote(vote));
      }
      await expect
        .poll(() => network.validationStats().accepted, { timeout: 30_000 })
        .toBeGreaterThanOrEqual(from + FLOOD_VOTES);
      return heapMiB();
    }
    try {
      const heapBeforeMiB = heapMiB();
      const heapAfterFirstMiB = await wave(0);
      expect(victim.parts.ingress.waiting).toBe(bound);
      expect(victim.parts.ingress.dropped().vote).toBe(FLOOD_VOTES - bound);
      // A second wave finds the inbox full: all of it is dropped, nothing more is kept.
      const heapAfterSecondMiB = await wave(FLOOD_VOTES);
      expect(victim.parts.ingress.waiting).toBe(bound);
      console.log(
        `flood of 2 x ${FLOOD_VOTES} signed votes: inbox holds ${bound}, dropped ` +
          `${2 * FLOOD_VOTES - bound}; heap ${heapBeforeMiB.toFixed(1)} -> ` +
          `${heapAfterFirstMiB.toFixed(1)} -> ${heapAfterSecondMiB.toFixed(1)} MiB`,
      );
      // The second wave keeps no message: the heap grows by the edge's bounded caches only.
      expect(heapAfterSecondMiB - heapAfterFirstMiB).toBeLessThan(
        (heapAfterFirstMiB - heapBeforeMiB) / 2,
      );
    } finally {
      unblock();
    }
    await busy;
    // The drops show in the node's status.
    expect(victim.status.drops.vote).toBe(2 * FLOOD_VOTES - bound);
    await victim.settled();
    expect(victim.parts.ingress.waiting).toBe(0);
    // The node is still a working validator: with its peer it commits a transfer.
    await nodes[1]!.start();
    hub.linkAll();
    const activity = await victim.transfer(addressOfKey(attacker), 5);
    await expect
      .poll(async () => (await victim.activity()).find((a) => a.hash === activity.hash)?.status, {
        timeout: 30_000,
      })
      .toBe('committed');
  });
});
