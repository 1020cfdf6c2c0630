// `npm run bench`: measures the product the way users feel it and prints ONE markdown table;
// writes the same rows (with raw figures) to bench/results/bench.json (gitignored). Every figure
// is a median over repeated runs, next to a limit measured in the same run, as a ratio.
// Benchmarks report, they never fail: a family that throws becomes a "failed" row, exit 0.
//
// Row families: 1 limits (bench/limits.ts, real Chromium), 2 finality across 4 tabs
// (bench/finality.ts, real Chromium + WebRTC), 3 throughput across 4 tabs (bench/throughput.ts),
// 4 fresh-tab sync (bench/sync.ts, real Chromium + WebRTC; served by the always-on peer:
// bench/peer-sync.ts, with the peer's catch-up and restart times), 5 scale (bench/scale.ts,
// simulator), 6 against OrbitDB (bench/replication.ts).
// Row 2 also has finality across NATs and TURN (bench/finality-nat.ts, the test/netbed/ simulated
// internet; root only), measured in the same run as the loopback rows.
// BENCH_ONLY=limits,finality,nat,throughput,sync,peer,scale,replication runs a subset; BENCH_ORBITDB_RUNS
// sets OrbitDB's.
//
// Anything here opens sockets or WebRTC, so it must see only the loopback interface: when this
// process sees other interfaces and can make a network namespace (root + unshare), it installs
// OrbitDB's own dependencies first (that needs the registry), then re-runs itself inside a
// loopback-only namespace, as scripts/test.mjs does.
import '../src/server/polyfill';
import { spawnSync } from 'node:child_process';
import { loadavg, networkInterfaces } from 'node:os';
import type { LedgerTabs } from './lib/ledger-tabs';
import { describeError, median, percentile } from './lib/stats';
import {
  failedRow,
  pendingRow,
  renderTable,
  runHeaderStart,
  writeResults,
  type BenchRow,
} from './lib/table';

type Family =
  'limits' | 'finality' | 'nat' | 'throughput' | 'sync' | 'peer' | 'scale' | 'replication';
const only = (process.env.BENCH_ONLY ?? '').split(',').filter(Boolean);
const selected = (family: Family) => only.length === 0 || only.includes(family);

const NETNS_ENV = 'LEDGER_BENCH_NETNS';
const INSTALL_ENV = 'LEDGER_BENCH_ORBITDB_INSTALL';

const onlyLoopback = Object.keys(networkInterfaces()).every((name) => name === 'lo');
if (!onlyLoopback && process.env[NETNS_ENV] !== 'done') {
  const install = selected('replication')
    ? (await import('./replication')).installOrbitDb()
    : { ok: false, detail: 'not selected' };
  const canUnshare = process.getuid?.() === 0 && spawnSync('unshare', ['-n', 'true']).status === 0;
  if (canUnshare) {
    const run = spawnSync(
      'unshare',
      ['-n', 'sh', '-c', 'ip link set lo up && exec ./node_modules/.bin/tsx bench/run.ts'],
      {
        stdio: 'inherit',
        env: { ...process.env, [NETNS_ENV]: 'done', [INSTALL_ENV]: JSON.stringify(install) },
      },
    );
    process.exit(run.status ?? 0);
  }
  console.warn('bench: not root or no unshare: WebRTC and sockets see every network interface');
  process.env[INSTALL_ENV] = JSON.stringify(install);
}

const startedMs = performance.now();
const header = runHeaderStart();
const rows: BenchRow[] = [];
const raw: Record<string, unknown> = {};

async function family(
  name: Family,
  group: number,
  measure: string,
  run: () => Promise<BenchRow[]>,
): Promise<void> {
  if (!selected(name)) {
    rows.push(pendingRow(group, measure, 'not run (BENCH_ONLY)'));
    return;
  }
  const familyStartMs = performance.now();
  console.error(`bench: ${name}...`);
  try {
    rows.push(...(await run()));
  } catch (error) {
    rows.push(failedRow(group, measure, describeError(error)));
    raw[name] = { error: describeError(error) };
  }
  console.error(
    `bench: ${name} done in ${((performance.now() - familyStartMs) / 1000).toFixed(0)} s`,
  );
}

await family('limits', 1, 'limits (Chromium)', async () => {
  const { measureLimits } = await import('./limits');
  const result = await measureLimits();
  raw.limits = { limits: result.limits, runs: result.raw };
  return result.rows;
});

/** Rows 2 and 3 share one ledger of 4 validator tabs: forming it (3 joins by approval) takes ~20 s. */
let ledgerTabs: Promise<LedgerTabs> | null = null;
const sharedLedgerTabs = (): Promise<LedgerTabs> => {
  ledgerTabs ??= import('./lib/ledger-tabs').then(async ({ openLedgerTabs }) => {
    const tabs = await openLedgerTabs();
    console.error(
      `bench: 4 validator tabs formed a ledger in ${(tabs.formedMs / 1000).toFixed(0)} s`,
    );
    return tabs;
  });
  return ledgerTabs;
};
const closeSharedLedgerTabs = async (): Promise<void> => {
  const tabs = await ledgerTabs?.catch(() => null);
  await tabs?.close();
};

await family('finality', 2, 'finality across 4 tabs (Chromium)', async () => {
  const { measureFinality, FINALITY_DEVICES } = await import('./finality');
  const txs = 100;
  const result = await measureFinality(txs, await sharedLedgerTabs());
  raw.finality = result.samplesMs;
  const row = (measure: string, valueMs: number, goalMs: number): BenchRow => ({
    group: 2,
    measure,
    value: `${valueMs} ms`,
    limit: `goal ${goalMs} ms`,
    ratio: `${(valueMs / goalMs).toFixed(2)}× goal`,
    note: `${FINALITY_DEVICES} validator tabs over loopback WebRTC, ${txs} transfers one at a time, submit -> committed in every tab`,
    status: 'measured',
  });
  return [
    row('finality p50, 4 tabs', result.p50Ms, 150),
    row('finality p99, 4 tabs', result.p99Ms, 500),
  ];
});

await family('throughput', 3, 'throughput, tx/s committed across 4 tabs (Chromium)', async () => {
  const { measureThroughput, throughputRows } = await import('./throughput');
  const result = await measureThroughput(undefined, undefined, undefined, await sharedLedgerTabs());
  raw.throughput = result;
  return throughputRows(result);
});

await closeSharedLedgerTabs();

// The same on a private ledger (its own 4 tabs, formed after the public ones closed), against
// the public figures of this run.
await family('finality', 2, 'finality across 4 tabs, private ledger (Chromium)', async () => {
  const { measureFinality, FINALITY_DEVICES } = await import('./finality');
  const txs = 50;
  const result = await measureFinality(txs, undefined, 'private');
  raw.finalityPrivate = result.samplesMs;
  const publicMs = raw.finality as number[] | undefined;
  const row = (measure: string, valueMs: number, publicValueMs: number | null): BenchRow => ({
    group: 2,
    measure,
    value: `${valueMs} ms`,
    limit: publicValueMs === null ? 'public not measured' : `public ${publicValueMs} ms`,
    ratio: publicValueMs === null ? '' : `${(valueMs / publicValueMs).toFixed(2)}× public`,
    note:
      `as the public rows, ${txs} transfers (fewer runs); differs: genesis with membership, ` +
      `every gossip payload (txs, proposals, votes) sealed and opened with AES-GCM under the ` +
      `epoch key, topics named from the network secret`,
    status: 'measured',
  });
  return [
    row(
      `finality p50, ${FINALITY_DEVICES} tabs, private ledger`,
      result.p50Ms,
      publicMs ? median(publicMs) : null,
    ),
    row(
      `finality p99, ${FINALITY_DEVICES} tabs, private ledger`,
      result.p99Ms,
      publicMs ? percentile(publicMs, 99) : null,
    ),
  ];
});

await family('nat', 2, 'finality across NATs and TURN (Chromium, testbed)', async () => {
  const { measureFinalityAcrossNats, NAT_HOMES } = await import('./finality-nat');
  const txs = 100;
  const result = await measureFinalityAcrossNats(txs);
  raw.finalityNat = result;
  const note =
    `${NAT_HOMES.length} validator devices in ${NAT_HOMES.length} homes (${NAT_HOMES.join(', ')}), ` +
    `one Chromium each, app over HTTPS; direct via STUN where the NATs allow, else coturn; ` +
    `${txs} transfers one at a time; no link latency (no netem here)`;
  const loopback = raw.finality as number[] | undefined;
  const row = (measure: string, valueMs: number, loopbackMs: number | null): BenchRow => ({
    group: 2,
    measure,
    value: `${valueMs} ms`,
    limit: loopbackMs === null ? 'loopback not run' : `loopback ${loopbackMs} ms`,
    ratio: loopbackMs === null ? '' : `${(valueMs / loopbackMs).toFixed(2)}× loopback`,
    note,
    status: 'measured',
  });
  return [
    row('finality p50, across NATs + TURN', result.p50Ms, loopback ? median(loopback) : null),
    row(
      'finality p99, across NATs + TURN',
      result.p99Ms,
      loopback ? percentile(loopback, 99) : null,
    ),
  ];
});

await family('sync', 4, 'fresh-tab sync (Chromium)', async () => {
  const { measureSync } = await import('./sync');
  const { rows: syncRows, ...result } = await measureSync();
  raw.sync = result;
  return syncRows;
});

// The same chain shape on a private ledger (its own cached chain), one fresh profile unless
// BENCH_SYNC_PRIVATE_RUNS says otherwise, against the public figures of this run.
await family('sync', 4, 'fresh-tab sync, private ledger (Chromium)', async () => {
  const { measureSync, privateSyncRows } = await import('./sync');
  const runs = Number(process.env.BENCH_SYNC_PRIVATE_RUNS ?? 1);
  const { rows: _rows, ...result } = await measureSync({ access: 'private', runs });
  raw.syncPrivate = result;
  const publicRun = raw.sync as { txsPerS: number; run: { wallMs: number } } | undefined;
  return privateSyncRows(result, (publicRun as Parameters<typeof privateSyncRows>[1]) ?? null);
});

await family('peer', 4, 'fresh-tab sync served by the always-on peer (Chromium)', async () => {
  const { measurePeerSync } = await import('./peer-sync');
  const row4 = (raw.sync as { txsPerS?: number } | undefined)?.txsPerS;
  const { rows: peerRows, ...result } = await measurePeerSync(row4);
  raw.peerSync = { ...result, runs: result.runs.map(({ progress: _p, ...run }) => run) };
  return peerRows;
});

await family('scale', 5, 'scale: commit latency (simulator)', async () => {
  const { measureScale } = await import('./scale');
  const result = await measureScale();
  raw.scale = result.cases;
  return result.rows;
});

await family('replication', 6, 'vs OrbitDB: 10,000 records to a fresh peer', async () => {
  const replication = await import('./replication');
  const installed = process.env[INSTALL_ENV];
  const install = installed
    ? (JSON.parse(installed) as { ok: boolean; detail: string })
    : replication.installOrbitDb();
  // Installed outside the namespace, or by hand (cd bench/orbitdb && npm install --ignore-scripts).
  const ready = install.ok || replication.orbitDbInstalled();
  const result = await replication.measureReplication(
    ready ? { ok: true, detail: install.detail } : install,
  );
  raw.replication = result.data;
  return result.rows;
});

rows.sort((a, b) => a.group - b.group);
const fullHeader = {
  ...header,
  wallMs: performance.now() - startedMs,
  loadEnd: loadavg(),
  netns: Object.keys(networkInterfaces()).every((name) => name === 'lo'),
};
const table = renderTable(fullHeader, rows);
console.log(table);
const path = writeResults('bench', { header: fullHeader, rows, raw, table });
console.error(`bench: wrote ${path}`);
process.exit(0);
