// The on-disk store (SQLite, better-sqlite3) on this machine's disk: `npx tsx bench/store-sqlite.ts`.
// Prints a markdown table and writes bench/results/store-sqlite.json. No network.
//
// Workload: BLOCKS real signed blocks of TXS_PER_BLOCK transfers among ACCOUNTS accounts (the
// same shape as bench/store.ts in Chromium). Measured, each on a fresh database file:
// - batches of BATCH_BLOCKS blocks, relaxed (range sync) and strict (fsync per batch);
// - one block per applyBlocks, strict (a consensus commit: one fsync per block);
// - signer-state saves (fsync, synchronous=FULL, then read back) and vote-log saves (no fsync),
//   SIGNER_SAVES each: latency p50 / p95;
// - loadState of the resulting ledger (what opening it costs).
// Each figure is the median of ROUNDS runs.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import '../src/server/polyfill';
import type { SignedState } from '../src/lib/consensus/types';
import { blockHash } from '../src/lib/core/hash';
import { openSqliteLedgerStore, type SqliteLedgerStore } from '../src/lib/store/sqlite/index';
import type { BlockToApply } from '../src/lib/store/types';
import { TestChain } from '../test/support/fixtures';
import { replay } from '../test/support/store-chain';
import { fmt, median, percentile } from './lib/stats';

const BLOCKS = 256;
const BATCH_BLOCKS = 64;
const TXS_PER_BLOCK = 100;
const ACCOUNTS = 200;
const SIGNER_SAVES = 200;
const ROUNDS = 3;

const chain = await TestChain.create({ validators: 4, accounts: ACCOUNTS });
await chain.addBlocks(BLOCKS, async (i) =>
  Promise.all(
    Array.from({ length: TXS_PER_BLOCK }, (_, j) => {
      const from = (i * TXS_PER_BLOCK + j) % ACCOUNTS;
      const to = (from * 7 + i + 1) % ACCOUNTS;
      return chain.transfer(
        chain.accounts[from]!,
        chain.accounts[to === from ? (to + 1) % ACCOUNTS : to]!,
        1,
      );
    }),
  ),
);
const { entries } = await replay(chain);
const root = mkdtempSync(join(tmpdir(), 'ledger-bench-sqlite-'));
let opened = 0;

async function fresh(): Promise<SqliteLedgerStore> {
  const store = await openSqliteLedgerStore({
    directory: join(root, String(opened++)),
    chainId: chain.chainId,
  });
  await store.initialize(chain.genesis, chain.freshState());
  return store;
}

async function timeMs(body: () => Promise<unknown>): Promise<number> {
  const startedMs = performance.now();
  await body();
  return performance.now() - startedMs;
}

async function batches(durability: 'strict' | 'relaxed'): Promise<number> {
  const store = await fresh();
  const ms = await timeMs(async () => {
    for (let from = 0; from < BLOCKS; from += BATCH_BLOCKS) {
      await store.applyBlocks(entries.slice(from, from + BATCH_BLOCKS), { durability });
    }
  });
  await store.close();
  return ms;
}

async function singles(): Promise<{ ms: number; loadStateMs: number }> {
  const store = await fresh();
  const ms = await timeMs(async () => {
    for (const entry of entries) await store.applyBlocks([entry]);
  });
  const loadStateMs = await timeMs(() => store.loadState());
  await store.close();
  return { ms, loadStateMs };
}

async function signerSaves(votes: boolean): Promise<number[]> {
  const store = await fresh();
  const lockOn = entries[0] as BlockToApply;
  const hash = blockHash(lockOn.block);
  const latencies: number[] = [];
  for (let height = 1; height <= SIGNER_SAVES; height++) {
    const state: SignedState = {
      height,
      round: 0,
      step: 2,
      blockHash: hash,
      lock: { round: 0, blockHash: hash, block: lockOn.block },
    };
    if (votes) {
      await store.signerState.save({ ...state, step: 1, lock: null });
      latencies.push(await timeMs(() => store.signerState.saveVotes!({ ...state, votes: [] })));
    } else {
      latencies.push(await timeMs(() => store.signerState.save(state)));
    }
  }
  await store.close();
  return latencies;
}

const runs = {
  relaxed: [] as number[],
  strict: [] as number[],
  singles: [] as number[],
  loadState: [] as number[],
  save: [] as number[][],
  votes: [] as number[][],
};
for (let round = 0; round < ROUNDS; round++) {
  runs.relaxed.push(await batches('relaxed'));
  runs.strict.push(await batches('strict'));
  const single = await singles();
  runs.singles.push(single.ms);
  runs.loadState.push(single.loadStateMs);
  runs.save.push(await signerSaves(false));
  runs.votes.push(await signerSaves(true));
}
rmSync(root, { recursive: true, force: true });

const blocksPerS = (ms: number) => (BLOCKS * 1000) / ms;
const saves = runs.save.flat();
const votes = runs.votes.flat();
const rows = [
  [
    `applyBlocks, batches of ${BATCH_BLOCKS}, relaxed`,
    `${fmt(blocksPerS(median(runs.relaxed)))} blocks/s`,
  ],
  [
    `applyBlocks, batches of ${BATCH_BLOCKS}, strict (fsync)`,
    `${fmt(blocksPerS(median(runs.strict)))} blocks/s`,
  ],
  [
    'applyBlocks, one block each, strict (fsync)',
    `${fmt(blocksPerS(median(runs.singles)))} blocks/s`,
  ],
  [
    'signerState.save (fsync + read back)',
    `p50 ${fmt(percentile(saves, 50), 2)} ms, p95 ${fmt(percentile(saves, 95), 2)} ms`,
  ],
  [
    'signerState.saveVotes (no fsync)',
    `p50 ${fmt(percentile(votes, 50), 2)} ms, p95 ${fmt(percentile(votes, 95), 2)} ms`,
  ],
  [
    `loadState after ${BLOCKS} blocks (${ACCOUNTS} accounts)`,
    `${fmt(median(runs.loadState), 1)} ms`,
  ],
];
console.log(
  `\nOn-disk store (SQLite ${'via better-sqlite3'}), ${BLOCKS} blocks x ${TXS_PER_BLOCK} transfers ` +
    `among ${ACCOUNTS} accounts, ${tmpdir()}, median of ${ROUNDS} runs ` +
    `(latencies: all ${ROUNDS * SIGNER_SAVES} saves), load average ${loadavg()[0]!.toFixed(1)}\n`,
);
console.log('| measure | value |');
console.log('|---|---:|');
for (const [measure, value] of rows) console.log(`| ${measure} | ${value} |`);
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  'bench/results/store-sqlite.json',
  JSON.stringify(
    { blocks: BLOCKS, txsPerBlock: TXS_PER_BLOCK, batchBlocks: BATCH_BLOCKS, runs },
    null,
    2,
  ),
);
