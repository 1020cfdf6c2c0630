// Simulator throughput: simulated commits per wall-clock second and rounds per height with 4,
// 16 and 64 validators, no faults, real Ed25519 (WebCrypto) signatures and verification.
// Run: npx tsx bench/sim.ts  (prints a markdown table)

import '../src/server/polyfill';
import { runSeed } from '../test/sim/simulation';
import { percentiles } from '../test/sim/summary';

interface Row {
  validators: number;
  heights: number;
  wallMs: number;
  virtualMs: number;
  rounds: number[];
  events: number;
  verified: number;
  messages: number;
}

const CASES: Array<{ validators: number; heights: number; seeds: number[] }> = [
  { validators: 4, heights: 30, seeds: [1, 2, 3] },
  { validators: 16, heights: 15, seeds: [1, 2] },
  { validators: 64, heights: 6, seeds: [1] },
];

async function measure(validators: number, heights: number, seeds: number[]): Promise<Row> {
  const row: Row = {
    validators,
    heights: 0,
    wallMs: 0,
    virtualMs: 0,
    rounds: [],
    events: 0,
    verified: 0,
    messages: 0,
  };
  for (const seed of seeds) {
    const startedMs = performance.now();
    const result = await runSeed({
      validators,
      byzantine: 0,
      seed,
      faults: [],
      heights,
      adjustPlan(plan) {
        plan.network.faultsEndMs = 0;
        plan.healedAtMs = 0;
      },
    });
    row.wallMs += performance.now() - startedMs;
    if (!result.ok) throw new Error(`seed ${seed}: ${JSON.stringify(result.violations[0])}`);
    row.heights += result.heightsCommitted;
    row.virtualMs += result.virtualTimeMs;
    row.rounds.push(...result.decidedRounds.map((r) => r + 1));
    row.events += result.events;
    row.verified += result.stats.signaturesVerified;
    row.messages += result.stats.messagesSent;
  }
  return row;
}

async function main(): Promise<void> {
  // Warm up WebCrypto and the module graph so the first case is not charged for it.
  await measure(4, 2, [99]);
  const rows: Row[] = [];
  for (const c of CASES) rows.push(await measure(c.validators, c.heights, c.seeds));
  const lines = [
    '| validators | heights | commits/s (wall) | wall ms/height | virtual ms/height | rounds/height p50 / p99 / max | events/height | sig verifies/s |',
    '|---:|---:|---:|---:|---:|---|---:|---:|',
  ];
  for (const r of rows) {
    const rounds = percentiles(r.rounds);
    lines.push(
      `| ${r.validators} | ${r.heights} | ${((r.heights * 1000) / r.wallMs).toFixed(1)} | ` +
        `${(r.wallMs / r.heights).toFixed(0)} | ${(r.virtualMs / r.heights).toFixed(0)} | ` +
        `${rounds.p50} / ${rounds.p99} / ${rounds.max} | ${(r.events / r.heights).toFixed(0)} | ` +
        `${((r.verified * 1000) / r.wallMs).toFixed(0)} |`,
    );
  }
  console.log(lines.join('\n'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
