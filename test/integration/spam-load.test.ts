// Load test (prints figures; asserts only budgets and outcomes, never times): four validators on
// real libp2p over loopback and SQLite on disk run for a fixed number of blocks while an outsider
// floods them with validly signed writes from fresh keys and a member writes new records as fast
// as the per-block limits let it. Honest transfers keep committing, nothing of the outsider's
// reaches a block, and each node's memory and storage stay within the budgets stated below.
import v8 from 'node:v8';
import vm from 'node:vm';
import { mkdtempSync, rmSync, statSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { encodeTx } from '../../src/lib/core/encoding';
import { genesisState } from '../../src/lib/core/genesis';
import { chainIdOf } from '../../src/lib/core/hash';
import { NEW_RECORDS_PER_BLOCK_MAX } from '../../src/lib/core/params';
import type { Tx } from '../../src/lib/core/types';
import { cachingVerifier, webCryptoSigner, webCryptoVerifier } from '../../src/lib/crypto/index';
import type { Libp2pNetwork } from '../../src/lib/net/libp2p-network';
import { createNodeNetwork } from '../../src/lib/net/node-network';
import { systemClock, systemTimers } from '../../src/lib/node/clock';
import { FullNode } from '../../src/lib/node/full-node';
import { RECORD_CACHE_MAX } from '../../src/lib/node/params';
import { chunks, encodeTxBatch } from '../../src/lib/node/wire';
import { openSqliteLedgerStore } from '../../src/lib/store/sqlite/index';
import { addressOfKey, makeGenesis, newKeys, signTx } from '../support/fixtures';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const VALIDATORS = 4;
const BLOCKS = 20;
const OUTSIDER_KEYS = 16;
const OUTSIDER_TXS_PER_KEY = 256;
/** Heap this process may grow by over the run, for four nodes together (~16 MiB each). */
const HEAP_GROWTH_BUDGET_MIB = 64;
/** Disk a node may grow by per block: the member's new records (at most 256 of ~100 B) plus
 *  block, commit and history rows, with room for SQLite's pages. */
const STORAGE_PER_BLOCK_BUDGET_KIB = 256;

const directory = mkdtempSync(join(tmpdir(), 'ledger-spam-'));
const running: FullNode[] = [];
afterAll(async () => {
  await Promise.all(running.map((node) => node.stop()));
  rmSync(directory, { recursive: true, force: true });
});

function heapMiB(): number {
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

function directoryKiB(path: string): number {
  return readdirSync(path).reduce((sum, name) => sum + statSync(join(path, name)).size, 0) / 1024;
}

async function until(what: string, predicate: () => boolean, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('spam load', () => {
  test('an outsider and a busy member cannot stop honest transfers or blow the budgets', async () => {
    const validatorKeys = await newKeys(VALIDATORS);
    const [member, recipient] = await newKeys(2);
    const genesis = makeGenesis(validatorKeys, {
      balances: [...validatorKeys, member!, recipient!].map((key) => ({
        address: addressOfKey(key),
        amount: 1_000_000,
      })),
    });
    const chainId = chainIdOf(genesis);
    const nodeDirs: string[] = [];
    const addresses: string[] = [];
    for (const [index, key] of validatorKeys.entries()) {
      const nodeDir = join(directory, `node-${index}`);
      nodeDirs.push(nodeDir);
      const store = await openSqliteLedgerStore({ directory: nodeDir, chainId });
      await store.initialize(genesis, genesisState(genesis));
      const bootstrap = [...addresses];
      const node = new FullNode(
        { ledgerName: 'spam', timeouts: { heartbeatMs: 0 } },
        {
          store,
          createNetwork: ({ validator, blocks }) =>
            createNodeNetwork({ chainId, bootstrap }, { blocks, validator }),
          signer: webCryptoSigner(key),
          verifier: cachingVerifier(webCryptoVerifier()),
          clock: systemClock,
          timers: systemTimers,
        },
      );
      await node.start();
      running.push(node);
      const network = node.parts.network() as Libp2pNetwork;
      addresses.push(...network.node.getMultiaddrs().map(String));
    }
    await until('a full mesh', () =>
      running.every((node) => node.peers().length >= VALIDATORS - 1),
    );
    const outsider = await createNodeNetwork(
      { chainId, bootstrap: addresses },
      {
        blocks: {
          status: () => ({ chainId, height: 0, headHash: new Uint8Array(32) }),
          getBlocks: async () => [],
        },
      },
    );
    await outsider.start();

    const heapBeforeMiB = heapMiB();
    const diskBeforeKiB = nodeDirs.map(directoryKiB);
    const outsiderKeys = await newKeys(OUTSIDER_KEYS);
    const outsiderAddresses = new Set(outsiderKeys.map(addressOfKey));

    // The outsider: validly signed puts from keys the ledger does not know, as fast as it can.
    const flood = (async () => {
      for (const key of outsiderKeys) {
        const txs: Tx[] = [];
        for (let nonce = 0; nonce < OUTSIDER_TXS_PER_KEY; nonce++) {
          txs.push(
            await signTx(key, {
              chainId,
              nonce,
              kind: 'put',
              body: { key: `spam-${nonce}`, value: new Uint8Array(1_000) },
            }),
          );
        }
        for (const batch of chunks(txs.map(encodeTx), 128)) {
          await outsider.publish('tx', encodeTxBatch(batch)).catch(() => undefined);
        }
      }
    })();

    // The member: new records at the per-block limit, gossiped by a peer of its own.
    const memberSigner = { nonce: 0 };
    async function memberWrites(count: number): Promise<void> {
      const txs: Tx[] = [];
      for (let i = 0; i < count; i++) {
        const nonce = memberSigner.nonce++;
        txs.push(
          await signTx(member!, {
            chainId,
            nonce,
            kind: 'put',
            body: { key: `note-${nonce}`, value: new Uint8Array(100).fill(nonce & 0xff) },
          }),
        );
      }
      for (const batch of chunks(txs.map(encodeTx), 128)) {
        await outsider.publish('tx', encodeTxBatch(batch)).catch(() => undefined);
      }
    }

    // Honest transfers, one per block, from validator 0's device.
    const sender = running[0]!;
    const sent: string[] = [];
    while (sender.status.height < BLOCKS) {
      const height = sender.status.height;
      sent.push((await sender.transfer(addressOfKey(recipient!), 1)).hash);
      await memberWrites(NEW_RECORDS_PER_BLOCK_MAX);
      await until(`block ${height + 1}`, () => sender.status.height > height);
    }
    await flood;
    await expect
      .poll(async () => (await sender.activity()).map((entry) => entry.status), { timeout: 60_000 })
      .toEqual(sent.map(() => 'committed'));

    // Nothing the outsider signed is in any block.
    const head = Math.min(...running.map((node) => node.status.height));
    for (let height = 1; height <= head; height++) {
      const view = await running[0]!.block(height);
      for (const tx of view?.txs ?? []) expect(outsiderAddresses.has(tx.from)).toBe(false);
    }
    const heapAfterMiB = heapMiB();
    const rows = running.map((node, i) => {
      const diskGrowthKiB = directoryKiB(nodeDirs[i]!) - diskBeforeKiB[i]!;
      const rejected = (node.parts.network() as Libp2pNetwork).validationStats().rejected;
      return {
        node: i,
        height: node.status.height,
        mempool: node.parts.mempool.size,
        recordsInMemory: node.state.records.size,
        drops: node.status.drops,
        rejectedUnknownSender: rejected['tx-unknown-sender'] ?? 0,
        diskGrowthKiB: Math.round(diskGrowthKiB),
        diskBudgetKiB: node.status.height * STORAGE_PER_BLOCK_BUDGET_KIB,
      };
    });
    console.log(
      `spam load: ${head} blocks, ${sent.length} honest transfers committed, outsider sent ` +
        `${OUTSIDER_KEYS * OUTSIDER_TXS_PER_KEY} signed puts (none in a block), member sent ` +
        `${memberSigner.nonce} puts; heap ${heapBeforeMiB.toFixed(1)} -> ${heapAfterMiB.toFixed(1)} MiB ` +
        `(budget +${HEAP_GROWTH_BUDGET_MIB} MiB for ${VALIDATORS} nodes)\n` +
        rows.map((row) => JSON.stringify(row)).join('\n'),
    );
    expect(heapAfterMiB - heapBeforeMiB).toBeLessThan(HEAP_GROWTH_BUDGET_MIB);
    for (const row of rows) {
      expect(row.recordsInMemory).toBeLessThanOrEqual(RECORD_CACHE_MAX);
      expect(row.diskGrowthKiB).toBeLessThan(row.diskBudgetKiB);
    }
    await outsider.stop();
  });
});
