// Row 5 of `npm run bench`: how consensus scales with the validator count, in the simulator
// (test/sim/simulation.ts runSeed: virtual clock, in-memory network with its healthy latency
// model, real Ed25519 signatures and verification, no faults). Per validator count: commit
// latency = virtual ms per committed height, and messages sent per height. Goal: latency at 64
// validators ≤ 3× latency at 4. bench/sim.ts (simulator throughput in wall time) uses the same
// API; this row reports what a user would feel (virtual latency) rather than simulator speed.
import '../src/server/polyfill';
import { runSeed } from '../test/sim/simulation';
import { fmt, median, ratio } from './lib/stats';
import type { BenchRow } from './lib/table';

/** Heights per run and seeds (runs) per validator count; bigger sets cost O(n²) wall time. */
const CASES = [
  { validators: 4, heights: 10, seeds: [1, 2, 3] },
  { validators: 16, heights: 6, seeds: [1, 2, 3] },
  { validators: 64, heights: 4, seeds: [1, 2, 3] },
  { validators: 100, heights: 3, seeds: [1, 2] },
] as const;
const GOAL_LATENCY_RATIO_64_TO_4 = 3;
/** runSeed commits at least 2 heights (LIVENESS_HEIGHTS); the measured heights follow these. */
const BASE_HEIGHTS = 2;

export interface ScaleCase {
  validators: number;
  runs: Array<{
    seed: number;
    heights: number;
    virtualMs: number;
    /** The baseline run: heights, virtual time and messages until every honest node had them. */
    baseHeights: number;
    baseMs: number;
    messages: number;
    baseMessages: number;
    rounds: number[];
    wallMs: number;
  }>;
  latencyMs: number;
  /** Virtual ms until the baseline height was committed everywhere (start-up included). */
  baseMs: number;
  messagesPerHeight: number;
  wallMsPerHeight: number;
}

/** Fewest messages a height can take: one proposal to n-1 peers, then every validator's prevote
 *  and precommit to n-1 peers. */
function minMessagesPerHeight(n: number): number {
  return (n - 1) * (1 + 2 * n);
}

async function runOnce(validators: number, heights: number, seed: number) {
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
  if (!result.ok) {
    const first = result.violations[0];
    throw new Error(`${validators} validators, seed ${seed}: ${JSON.stringify(first)}`);
  }
  if (result.heightsCommitted < Math.max(heights, BASE_HEIGHTS)) {
    throw new Error(`${validators} validators, seed ${seed}: ${result.heightsCommitted} heights`);
  }
  return result;
}

async function measureCase(validators: number, heights: number, seeds: readonly number[]) {
  const runs: ScaleCase['runs'] = [];
  for (const seed of seeds) {
    const startMs = performance.now();
    const base = await runOnce(validators, BASE_HEIGHTS, seed);
    const result = await runOnce(validators, heights, seed);
    runs.push({
      seed,
      heights: result.heightsCommitted,
      virtualMs: result.virtualTimeMs,
      baseHeights: base.heightsCommitted,
      baseMs: base.virtualTimeMs,
      messages: result.stats.messagesSent,
      baseMessages: base.stats.messagesSent,
      rounds: result.decidedRounds,
      wallMs: performance.now() - startMs,
    });
  }
  const c: ScaleCase = {
    validators,
    runs,
    latencyMs: median(runs.map((r) => (r.virtualMs - r.baseMs) / (r.heights - r.baseHeights))),
    baseMs: median(runs.map((r) => r.baseMs)),
    messagesPerHeight: median(
      runs.map((r) => (r.messages - r.baseMessages) / (r.heights - r.baseHeights)),
    ),
    wallMsPerHeight: median(runs.map((r) => r.wallMs / (r.heights + r.baseHeights))),
  };
  return c;
}

export async function measureScale(): Promise<{ rows: BenchRow[]; cases: ScaleCase[] }> {
  await measureCase(4, BASE_HEIGHTS + 1, [99]); // warm-up: module graph, WebCrypto, the simulator's key pool
  const cases: ScaleCase[] = [];
  for (const c of CASES) cases.push(await measureCase(c.validators, c.heights, c.seeds));
  const base = cases[0]!;
  const rows = cases.map((c): BenchRow => {
    const latencyRatio = c.latencyMs / base.latencyMs;
    const goal =
      c.validators === 64
        ? `goal ≤ ${GOAL_LATENCY_RATIO_64_TO_4}× at 64: ${latencyRatio <= GOAL_LATENCY_RATIO_64_TO_4 ? 'met' : 'NOT met'}; `
        : '';
    const rounds = c.runs.flatMap((r) => r.rounds);
    return {
      group: 5,
      measure: `scale: ${c.validators} validators (simulator)`,
      value: `${fmt(c.latencyMs)} virtual ms/height; ` + `${fmt(c.messagesPerHeight)} msgs/height`,
      limit:
        `${fmt(base.latencyMs)} ms at 4 validators; ` +
        `${fmt(minMessagesPerHeight(c.validators))} msgs (all-to-all minimum)`,
      ratio:
        `${ratio(latencyRatio)} latency; ` +
        `${ratio(c.messagesPerHeight / minMessagesPerHeight(c.validators))} msgs`,
      note:
        `${goal}commit-to-commit of the shipped node (no commit wait: a height starts when ` +
        `the last one commits and a client tx waits); ` +
        `${BASE_HEIGHTS} heights (start-up included) at ${fmt(c.baseMs)} ms; median of ` +
        `${c.runs.length} seeds × ${(c.runs[0]?.heights ?? 0) - BASE_HEIGHTS} heights; rounds > 0: ${rounds.filter((r) => r > 0).length}/${rounds.length}; ` +
        `real Ed25519, but virtual time charges network latency (2-10 ms) only, not CPU; ` +
        `wall ${fmt(c.wallMsPerHeight / 1000, 1)} s/height`,
      status: 'measured',
      data: c,
    };
  });
  return { rows, cases };
}
