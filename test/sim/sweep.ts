// The CI-sized sweep (shared by the sweep-*.test.ts files, which vitest runs in parallel on
// separate cores): seeds over the fault mixes, 4-10 validators, a few heights each, every seed
// on the shipped node, asserting that no invariant is ever violated. A failure prints the seed
// and the exact command that reproduces it.

import { expect } from 'vitest';
import { reproduceCommand, type SimOptions } from './cli-args';
import type { FaultKind } from './faults';
import { CONCURRENT_RUNS } from './runner';
import { runSeed, type RunResult } from './simulation';
import { describeFailure, percentiles } from './summary';

export const SWEEP_HEIGHTS = 3;
export const NETWORK_AND_CRASH: FaultKind[] = [
  'drop',
  'delay',
  'duplicate',
  'reorder',
  'partition',
  'crash',
];

export interface Mix {
  name: string;
  seeds: number;
  faults: FaultKind[] | null;
  /** Byzantine validators for N validators. */
  byzantine: (validators: number) => number;
}

export const maxByzantine = (n: number) => Math.floor((n - 1) / 3);

interface Job {
  mix: Mix;
  options: SimOptions;
  seed: number;
}

/** Runs every mix's seeds, starting at `firstSeed`; prints a table; fails on any violation. */
export async function sweep(mixes: readonly Mix[], firstSeed: number): Promise<number> {
  const queue: Job[] = [];
  let seed = firstSeed;
  for (const mix of mixes) {
    for (let i = 0; i < mix.seeds; i++, seed++) {
      const validators = 4 + (seed % 7); // 4..10
      queue.push({
        mix,
        seed,
        options: {
          validators,
          byzantine: mix.byzantine(validators),
          seedFrom: seed,
          seedTo: seed,
          faults: mix.faults,
          heights: SWEEP_HEIGHTS,
          json: false,
          verbose: false,
        },
      });
    }
  }
  const byMix = new Map<string, RunResult[]>();
  const failures: string[] = [];
  let next = 0;
  async function worker(): Promise<void> {
    while (next < queue.length) {
      const job = queue[next++] as Job;
      const result = await runSeed({ ...job.options, seed: job.seed });
      byMix.set(job.mix.name, [...(byMix.get(job.mix.name) ?? []), result]);
      if (!result.ok) {
        failures.push(
          describeFailure({
            seed: job.seed,
            command: reproduceCommand(job.options, job.seed),
            violations: result.violations,
          }),
        );
      }
    }
  }
  await Promise.all(Array.from({ length: CONCURRENT_RUNS }, worker));

  const rows = [...byMix].map(([name, results]) => {
    const rounds = percentiles(results.flatMap((r) => r.decidedRounds.map((round) => round + 1)));
    const heights = results.reduce((sum, r) => sum + r.heightsCommitted, 0);
    const bad = results.filter((r) => !r.ok).length;
    const dropped = results.reduce((sum, r) => sum + r.stats.inboxDropped, 0);
    return `| ${name} | ${results.length} | ${bad} | ${heights} | ${rounds.p50} | ${rounds.p99} | ${rounds.max} | ${dropped} |`;
  });
  console.log(
    [
      '| mix | seeds | failed | heights | rounds p50 | p99 | max | inbox drops |',
      '|---|---|---|---|---|---|---|---|',
      ...rows,
    ].join('\n'),
  );
  expect(failures, `\n${failures.join('\n')}`).toEqual([]);
  return queue.length;
}
