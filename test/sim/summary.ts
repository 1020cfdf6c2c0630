// Aggregates run results into the CLI's summary (and the sweep test's assertions).

import type { SimOptions } from './cli-args';
import { reproduceCommand } from './cli-args';
import type { RunResult } from './simulation';

export interface Percentiles {
  p50: number;
  p99: number;
  max: number;
}

export interface Failure {
  seed: number;
  command: string;
  violations: Array<{ kind: string; timeMs: number; detail: string }>;
}

export interface Summary {
  runs: number;
  violations: number;
  heightsCommitted: number;
  /** Rounds a height took (decided round + 1), over every committed height of every run. */
  roundsPerHeight: Percentiles;
  seeds: { from: number; to: number };
  validators: number;
  byzantine: number;
  faults: string;
  failures: Failure[];
  /** How many runs exercised each fault kind. */
  faultRuns: Record<string, number>;
  virtualTimeMs: number;
  wallMs: number;
  messagesSent: number;
  signaturesVerified: number;
  evidenceCommitted: number;
  synced: number;
  inboxDropped: number;
}

export function percentiles(values: readonly number[]): Percentiles {
  if (values.length === 0) return { p50: 0, p99: 0, max: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
  return { p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] as number };
}

export function summarize(
  options: SimOptions,
  results: readonly RunResult[],
  wallMs: number,
): Summary {
  const faultRuns: Record<string, number> = {};
  for (const r of results) for (const kind of r.kinds) faultRuns[kind] = (faultRuns[kind] ?? 0) + 1;
  const failures = results
    .filter((r) => !r.ok)
    .map((r) => ({
      seed: r.seed,
      command: reproduceCommand(options, r.seed),
      violations: r.violations.map(({ kind, timeMs, detail }) => ({ kind, timeMs, detail })),
    }));
  const total = (f: (r: RunResult) => number) => results.reduce((acc, r) => acc + f(r), 0);
  return {
    runs: results.length,
    violations: total((r) => r.violations.length),
    heightsCommitted: total((r) => r.heightsCommitted),
    roundsPerHeight: percentiles(results.flatMap((r) => r.decidedRounds.map((round) => round + 1))),
    seeds: { from: options.seedFrom, to: options.seedTo },
    validators: options.validators,
    byzantine: options.byzantine,
    faults: options.faults === null ? 'random-mix' : options.faults.join(','),
    failures,
    faultRuns,
    virtualTimeMs: total((r) => r.virtualTimeMs),
    wallMs: Math.round(wallMs),
    messagesSent: total((r) => r.stats.messagesSent),
    signaturesVerified: total((r) => r.stats.signaturesVerified),
    evidenceCommitted: total((r) => r.stats.evidenceCommitted),
    synced: total((r) => r.stats.synced),
    inboxDropped: total((r) => r.stats.inboxDropped),
  };
}

/** Violations printed per failing seed; the rest are counted. */
export const VIOLATIONS_PRINTED_MAX = 5;

export function describeFailure(failure: Failure): string {
  const lines = [`FAIL seed ${failure.seed}`, `  reproduce: ${failure.command}`];
  for (const v of failure.violations.slice(0, VIOLATIONS_PRINTED_MAX)) {
    lines.push(`  ${v.kind} at ${v.timeMs} ms: ${v.detail}`);
  }
  const more = failure.violations.length - VIOLATIONS_PRINTED_MAX;
  if (more > 0) lines.push(`  ... and ${more} more`);
  return lines.join('\n');
}
