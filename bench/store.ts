// Store benchmark in real Chromium: `npx tsx bench/store.ts` (re-runs itself inside a
// loopback-only network namespace when it can, as `npm test` does; otherwise run it as
// `unshare -n sh -c 'ip link set lo up; npx tsx bench/store.ts'`). Prints a markdown table and
// writes bench/results/store.json. Each measurement: median of ROUNDS interleaved runs after a
// warm-up (the machine is shared, so interleaving keeps the ratio fair).
//
// Workload: BLOCKS real signed blocks of TXS_PER_BLOCK transfers among ACCOUNTS accounts
// (built in Node with test/support/fixtures.ts, decoded and signature-checked in the page before
// timing). Measured per block:
// - raw: one readwrite transaction putting the block's canonical bytes (the same bytes the store
//   keeps) under its height: the most one IndexedDB write per block can do in this browser;
// - persist: store.applyBlocks([{ block, commit, changes, results }]): the block row with its history
//   index, the state-change log row, the head, the outbox check, and the state-log fold every
//   STATE_LOG_BLOCKS_MAX blocks, all counted;
// - apply+persist: the same plus core applyBlock + applyChanges (state transition; signature
//   verdicts precomputed, as the node verifies signatures before it applies).
// Goal: apply+persist >= 50% of raw.

import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg, networkInterfaces } from 'node:os';

const onlyLoopback = Object.keys(networkInterfaces()).every((name) => name === 'lo');
if (!onlyLoopback && process.env.LEDGER_BENCH_NETNS !== 'done') {
  const canUnshare = process.getuid?.() === 0 && spawnSync('unshare', ['-n', 'true']).status === 0;
  if (!canUnshare) {
    console.error('bench/store: run inside a loopback-only namespace (see the header comment)');
    process.exit(1);
  }
  const run = spawnSync(
    'unshare',
    ['-n', 'sh', '-c', 'ip link set lo up && exec npx tsx bench/store.ts'],
    {
      stdio: 'inherit',
      env: { ...process.env, LEDGER_BENCH_NETNS: 'done' },
    },
  );
  process.exit(run.status ?? 1);
}

await import('../src/server/polyfill');
const { encodeBlock, encodeCommit, encodeGenesis, toHex } = await import('../src/lib/core/index');
const { TestChain } = await import('../test/support/fixtures');
const { launchChromium } = await import('../test/browser/support/chromium');
const { startHarnessServer } = await import('../test/browser/support/harness-server');
const { openPage, stableContext, warmUp } = await import('../test/browser/support/store-pages');
type StoreBenchApi = import('../test/browser/pages/store-bench').StoreBenchApi;

const BLOCKS = 128;
const WARMUP_BLOCKS = 16;
const TXS_PER_BLOCK = 100;
const ACCOUNTS = 200;
const ROUNDS = 3;

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

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
const wire = (count: number) => ({
  genesisHex: toHex(encodeGenesis(chain.genesis)),
  blocksHex: chain.blocks.slice(0, count).map((block) => toHex(encodeBlock(block))),
  commitsHex: chain.commits.slice(0, count).map((commit) => toHex(encodeCommit(commit))),
});
const blockBytes = chain.blocks.reduce((sum, block) => sum + encodeBlock(block).length, 0) / BLOCKS;

const server = await startHarnessServer();
const browser = await launchChromium();
try {
  const warm = await browser.newContext();
  await warmUp(warm, `${server.url}/store-bench.html`, 'storeBench');
  await warm.close();
  const context = await stableContext(browser);
  const page = await openPage(context, `${server.url}/store-bench.html`, 'storeBench');
  const call = <T>(name: keyof StoreBenchApi, arg?: unknown): Promise<T> =>
    page.evaluate(
      ([n, a]) =>
        (globalThis as unknown as Record<string, Record<string, (x: unknown) => Promise<T>>>)
          .storeBench![n]!(a),
      [name, arg] as const,
    );

  await call('prepare', wire(WARMUP_BLOCKS));
  await call('rawPut');
  await call('persist');
  await call('applyAndPersist');

  await call('prepare', wire(BLOCKS));
  // The machine is shared: interleave the three measurements and keep each one's median.
  const runs = { raw: [] as number[], persist: [] as number[], apply: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    runs.raw.push(await call<number>('rawPut'));
    runs.persist.push(await call<number>('persist'));
    runs.apply.push(await call<number>('applyAndPersist'));
  }
  const rawMs = median(runs.raw);
  const persistMs = median(runs.persist);
  const applyMs = median(runs.apply);
  const version = browser.version();

  const rows = [
    { name: 'raw IndexedDB put (block bytes, 1 tx per block)', ms: rawMs },
    { name: 'store.applyBlocks, one block each (persist)', ms: persistMs },
    { name: 'core applyBlock + store.applyBlocks (apply+persist)', ms: applyMs },
  ].map((row) => ({
    ...row,
    blocksPerS: (BLOCKS * 1000) / row.ms,
    txsPerS: (BLOCKS * TXS_PER_BLOCK * 1000) / row.ms,
    ofRaw: rawMs / row.ms,
  }));
  console.log(
    `\nStore in Chromium ${version}: ${BLOCKS} blocks x ${TXS_PER_BLOCK} transfers among ` +
      `${ACCOUNTS} accounts, ${Math.round(blockBytes)} B per encoded block, median of ${ROUNDS} ` +
      `interleaved runs, load average ${loadavg()[0]!.toFixed(1)}\n`,
  );
  console.log('| measure | blocks/s | txs/s | vs raw put |');
  console.log('|---|---:|---:|---:|');
  for (const row of rows) {
    console.log(
      `| ${row.name} | ${row.blocksPerS.toFixed(0)} | ${row.txsPerS.toFixed(0)} | ${(row.ofRaw * 100).toFixed(0)}% |`,
    );
  }
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(
    'bench/results/store.json',
    JSON.stringify(
      {
        chromium: version,
        blocks: BLOCKS,
        txsPerBlock: TXS_PER_BLOCK,
        accounts: ACCOUNTS,
        blockBytes,
        rows,
      },
      null,
      2,
    ),
  );
} finally {
  await browser.close();
  await server.close();
}
