// Row 6 of `npm run bench`: the same RECORDS records replicated to a fresh peer, OrbitDB vs this
// ledger, side by side in one run. OrbitDB runs in a child process from bench/orbitdb/ (its own
// package.json, installed here with `npm install --ignore-scripts`, never an app dependency);
// the ledger side is bench/replication-ledger.ts. Both over loopback TCP, both in Node 20.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  buildRecordChain,
  ledgerSyncOnce,
  startLedgerServer,
  type LedgerSyncRun,
} from './replication-ledger';
import { describeError, fmt, median, perSecond, ratio } from './lib/stats';
import type { BenchRow } from './lib/table';

export const RECORDS = 10_000;
const BLOCKS = 100;
const VALIDATORS = 4;
const LEDGER_RUNS = 3;
/** OrbitDB replication takes about a minute per fresh peer here; writing the records ~2-3 min. */
const ORBITDB_RUNS = Number(process.env.BENCH_ORBITDB_RUNS ?? 3);
/** The OrbitDB child starts no further fresh peer past this (keeps `npm run bench` < 15 min). */
const ORBITDB_BUDGET_MS = Number(process.env.BENCH_ORBITDB_BUDGET_MS ?? 7 * 60_000);
const ORBITDB_TIMEOUT_MS = 12 * 60_000;
const INSTALL_TIMEOUT_MS = 5 * 60_000;
const VERIFY_LIMIT_COUNT = 1_000;
const VERIFY_LIMIT_RUNS = 5;

const orbitDir = fileURLToPath(new URL('./orbitdb', import.meta.url));

export function orbitDbInstalled(): boolean {
  return existsSync(`${orbitDir}/node_modules/@orbitdb/core/package.json`);
}

/** Installs bench/orbitdb's own dependencies (needs the registry: call outside the netns). */
export function installOrbitDb(): { ok: boolean; detail: string } {
  if (orbitDbInstalled()) return { ok: true, detail: 'already installed' };
  const run = spawnSync('npm', ['install', '--ignore-scripts', '--no-package-lock'], {
    cwd: orbitDir,
    encoding: 'utf8',
    timeout: INSTALL_TIMEOUT_MS,
  });
  if (run.status === 0 && orbitDbInstalled()) return { ok: true, detail: 'installed' };
  const tail = `${run.stderr ?? ''}${run.stdout ?? ''}`.trim().split('\n').slice(-3).join(' ');
  return { ok: false, detail: `npm install in bench/orbitdb failed (${run.status}): ${tail}` };
}

interface OrbitResult {
  ok: boolean;
  records: number;
  writeMs: number;
  runs: Array<{ replicateMs: number; records: number }>;
  budgetStopped?: boolean;
  error?: string;
}

function runOrbitDb(records: number, runs: number): Promise<OrbitResult> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['replicate.mjs', String(records), String(runs), String(ORBITDB_BUDGET_MS)],
      {
        cwd: orbitDir,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), ORBITDB_TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = stdout.trim().split('\n').at(-1) ?? '';
      try {
        resolve(JSON.parse(line) as OrbitResult);
      } catch {
        const why = signal ? `killed (${signal}) after ${ORBITDB_TIMEOUT_MS / 60_000} min` : code;
        const tail = stderr.trim().split('\n').slice(-2).join(' ');
        resolve({ ok: false, records, writeMs: 0, runs: [], error: `exit ${why}: ${tail}` });
      }
    });
  });
}

/** Node's WebCrypto Ed25519 verify/s: what bounds the ledger side (≥ 1 signature per record). */
async function nodeVerifyPerS(): Promise<number> {
  const keys = (await crypto.subtle.generateKey('Ed25519', false, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  const messages = Array.from({ length: VERIFY_LIMIT_COUNT }, (_, i) => {
    const m = new Uint8Array(200);
    new DataView(m.buffer).setUint32(0, i);
    return m;
  });
  const signatures = await Promise.all(
    messages.map((m) => crypto.subtle.sign('Ed25519', keys.privateKey, m)),
  );
  const once = async () => {
    const start = performance.now();
    await Promise.all(
      messages.map((m, i) => crypto.subtle.verify('Ed25519', keys.publicKey, signatures[i]!, m)),
    );
    return perSecond(VERIFY_LIMIT_COUNT, performance.now() - start);
  };
  await once();
  const rates: number[] = [];
  for (let i = 0; i < VERIFY_LIMIT_RUNS; i++) rates.push(await once());
  return median(rates);
}

export interface ReplicationResult {
  rows: BenchRow[];
  data: unknown;
}

export async function measureReplication(install: {
  ok: boolean;
  detail: string;
}): Promise<ReplicationResult> {
  // Ledger side first (a few seconds per run), then OrbitDB (minutes), so a slow or failing
  // OrbitDB never costs the ledger's figures.
  const chain = await buildRecordChain(RECORDS, BLOCKS);
  const server = await startLedgerServer(chain);
  const ledgerRuns: LedgerSyncRun[] = [];
  try {
    await ledgerSyncOnce(chain, server); // warm-up
    for (let i = 0; i < LEDGER_RUNS; i++) ledgerRuns.push(await ledgerSyncOnce(chain, server));
  } finally {
    await server.stop();
  }
  const verifyPerS = await nodeVerifyPerS();
  const sigsPerRecord = (RECORDS + BLOCKS * VALIDATORS) / RECORDS;
  const limitRecordsPerS = verifyPerS / sigsPerRecord;
  const ledgerMs = median(ledgerRuns.map((r) => r.totalMs));
  const ledgerSyncMs = median(ledgerRuns.map((r) => r.syncMs));
  const ledgerRate = perSecond(RECORDS, ledgerMs);
  const share = (phase: 'verifyMs' | 'storeMs') =>
    `${fmt(median(ledgerRuns.map((r) => (r.phases[phase] / r.syncMs) * 100)))}%`;

  const skipped = (error: string): OrbitResult => ({
    ok: false,
    records: RECORDS,
    writeMs: 0,
    runs: [],
    error,
  });
  const ran = !install.ok
    ? skipped(install.detail)
    : ORBITDB_RUNS < 1
      ? skipped('not run (BENCH_ORBITDB_RUNS=0)')
      : await runOrbitDb(RECORDS, ORBITDB_RUNS);
  const orbit = ran.ok && ran.runs.length === 0 ? { ...ran, ok: false, error: 'no run' } : ran;
  const orbitMs = median(orbit.runs.map((r) => r.replicateMs));
  const orbitRate = perSecond(RECORDS, orbitMs);

  const ledgerRow: BenchRow = {
    group: 6,
    measure: `vs OrbitDB: this ledger, ${fmt(RECORDS)} records to a fresh Node peer`,
    value: `${fmt(ledgerMs / 1000, 2)} s (${fmt(ledgerRate)} records/s)`,
    limit: `${fmt(limitRecordsPerS)} records/s (Node WebCrypto verify ${fmt(verifyPerS)}/s ÷ ${fmt(sigsPerRecord, 2)} sigs/record)`,
    ratio:
      `${ratio(ledgerRate / limitRecordsPerS)} of limit; ` +
      (orbit.ok ? `${ratio(orbitMs / ledgerMs, 1)} faster than OrbitDB` : 'OrbitDB: n/a'),
    note:
      `range sync over loopback TCP (createNodeNetwork), ${BLOCKS} blocks × ${RECORDS / BLOCKS} put txs ` +
      `(100 B values), ${VALIDATORS} validators; every commit + tx signature verified, ` +
      `validateBlock + applyBlock + in-memory store; median of ${LEDGER_RUNS} fresh peers; ` +
      `time includes peer start + status exchange (syncRange alone ${fmt(ledgerSyncMs / 1000, 2)} s: ` +
      `signature checks in flight ${share('verifyMs')}, store ${share('storeMs')}); ` +
      `chain built in ${fmt(chain.buildMs / 1000, 1)} s`,
    status: 'measured',
    data: { runs: ledgerRuns, verifyPerS, chainBuildMs: chain.buildMs },
  };
  const orbitRow: BenchRow = orbit.ok
    ? {
        group: 6,
        measure: `vs OrbitDB: OrbitDB 3.0.2, ${fmt(RECORDS)} records to a fresh Node peer`,
        value: `${fmt(orbitMs / 1000, 2)} s (${fmt(orbitRate)} records/s)`,
        limit: `this ledger: ${fmt(ledgerMs / 1000, 2)} s (same run)`,
        ratio: `${ratio(orbitMs / ledgerMs, 1)} the ledger's time`,
        note:
          `keyvalue db, 100 B values; Helia (@helia/utils + bitswap only) + LevelDB, libp2p TCP ` +
          `over loopback; fresh identity and storage per peer; time = peer start -> all ` +
          `${fmt(RECORDS)} records readable; median of ${orbit.runs.length} fresh peers ` +
          `(${orbit.runs.map((r) => fmt(r.replicateMs / 1000, 1)).join(', ')} s); ` +
          `writer put ${fmt(RECORDS)} in ${fmt(orbit.writeMs / 1000, 1)} s` +
          (orbit.budgetStopped
            ? `; stopped after ${orbit.runs.length} of ${ORBITDB_RUNS} runs (time budget)`
            : ''),
        status: 'measured',
        data: orbit,
      }
    : {
        group: 6,
        measure: `vs OrbitDB: OrbitDB 3.0.2, ${fmt(RECORDS)} records to a fresh Node peer`,
        value: 'failed',
        limit: `this ledger: ${fmt(ledgerMs / 1000, 2)} s (same run)`,
        ratio: '—',
        note: `OrbitDB did not run: ${describeError(orbit.error)}`,
        status: 'failed',
        data: orbit,
      };
  return { rows: [ledgerRow, orbitRow], data: { ledger: ledgerRow.data, orbit } };
}
