// The CI-sized sweep: 520 seeds over the fault mixes, 4-10 validators, a few heights each,
// asserting that no invariant is ever violated. A failure prints the seed and the exact
// command that reproduces it.

import { describe, expect, it } from 'vitest';
import { reproduceCommand, type SimOptions } from './cli-args';
import { BYZANTINE_FAULTS, type FaultKind } from './faults';
import { CONCURRENT_RUNS } from './runner';
import { runSeed, type RunResult } from './simulation';
import { describeFailure, percentiles } from './summary';

const HEIGHTS = 3;
const NETWORK_AND_CRASH: FaultKind[] = [
  'drop',
  'delay',
  'duplicate',
  'reorder',
  'partition',
  'crash',
];

interface Mix {
  name: string;
  seeds: number;
  faults: FaultKind[] | null;
  /** Byzantine validators for N validators. */
  byzantine: (validators: number) => number;
}

const maxByzantine = (n: number) => Math.floor((n - 1) / 3);

const MIXES: Mix[] = [
  { name: 'network+crash', seeds: 120, faults: NETWORK_AND_CRASH, byzantine: () => 0 },
  { name: 'random mix', seeds: 200, faults: null, byzantine: maxByzantine },
  ...BYZANTINE_FAULTS.map((behaviour): Mix => ({
    name: behaviour,
    seeds: 25,
    faults: [behaviour, 'drop', 'reorder'],
    byzantine: maxByzantine,
  })),
];

interface Job {
  mix: Mix;
  options: SimOptions;
  seed: number;
}

function jobs(): Job[] {
  const out: Job[] = [];
  let seed = 1;
  for (const mix of MIXES) {
    for (let i = 0; i < mix.seeds; i++, seed++) {
      const validators = 4 + (seed % 7); // 4..10
      out.push({
        mix,
        seed,
        options: {
          validators,
          byzantine: mix.byzantine(validators),
          seedFrom: seed,
          seedTo: seed,
          faults: mix.faults,
          heights: HEIGHTS,
          json: false,
          verbose: false,
        },
      });
    }
  }
  return out;
}

describe('simulation sweep', () => {
  it('keeps every invariant over 520 seeds of every fault mix', async () => {
    const queue = jobs();
    expect(queue.length).toBeGreaterThanOrEqual(500);
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
      return `| ${name} | ${results.length} | ${bad} | ${heights} | ${rounds.p50} | ${rounds.p99} | ${rounds.max} |`;
    });
    console.log(
      [
        '| mix | seeds | failed | heights | rounds p50 | p99 | max |',
        '|---|---|---|---|---|---|---|',
        ...rows,
      ].join('\n'),
    );
    expect(failures, `\n${failures.join('\n')}`).toEqual([]);
  });
});
