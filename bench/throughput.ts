// Throughput of 4 Chromium tabs (4 validator devices over loopback WebRTC, one relay, as in
// bench/finality.ts) under a steady load from every tab: each tab keeps `windowPerTab` of its
// own transfers pending (a closed window: as transfers commit, it submits as many new ones at
// once, which the node group-commits), for a warm-up and then MEASURE_MS. Measured per offered
// load:
// - committed tx/s: transfers in blocks committed on all 4 tabs (a block counts when the last
//   tab commits it), per RATE_SAMPLE_MS bucket; the median bucket is the sustained rate;
// - latency: submit (the test asks a tab to sign and submit) -> the block holding the tx is
//   committed on every tab, p50/p99 over the transfers submitted in the measured window.
// The highest load runs TOP_LOAD_RUNS times and reports its median run; the lower loads (the
// shape of the latency curve) run once, for LOWER_LOAD_MEASURE_MS.
// The ceiling, measured in the same browser in the same run (bench/limits-page): WebCrypto
// Ed25519 verify/s of one page × cores ÷ tabs, since every tab verifies every tx and a page's
// WebCrypto runs on one thread.
// Run: unshare -n sh -c 'ip link set lo up; npx tsx bench/throughput.ts'   (or via npm run bench)
// THROUGHPUT_WINDOWS, THROUGHPUT_WARMUP_MS and THROUGHPUT_MEASURE_MS pick the loads; with
// THROUGHPUT_PROFILE_TAB=<index> one tab's main thread is profiled, and THROUGHPUT_PROFILE_FILE=
// <file.cpuprofile> keeps that raw profile (open it in DevTools).
import '../src/server/polyfill';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { newDevice } from '../test/browser/support/chromium';
import { committed, until } from '../test/browser/support/ledger-devices';
import {
  renderSummary,
  startCpuProfile,
  summarizeProfile,
  type ProfileSummary,
} from './lib/cpu-profile';
import { LEDGER_TABS, withLedgerTabs, type LedgerTabs } from './lib/ledger-tabs';
import { startPageServer } from './lib/page-server';
import { renderThreadCpu, startThreadCpu, type ThreadCpu } from './lib/thread-cpu';
import { fmt, median, medianRun, percentile, perSecond, ratio } from './lib/stats';
import type { BenchRow } from './lib/table';

export const THROUGHPUT_DEVICES = LEDGER_TABS;
/** Offered loads: transfers each tab keeps pending (the mempool allows 256 per sender). */
export const THROUGHPUT_WINDOWS_PER_TAB = [16, 64, 192];
export const WARMUP_MS = 10_000;
export const MEASURE_MS = 60_000;
export const RATE_SAMPLE_MS = 5_000;
/** Runs of the highest offered load; its figures are the median run's. */
export const TOP_LOAD_RUNS = 3;
/** The measured window of each lower load (one run each). */
export const LOWER_LOAD_MEASURE_MS = 30_000;
/** After a load step, how long its last transfers may take to commit before the next step. */
const DRAIN_TIMEOUT_MS = 60_000;
/** A transfer not committed this long is counted lost and leaves the window (never expected). */
const TX_LOST_AFTER_MS = 30_000;
/** Each sender's funding: enough for every transfer of every step at amount 1. */
const FUNDING_AMOUNT = 200_000;
const RECIPIENT = 'ab'.repeat(20);

const CEILING_RUNS = 5;
const ED25519_COUNT = 1_000;
/** About a transfer's signed bytes (as bench/limits.ts). */
const MESSAGE_BYTES = 200;
const PAGE_READY_TIMEOUT_MS = 60_000;

export interface LoadStep {
  windowPerTab: number;
  /** Length of the measured window. */
  measureMs: number;
  /** committedPerS of every run of this load (the step is the median run). */
  committedPerSRuns: number[];
  /** Transfers signed and submitted per second, all tabs, measured window. */
  offeredPerS: number;
  /** Median over RATE_SAMPLE_MS buckets of transfers committed on all tabs per second. */
  committedPerS: number;
  /** Transfers committed on all tabs in the measured window ÷ its duration. */
  committedMeanPerS: number;
  bucketRatesPerS: number[];
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencySamples: number;
  /** Blocks committed on all tabs in the measured window, and their median size. */
  blocks: number;
  txsPerBlockMedian: number;
  /** Median time between consecutive blocks committed on all tabs. */
  blockIntervalMedianMs: number;
  /** Blocks decided in a round > 0 (a round timed out: no proposal in time, or split votes). */
  blocksAfterRoundZero: number;
  lost: number;
  /** Median time from a submit to its transfer stored and gossiped (its batch wait included). */
  submitP50Ms: number;
  submitMeanMs: number;
  /** CPU profile of one tab's main thread over the measured window, when asked for. */
  profile?: ProfileSummary;
  /** CPU of every thread on the machine over the measured window, by thread class. */
  threadCpu: ThreadCpu;
}

export interface ThroughputResult {
  steps: LoadStep[];
  best: LoadStep;
  /** WebCrypto Ed25519 verify/s of one page, median of CEILING_RUNS runs, and the samples. */
  verifyPerS: number;
  verifySamplesPerS: number[];
  cores: number;
  /** verifyPerS × cores ÷ tabs: the tx/s each tab could verify if it did nothing else. */
  ceilingPerS: number;
  ratio: number;
}

interface Submitted {
  hash: string;
  submittedMs: number;
  /** How long the tab took to sign, store and publish it (window.ledger.transfer). */
  submitMs: number;
}

/** In the page: keep `windowTxs` own transfers pending for `runMs`; returns what it submitted. */
function driveLoad(page: Page, chainId: string, windowTxs: number, runMs: number) {
  return page.evaluate(
    async ([id, to, size, durationMs, lostAfterMs]) => {
      const submitted: { hash: string; submittedMs: number; submitMs: number }[] = [];
      let pending: { hash: string; submittedMs: number }[] = [];
      let inFlight = 0;
      let lost = 0;
      let failed: unknown = null;
      const endMs = Date.now() + durationMs;
      while (Date.now() < endMs && failed === null) {
        const heights = window.ledger.ownTxHeights(
          id,
          pending.map((p) => p.hash),
        );
        const now = Date.now();
        pending = pending.filter((p, i) => {
          if (heights[i] !== null) return false;
          if (now - p.submittedMs > lostAfterMs) {
            lost++;
            return false;
          }
          return true;
        });
        // Refill the window at once: the tab signs and stores quick submits together.
        // (No named function in here: the bundler would wrap it in a helper the page lacks.)
        for (let n = pending.length + inFlight; n < size; n++) {
          void (async () => {
            const submittedMs = Date.now();
            inFlight++;
            try {
              const activity = await window.ledger.transfer(id, to, 1);
              const submitMs = Date.now() - submittedMs;
              const entry = { hash: activity.hash, submittedMs, submitMs };
              submitted.push(entry);
              pending.push(entry);
            } catch (error) {
              failed = error;
            } finally {
              inFlight--;
            }
          })();
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      while (inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 5));
      if (failed !== null) throw failed;
      return { submitted, lost };
    },
    [chainId, RECIPIENT, windowTxs, runMs, TX_LOST_AFTER_MS] as const,
  );
}

/** When each tab committed heights from..to (Date.now() in the tab; null if not yet). */
function commitTimes(page: Page, chainId: string, from: number, to: number) {
  return page.evaluate(
    ([id, first, last]) => {
      const out: (number | null)[] = [];
      for (let h = first; h <= last; h++) out.push(window.ledger.committedAt(id, h));
      return out;
    },
    [chainId, from, to] as const,
  );
}

/** Per height from..to: its tx count and the consensus round that decided it. */
function blockFacts(page: Page, chainId: string, from: number, to: number) {
  return page.evaluate(
    async ([id, first, last]) => {
      const heights = Array.from({ length: last - first + 1 }, (_, i) => first + i);
      return Promise.all(
        heights.map(async (h) => {
          const block = await window.ledger.block(id, h);
          return { txs: block?.txCount ?? 0, round: block?.commit?.round ?? 0 };
        }),
      );
    },
    [chainId, from, to] as const,
  );
}

const heightOf = async (page: Page, chainId: string) =>
  (await page.evaluate((id) => window.ledger.status(id), chainId)).height;

interface Timing {
  warmupMs: number;
  measureMs: number;
  /** Index of the tab whose main thread is CPU-profiled over the measured window. */
  profileTab?: number;
  /** Where to write that raw profile (.cpuprofile), if anywhere. */
  profileFile?: string;
}

async function loadStep(members: Page[], chainId: string, windowPerTab: number, timing: Timing) {
  const { warmupMs, measureMs } = timing;
  const firstHeight = (await heightOf(members[0] as Page, chainId)) + 1;
  const startedMs = Date.now();
  const running = Promise.all(
    members.map((page) => driveLoad(page, chainId, windowPerTab, warmupMs + measureMs)),
  );
  let profile: ProfileSummary | undefined;
  const profiled = timing.profileTab === undefined ? undefined : members[timing.profileTab];
  await new Promise((resolve) => setTimeout(resolve, warmupMs));
  const stopThreadCpu = startThreadCpu();
  const stopProfile = profiled ? await startCpuProfile(profiled) : null;
  await new Promise((resolve) => setTimeout(resolve, measureMs));
  const threadCpu = stopThreadCpu();
  if (stopProfile) {
    const raw = await stopProfile();
    if (timing.profileFile) writeFileSync(timing.profileFile, JSON.stringify(raw));
    profile = summarizeProfile(raw);
  }
  const runs = await running;
  const windowStartMs = startedMs + warmupMs;
  const windowEndMs = windowStartMs + measureMs;

  // Let the last transfers commit everywhere, so the next step starts from an idle ledger.
  const heightsOf = (page: Page, run: { submitted: Submitted[] }) =>
    page.evaluate(([id, hashes]) => window.ledger.ownTxHeights(id, hashes), [
      chainId,
      run.submitted.map((s) => s.hash),
    ] as [string, string[]]);
  const txHeights = await until(
    'the load step drains',
    async () => {
      const all = await Promise.all(members.map((page, i) => heightsOf(page, runs[i]!)));
      return all.every((heights) => heights.every((h) => h !== null)) ? all : null;
    },
    DRAIN_TIMEOUT_MS,
    500,
  ).catch(() => Promise.all(members.map((page, i) => heightsOf(page, runs[i]!))));
  const lastHeight = Math.max(
    firstHeight,
    ...txHeights.flat().filter((h): h is number => h !== null),
  );
  await until(
    'every tab commits the last block of the step',
    async () => {
      const heights = await Promise.all(members.map((page) => heightOf(page, chainId)));
      return heights.every((h) => h >= lastHeight);
    },
    DRAIN_TIMEOUT_MS,
    200,
  );

  const perTab = await Promise.all(
    members.map((page) => commitTimes(page, chainId, firstHeight, lastHeight)),
  );
  const facts = await blockFacts(members[0] as Page, chainId, firstHeight, lastHeight);
  const counts = facts.map((fact) => fact.txs);
  /** Index h - firstHeight: when the last tab committed height h. */
  const everywhereMs = counts.map((_, i) => {
    const times = perTab.map((tab) => tab[i] ?? null);
    return times.every((t) => t !== null) ? Math.max(...(times as number[])) : null;
  });

  const buckets = Array.from({ length: Math.ceil(measureMs / RATE_SAMPLE_MS) }, () => 0);
  let windowTxs = 0;
  const windowBlockSizes: number[] = [];
  const windowBlockTimesMs: number[] = [];
  let laterRounds = 0;
  everywhereMs.forEach((atMs, i) => {
    if (atMs === null || atMs < windowStartMs || atMs >= windowEndMs) return;
    const txs = counts[i] ?? 0;
    windowBlockTimesMs.push(atMs);
    if ((facts[i]?.round ?? 0) > 0) laterRounds++;
    const bucket = Math.floor((atMs - windowStartMs) / RATE_SAMPLE_MS);
    buckets[bucket] = (buckets[bucket] ?? 0) + txs;
    windowTxs += txs;
    windowBlockSizes.push(txs);
  });

  const latencies: number[] = [];
  const submitDurationsMs: number[] = [];
  let offered = 0;
  runs.forEach((run, tab) => {
    run.submitted.forEach((tx, i) => {
      if (tx.submittedMs < windowStartMs || tx.submittedMs >= windowEndMs) return;
      offered++;
      submitDurationsMs.push(tx.submitMs);
      const height = txHeights[tab]?.[i];
      const atMs = height == null ? null : everywhereMs[height - firstHeight];
      if (atMs != null) latencies.push(atMs - tx.submittedMs);
    });
  });

  const bucketRatesPerS = buckets.map((txs) => perSecond(txs, RATE_SAMPLE_MS));
  const committedPerS = median(bucketRatesPerS);
  const step: LoadStep = {
    windowPerTab,
    measureMs,
    committedPerSRuns: [committedPerS],
    offeredPerS: perSecond(offered, measureMs),
    committedPerS,
    committedMeanPerS: perSecond(windowTxs, measureMs),
    bucketRatesPerS,
    latencyP50Ms: median(latencies),
    latencyP99Ms: percentile(latencies, 99),
    latencySamples: latencies.length,
    blocks: windowBlockSizes.length,
    txsPerBlockMedian: median(windowBlockSizes),
    blockIntervalMedianMs: median(
      windowBlockTimesMs.slice(1).map((atMs, i) => atMs - (windowBlockTimesMs[i] as number)),
    ),
    blocksAfterRoundZero: laterRounds,
    lost: runs.reduce((sum, run) => sum + run.lost, 0),
    submitP50Ms: median(submitDurationsMs),
    submitMeanMs: Math.round(
      submitDurationsMs.reduce((sum, ms) => sum + ms, 0) / Math.max(1, submitDurationsMs.length),
    ),
    ...(profile ? { profile } : {}),
    threadCpu,
  };
  return step;
}

/** WebCrypto Ed25519 verify/s in one page of this browser (bench/limits-page), per run. */
async function measureVerifyPerS(browser: Browser, contexts: BrowserContext[]): Promise<number[]> {
  const root = fileURLToPath(new URL('./limits-page', import.meta.url));
  const server = await startPageServer(root, ['limits.html']);
  try {
    const context = await newDevice(browser, server.url);
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${server.url}/limits.html`);
    await page.waitForFunction(() => 'limits' in window, null, {
      timeout: PAGE_READY_TIMEOUT_MS,
    });
    const run = () =>
      page.evaluate(([n, b]) => window.limits.ed25519(n, b), [
        ED25519_COUNT,
        MESSAGE_BYTES,
      ] as const);
    await run(); // warm-up
    const rates: number[] = [];
    for (let i = 0; i < CEILING_RUNS; i++) {
      const { verify } = await run();
      rates.push(perSecond(verify.count, verify.ms));
    }
    await page.close();
    return rates;
  } finally {
    await server.close();
  }
}

/** On `tabs` (4 validator tabs of one ledger), or on tabs of its own. */
export async function measureThroughput(
  windows: readonly number[] = THROUGHPUT_WINDOWS_PER_TAB,
  onStep: (step: LoadStep) => void = () => undefined,
  timing: Timing = { warmupMs: WARMUP_MS, measureMs: MEASURE_MS },
  tabs?: LedgerTabs,
): Promise<ThroughputResult> {
  return withLedgerTabs(tabs, async ({ chainId, members, browser, contexts }) => {
    const creator = members[0] as Page;
    for (const member of members.slice(1)) {
      const address = await member.evaluate(() => window.ledger.address());
      const funding = await creator.evaluate(
        ([id, to, amount]) => window.ledger.transfer(id, to, amount),
        [chainId, address, FUNDING_AMOUNT] as const,
      );
      await committed(creator, chainId, funding.hash, 50);
    }
    // The ceiling is taken with the ledger idle, before the load (same browser, same run).
    const verifySamplesPerS = await measureVerifyPerS(browser, contexts);
    const steps: LoadStep[] = [];
    for (const [index, windowPerTab] of windows.entries()) {
      const top = index === windows.length - 1;
      const runs: LoadStep[] = [];
      for (let run = 0; run < (top ? TOP_LOAD_RUNS : 1); run++) {
        // The CPU profile, when asked for, is of the first run of the highest load.
        const stepTiming: Timing =
          top && run === 0
            ? timing
            : {
                warmupMs: timing.warmupMs,
                measureMs: top
                  ? timing.measureMs
                  : Math.min(timing.measureMs, LOWER_LOAD_MEASURE_MS),
              };
        const step = await loadStep(members, chainId, windowPerTab, stepTiming);
        onStep(step);
        runs.push(step);
      }
      // The run with the median committed tx/s, carrying every run's rate.
      steps.push({
        ...medianRun(runs, (run) => run.committedPerS),
        committedPerSRuns: runs.map((run) => run.committedPerS),
      });
    }
    const best = steps.reduce((a, b) => (b.committedPerS > a.committedPerS ? b : a));
    const verifyPerS = median(verifySamplesPerS);
    const cores = cpus().length;
    const ceilingPerS = (verifyPerS * cores) / THROUGHPUT_DEVICES;
    return {
      steps,
      best,
      verifyPerS,
      verifySamplesPerS,
      cores,
      ceilingPerS,
      ratio: best.committedPerS / ceilingPerS,
    };
  });
}

/** Goal from issue #7: sustained committed tx/s ≥ this share of the verify ceiling. */
export const THROUGHPUT_GOAL_OF_CEILING = 0.8;

/** Rows for `npm run bench` (group 3): the best sustained load, its latency, and every load. */
export function throughputRows(result: ThroughputResult): BenchRow[] {
  const { best } = result;
  const loads = result.steps
    .map(
      (s) =>
        `${s.windowPerTab}/tab: ${fmt(s.committedPerS, 1)} tx/s, p50 ${fmt(s.latencyP50Ms)} ms`,
    )
    .join('; ');
  const ceiling =
    `${fmt(result.ceilingPerS)} tx/s = ${fmt(result.verifyPerS)} verify/s per page × ` +
    `${result.cores} cores ÷ ${THROUGHPUT_DEVICES} tabs`;
  const row = (measure: string, value: string, limit: string, r: string, note: string) => ({
    group: 3,
    measure,
    value,
    limit,
    ratio: r,
    note,
    status: 'measured' as const,
  });
  return [
    row(
      'throughput, committed on all 4 tabs',
      `${fmt(best.committedPerS, 1)} tx/s`,
      ceiling,
      `${ratio(result.ratio, 3)} ceiling (goal ≥ ${THROUGHPUT_GOAL_OF_CEILING}×)`,
      `best of offered loads (pending transfers per tab) ${loads}; a run's rate is the median ` +
        `of ${RATE_SAMPLE_MS / 1000} s buckets over its measured window after ` +
        `${WARMUP_MS / 1000} s warm-up; ${best.windowPerTab}/tab: median of ` +
        `${best.committedPerSRuns.length} runs of ${best.measureMs / 1000} s ` +
        `(${best.committedPerSRuns.map((x) => fmt(x, 1)).join(', ')} tx/s)`,
    ),
    row(
      'latency at that load, p50',
      `${fmt(best.latencyP50Ms)} ms`,
      'goal 150 ms (unloaded finality)',
      `${ratio(best.latencyP50Ms / 150)} goal`,
      `submit -> committed on every tab, ${best.latencySamples} transfers at ${best.windowPerTab} pending per tab`,
    ),
    row(
      'latency at that load, p99',
      `${fmt(best.latencyP99Ms)} ms`,
      'goal 500 ms (unloaded finality)',
      `${ratio(best.latencyP99Ms / 500)} goal`,
      `${best.blocks} blocks, median ${fmt(best.txsPerBlockMedian)} txs per block, one per ` +
        `${fmt(best.blockIntervalMedianMs)} ms (median), ${best.blocksAfterRoundZero} after round 0, ` +
        `${best.lost} lost; submit -> stored in the outbox and gossiped (waiting for its ` +
        `group-commit batch included) ${fmt(best.submitP50Ms)} ms median, ` +
        `${fmt(best.submitMeanMs)} ms mean`,
    ),
    cpuRow(result, row),
  ];
}

/**
 * Where the machine's CPU went at the best load, next to what verification needed of it: every
 * tab verifies every committed tx once, at the verify rate measured in this run.
 */
function cpuRow(
  result: ThroughputResult,
  row: (measure: string, value: string, limit: string, r: string, note: string) => BenchRow,
): BenchRow {
  const { threadCpu } = result.best;
  const verifyCores = (result.best.committedPerS * THROUGHPUT_DEVICES) / result.verifyPerS;
  const goalVerifyCores = THROUGHPUT_GOAL_OF_CEILING * result.cores;
  const classes = threadCpu.cores
    .filter((c) => c.cores >= 0.01)
    .map((c) => `${c.label} ${fmt(c.cores, 2)}`)
    .join('; ');
  return row(
    'CPU at that load (whole machine)',
    `${fmt(threadCpu.totalCores, 2)} of ${result.cores} cores busy`,
    `verification needs ${fmt(verifyCores, 2)} cores of it`,
    `${fmt((100 * verifyCores) / Math.max(threadCpu.totalCores, 1e-9))}% of busy CPU ` +
      `verifies (the goal needs ${fmt(goalVerifyCores, 1)} cores verifying)`,
    `cores used over the measured window, by thread class (Linux /proc): ${classes}; ` +
      `verification = committed tx/s × ${THROUGHPUT_DEVICES} tabs ÷ ${fmt(result.verifyPerS)} verify/s`,
  );
}

export function describeStep(step: LoadStep): string {
  return (
    `| ${step.windowPerTab} | ${step.offeredPerS.toFixed(1)} | ${step.committedPerS.toFixed(1)} ` +
    `| ${step.committedMeanPerS.toFixed(1)} | ${step.latencyP50Ms} | ${step.latencyP99Ms} ` +
    `| ${step.blocks} | ${step.txsPerBlockMedian} | ${step.blockIntervalMedianMs} ` +
    `| ${step.blocksAfterRoundZero} | ${step.submitP50Ms} / ${step.submitMeanMs} | ${step.lost} |`
  );
}

export const STEP_TABLE_HEADER =
  '| pending per tab | offered tx/s | committed tx/s (median of 5 s) | committed tx/s (mean) | latency p50 ms | latency p99 ms | blocks | txs/block (median) | block interval ms (median) | blocks after round 0 | submit ms (median / mean) | lost |\n' +
  '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|';

if (import.meta.url === `file://${process.argv[1]}`) {
  const windows = process.env.THROUGHPUT_WINDOWS
    ? process.env.THROUGHPUT_WINDOWS.split(',').map(Number)
    : THROUGHPUT_WINDOWS_PER_TAB;
  const measureMs = Number(process.env.THROUGHPUT_MEASURE_MS ?? MEASURE_MS);
  const warmupMs = Number(process.env.THROUGHPUT_WARMUP_MS ?? WARMUP_MS);
  const result = await measureThroughput(
    windows,
    (step) => console.error(`step: ${describeStep(step)}`),
    {
      warmupMs,
      measureMs,
      ...(process.env.THROUGHPUT_PROFILE_TAB
        ? { profileTab: Number(process.env.THROUGHPUT_PROFILE_TAB) }
        : {}),
      ...(process.env.THROUGHPUT_PROFILE_FILE
        ? { profileFile: process.env.THROUGHPUT_PROFILE_FILE }
        : {}),
    },
  );
  console.log(
    `load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' / ')}`,
  );
  console.log(STEP_TABLE_HEADER);
  for (const step of result.steps) console.log(describeStep(step));
  console.log(
    `\nverify ceiling: ${result.verifyPerS.toFixed(0)} verify/s per page × ${result.cores} cores ÷ ` +
      `${THROUGHPUT_DEVICES} tabs = ${result.ceilingPerS.toFixed(0)} tx/s; best sustained ` +
      `${result.best.committedPerS.toFixed(1)} tx/s = ${result.ratio.toFixed(3)}× ceiling (goal ≥ 0.80×)`,
  );
  console.log(`verify samples: ${result.verifySamplesPerS.map((x) => x.toFixed(0)).join(', ')}`);
  for (const step of result.steps) {
    console.log(
      `\n${step.windowPerTab} pending per tab: ${renderThreadCpu(step.threadCpu, result.cores)}`,
    );
  }
  for (const step of result.steps) {
    if (!step.profile) continue;
    console.log(
      `\nCPU profile, tab ${process.env.THROUGHPUT_PROFILE_TAB}, ${step.windowPerTab} pending per tab`,
    );
    console.log(renderSummary(step.profile));
  }
}
