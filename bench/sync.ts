// Row 4 of `npm run bench`: fresh-tab sync. A chain of SYNC_BLOCKS blocks × SYNC_TXS_PER_BLOCK
// transfers (bench/sync-chain.ts, 4 validators, real signatures) is served by a Node peer that
// speaks the product's protocols over WebRTC through the relay (the tab's own libp2p stack and
// Libp2pNetwork, node-datachannel underneath); a fresh Chromium profile joins from an invite
// link and catches up with full verification (IndexedDB store). Measured: wall time, verified
// tx/s, peak JS heap (CDP), the longest main-thread task, next to the WebCrypto verify ceiling
// of all cores measured in the same browser; the median of SYNC_RUNS fresh profiles
// (BENCH_SYNC_RUNS).
// Run: unshare -n sh -c 'ip link set lo up; npx tsx bench/sync.ts'   (or BENCH_ONLY=sync)
// BENCH_SYNC_PROFILE=<file.cpuprofile> also records the first run's main-thread CPU profile.
// measureSync({ access: 'private' }): the same for a private ledger: the peer names its protocols
// from the network secret and seals every range-sync frame with AES-GCM under the epoch key; the
// tab joins from an invite carrying the secret and key (BENCH_ACCESS=private when run alone).
import '../src/server/polyfill';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { decodeBlock } from '../src/lib/core/encoding';
import { genesisState } from '../src/lib/core/genesis';
import { blockHash, ZERO_HASH } from '../src/lib/core/hash';
import { createBrowserLibp2p } from '../src/lib/net/libp2p-browser';
import { Libp2pNetwork } from '../src/lib/net/libp2p-network';
import type { BlockSource, EncodedBlock } from '../src/lib/net/network';
import { networkNameOf } from '../src/lib/net/ledger-cipher';
import { inviteLink, makeInvite } from '../src/lib/node/invite';
import { Keyring } from '../src/lib/node/keyring';
import { launchChromium, newDevice } from '../test/browser/support/chromium';
import { freePort, relayKeyFile, startRelayProcess } from '../test/browser/support/relay-process';
import { startPageServer } from './lib/page-server';
import { fmt, median, medianRun, perSecond, ratio } from './lib/stats';
import { measuredRows, type BenchRow } from './lib/table';
import type { SyncRun } from './sync-page/sync';
import { syncChain, type SyncChain } from './sync-chain';

export const SYNC_BLOCKS = Number(process.env.BENCH_SYNC_BLOCKS ?? 10_000);
export const SYNC_TXS_PER_BLOCK = 10;
export const SYNC_VALIDATORS = 4;
const VALIDATORS = SYNC_VALIDATORS;
/** Goal from issue #7: verified tx/s, or 80% of the all-core verify ceiling if that is lower. */
const GOAL_TXS_PER_S = 5_000;
const GOAL_CEILING_SHARE = 0.8;
const CEILING_VERIFIES = 2_000;
const CEILING_RUNS = 3;
/** Fresh profiles that each sync the whole chain; the figures are the median run's. */
const SYNC_RUNS = Number(process.env.BENCH_SYNC_RUNS ?? 3);
/** About a transfer's signed bytes. */
const MESSAGE_BYTES = 200;
export const SYNC_TIMEOUT_MS = Number(process.env.BENCH_SYNC_TIMEOUT_MS ?? 240_000);
const PAGE_READY_TIMEOUT_MS = 90_000;
const PAGE_LOADS_MAX = 3;
const HEAP_SAMPLE_MS = 500;

export interface SyncResult {
  chain: { blocks: number; txs: number; bytes: number; buildMs: number; cached: boolean };
  /** The median run (by verified tx/s). */
  run: SyncRun;
  txsPerS: number;
  /** Verified tx/s and longest main-thread task of every run, in run order. */
  txsPerSRuns: number[];
  longTaskMsRuns: number[];
  /** Verifiable txs per second if every check used the ceiling (a block = 10 txs + 4 precommits). */
  heapBytesMax: number;
  cores: number;
  verifyPerSOneThread: number;
  verifyPerSWorkers: number;
  ceilingPerS: number;
  ceilingTxsPerS: number;
  goalTxsPerS: number;
  access: 'public' | 'private';
  rows: BenchRow[];
}

export interface SyncOptions {
  /** Default 'public'. */
  access?: 'public' | 'private';
  /** Fresh profiles; default SYNC_RUNS. */
  runs?: number;
}

export function arraySource(chainId: string, encoded: EncodedBlock[]): BlockSource {
  const head = encoded.at(-1);
  const headHash = head ? blockHash(decodeBlock(head.block)) : ZERO_HASH;
  return {
    async getBlocks(from, to) {
      return encoded.slice(from - 1, to);
    },
    status: () => ({ chainId, height: encoded.length, headHash }),
  };
}

/** The serving peer: a tab's libp2p stack (WebRTC + circuit relay + discovery) in Node. */
async function startServingPeer(chain: SyncChain, relays: string[]): Promise<Libp2pNetwork> {
  const chainId = genesisState(chain.genesis).chainId;
  const cipher = chain.keyring ? Keyring.inMemory(chain.keyring) : null;
  const libp2p = await createBrowserLibp2p({
    chainIds: [networkNameOf(chainId, cipher)],
    iceServers: [],
  });
  const network = new Libp2pNetwork(
    { chainId, relays },
    { libp2p, blocks: arraySource(chainId, chain.encoded), cipher },
  );
  await network.start();
  return network;
}

/**
 * Vite may re-optimise dependencies it discovers while serving the page's first load (a 504
 * "Outdated Optimize Dep"); the next load uses the re-optimised bundle.
 */
async function loadPage(page: Page, url: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await page.goto(url);
    try {
      await page.waitForFunction(() => 'syncBench' in window, null, {
        timeout: PAGE_READY_TIMEOUT_MS / PAGE_LOADS_MAX,
      });
      return;
    } catch (error) {
      if (attempt >= PAGE_LOADS_MAX) throw error;
    }
  }
}

async function sampleHeap(cdp: CDPSession, stop: AbortSignal): Promise<number> {
  let maxBytes = 0;
  await cdp.send('Performance.enable');
  while (!stop.aborted) {
    const { metrics } = await cdp.send('Performance.getMetrics');
    const used = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0;
    maxBytes = Math.max(maxBytes, used);
    await new Promise((resolve) => setTimeout(resolve, HEAP_SAMPLE_MS));
  }
  return maxBytes;
}

/** A page of the sync bench in `context`, with its console errors echoed. */
export async function openSyncPage(context: BrowserContext, serverUrl: string): Promise<Page> {
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') console.error(`bench sync page: ${message.text()}`);
  });
  await loadPage(page, `${serverUrl}/sync.html`);
  return page;
}

/** One fresh profile joins from `link` and syncs the whole chain; its run and peak JS heap. */
async function syncOnce(
  browser: Browser,
  serverUrl: string,
  link: string,
  chain: SyncChain,
  peer: Libp2pNetwork,
  profileFile: string | undefined,
): Promise<{ run: SyncRun; heapBytesMax: number }> {
  const context = await newDevice(browser, serverUrl);
  try {
    const page = await openSyncPage(context, serverUrl);
    const cdp = await context.newCDPSession(page);
    if (profileFile) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
      await cdp.send('Profiler.start');
    }
    const stopHeap = new AbortController();
    const heap = sampleHeap(cdp, stopHeap.signal);
    let run: SyncRun;
    try {
      run = await page.evaluate(
        ([invite, target, timeoutMs]) => window.syncBench.run(invite, target, timeoutMs),
        [link, chain.encoded.length, SYNC_TIMEOUT_MS] as const,
      );
    } catch (error) {
      console.error(
        'bench sync: serving peer',
        JSON.stringify(peer.connectivity()),
        peer.node.getConnections().map((c) => c.remoteAddr.toString()),
      );
      throw error;
    } finally {
      stopHeap.abort();
    }
    const heapBytesMax = Math.max(await heap, run.heapUsedBytesMax);
    if (profileFile) {
      const { profile } = await cdp.send('Profiler.stop');
      writeFileSync(profileFile, JSON.stringify(profile));
    }
    return { run, heapBytesMax };
  } finally {
    await context.close().catch(() => undefined);
  }
}

export async function measureSync(options: SyncOptions = {}): Promise<SyncResult> {
  const access = options.access ?? 'public';
  const runCount = options.runs ?? SYNC_RUNS;
  const chainStartMs = performance.now();
  const chain = await syncChain({
    blocks: SYNC_BLOCKS,
    txsPerBlock: SYNC_TXS_PER_BLOCK,
    validators: VALIDATORS,
    access,
  });
  console.error(
    `bench sync: chain of ${chain.encoded.length} blocks ${chain.cached ? 'from cache' : 'built'} in ${((performance.now() - chainStartMs) / 1000).toFixed(1)} s`,
  );
  const relay = await startRelayProcess(await freePort(), relayKeyFile());
  const root = fileURLToPath(new URL('./sync-page', import.meta.url));
  const server = await startPageServer(root, ['sync.html']);
  let peer: Libp2pNetwork | null = null;
  let browser: Browser | null = null;
  try {
    peer = await startServingPeer(chain, relay.multiaddrs);
    browser = await launchChromium();
    // The verify ceiling, on a page of its own (same browser, same run).
    const ceilingContext = await newDevice(browser, server.url);
    const ceilingPage = await openSyncPage(ceilingContext, server.url);
    const cores = await ceilingPage.evaluate(() => window.syncBench.cores());
    const onPage: number[] = [];
    const onWorkers: number[] = [];
    await ceilingPage.evaluate((b) => window.syncBench.verifyOnPage(200, b), MESSAGE_BYTES); // warm-up
    for (let i = 0; i < CEILING_RUNS; i++) {
      const one = await ceilingPage.evaluate(([n, b]) => window.syncBench.verifyOnPage(n, b), [
        CEILING_VERIFIES,
        MESSAGE_BYTES,
      ] as const);
      onPage.push(perSecond(one.count, one.ms));
      const all = await ceilingPage.evaluate(
        ([w, n, b]) => window.syncBench.verifyOnWorkers(w, n, b),
        [cores, CEILING_VERIFIES, MESSAGE_BYTES] as const,
      );
      onWorkers.push(perSecond(all.count, all.ms));
    }
    await ceilingContext.close();
    const verifyPerSOneThread = median(onPage);
    const verifyPerSWorkers = median(onWorkers);

    // Each run is a fresh profile (its own IndexedDB) syncing the whole chain from the peer.
    // The long link: the serving peer is a headless node that does not serve the genesis.
    const inviteAccess = chain.keyring
      ? {
          networkSecret: chain.keyring.networkSecret,
          epoch: 0,
          key: chain.keyring.epochs[0]?.key as Uint8Array,
        }
      : null;
    const link = inviteLink(server.url, makeInvite(chain.genesis, relay.multiaddrs, inviteAccess), {
      withGenesis: true,
    });
    const runs: { run: SyncRun; heapBytesMax: number }[] = [];
    for (let i = 0; i < runCount; i++) {
      const profileFile = i === 0 ? process.env.BENCH_SYNC_PROFILE : undefined;
      runs.push(await syncOnce(browser, server.url, link, chain, peer, profileFile));
    }
    const txs = chain.encoded.length * SYNC_TXS_PER_BLOCK;
    const { run } = medianRun(runs, ({ run }) => perSecond(txs, run.syncMs));
    const txsPerSRuns = runs.map((r) => perSecond(txs, r.run.syncMs));
    const heapBytesMax = median(runs.map((r) => r.heapBytesMax));
    const longTaskMsRuns = runs.map((r) => r.run.longTaskMsMax);

    const txsPerS = median(txsPerSRuns);
    const ceilingPerS = verifyPerSOneThread * cores;
    // Each tx needs its own verify; each block adds its commit's precommits.
    const checksPerTx = (SYNC_TXS_PER_BLOCK + VALIDATORS) / SYNC_TXS_PER_BLOCK;
    const ceilingTxsPerS = ceilingPerS / checksPerTx;
    const goalTxsPerS = Math.min(GOAL_TXS_PER_S, GOAL_CEILING_SHARE * ceilingTxsPerS);
    const result = {
      chain: {
        blocks: chain.encoded.length,
        txs,
        bytes: chain.bytes,
        buildMs: chain.buildMs,
        cached: chain.cached,
      },
      run,
      txsPerS,
      txsPerSRuns,
      longTaskMsRuns,
      heapBytesMax,
      cores,
      verifyPerSOneThread,
      verifyPerSWorkers,
      ceilingPerS,
      ceilingTxsPerS,
      goalTxsPerS,
      access,
    };
    return { ...result, rows: syncRows(result) };
  } finally {
    await browser?.close().catch(() => undefined);
    await peer?.stop().catch(() => undefined);
    await server.close();
    await relay.kill();
  }
}

function syncRows(r: Omit<SyncResult, 'rows'>): BenchRow[] {
  const what = `${fmt(r.chain.blocks)} blocks × ${SYNC_TXS_PER_BLOCK} transfers (${fmt(r.chain.bytes / 1e6, 1)} MB), ${VALIDATORS} validators, one Node peer over loopback WebRTC via the relay -> fresh Chromium profile (IndexedDB)`;
  const row = measuredRows(4);
  return [
    row(
      'fresh-tab sync: verified tx/s',
      `${fmt(r.txsPerS)} tx/s`,
      `ceiling ${fmt(r.ceilingTxsPerS)} tx/s; goal ${fmt(r.goalTxsPerS)} tx/s`,
      `${ratio(r.txsPerS / r.ceilingTxsPerS)} ceiling, ${ratio(r.txsPerS / r.goalTxsPerS)} goal`,
      `median of ${r.txsPerSRuns.length} fresh profiles (${r.txsPerSRuns.map((x) => fmt(x)).join(', ')} tx/s); ${what}; every commit and tx signature verified; ceiling = WebCrypto verify ${fmt(r.verifyPerSOneThread)}/s on one thread × ${r.cores} cores / ${((SYNC_TXS_PER_BLOCK + VALIDATORS) / SYNC_TXS_PER_BLOCK).toFixed(1)} verifies per tx (${r.cores} Workers at once measured ${fmt(r.verifyPerSWorkers)}/s); goal = min(${fmt(GOAL_TXS_PER_S)}, ${GOAL_CEILING_SHARE * 100}% ceiling)`,
    ),
    row(
      'fresh-tab sync: wall time',
      `${fmt(r.run.wallMs / 1000, 1)} s`,
      `sync alone ${fmt(r.run.syncMs / 1000, 1)} s`,
      '—',
      `from opening the ledger (start, relay, discovery, WebRTC, status) to head ${fmt(r.run.height)} committed; chain ${r.chain.cached ? 'cached' : `built in ${fmt(r.chain.buildMs / 1000, 1)} s`}`,
    ),
    row(
      'fresh-tab sync: peak JS heap',
      `${fmt(r.heapBytesMax / 1024 / 1024, 1)} MiB`,
      '—',
      '—',
      "median of the runs' peaks; CDP Performance.getMetrics JSHeapUsedSize every 500 ms (and performance.memory)",
    ),
    row(
      'fresh-tab sync: longest main-thread task',
      `${fmt(median(r.longTaskMsRuns))} ms`,
      'goal 50 ms',
      ratio(median(r.longTaskMsRuns) / 50),
      `longest task of each run ${r.longTaskMsRuns.map((ms) => `${fmt(ms)} ms`).join(', ')}; ` +
        `the median run: ${fmt(r.run.longTasks)} long tasks (> 50 ms), ` +
        `${fmt(r.run.longTaskMsTotal)} ms in all, PerformanceObserver 'longtask'; ` +
        longTaskPhases(r.run.longTaskTop),
    ),
  ];
}

/** Where the longest tasks fell: while opening the ledger (before the sync began) or during it. */
function longTaskPhases(top: readonly [number, number][]): string {
  const longest = (tasks: readonly [number, number][]) =>
    tasks.length === 0 ? 'none' : `${fmt(Math.max(...tasks.map(([, ms]) => ms)))} ms`;
  const opening = top.filter(([startMs]) => startMs < 0);
  const syncing = top.filter(([startMs]) => startMs >= 0);
  const listed = top.map(([startMs, ms]) => `${fmt(ms)} ms at ${fmt(startMs / 1000, 1)} s`);
  return (
    `longest while opening the ledger ${longest(opening)}, during the sync ${longest(syncing)} ` +
    `(longest ${top.length}, from the sync's start: ${listed.join(', ')})`
  );
}

/**
 * The private ledger's rows, next to the public figures of the same run (null: not measured):
 * verified tx/s and wall time, each with the ratio private/public.
 */
export function privateSyncRows(
  r: Omit<SyncResult, 'rows'>,
  publicRun: Pick<SyncResult, 'txsPerS' | 'run'> | null,
): BenchRow[] {
  const differs =
    `as the public rows, ${r.txsPerSRuns.length} fresh profile(s) (fewer runs); differs: genesis with membership, ` +
    `protocol ids named from the network secret, every range-sync frame sealed by the peer and ` +
    `opened by the tab with AES-GCM under the epoch key (WebCrypto), invite link carries secret + key`;
  const row = measuredRows(4);
  return [
    row(
      'fresh-tab sync: verified tx/s, private ledger',
      `${fmt(r.txsPerS)} tx/s`,
      publicRun ? `public ${fmt(publicRun.txsPerS)} tx/s` : 'public not measured',
      publicRun ? `${ratio(r.txsPerS / publicRun.txsPerS)} public` : '',
      `${differs}; runs ${r.txsPerSRuns.map((x) => fmt(x)).join(', ')} tx/s; ${fmt(r.chain.blocks)} blocks × ${SYNC_TXS_PER_BLOCK} transfers`,
    ),
    row(
      'fresh-tab sync: wall time, private ledger',
      `${fmt(r.run.wallMs / 1000, 1)} s`,
      publicRun ? `public ${fmt(publicRun.run.wallMs / 1000, 1)} s` : 'public not measured',
      publicRun ? `${ratio(r.run.wallMs / publicRun.run.wallMs)} public` : '',
      `sync alone ${fmt(r.run.syncMs / 1000, 1)} s; chain ${r.chain.cached ? 'cached' : `built in ${fmt(r.chain.buildMs / 1000, 1)} s`}`,
    ),
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const access = process.env.BENCH_ACCESS === 'private' ? 'private' : 'public';
  const result = await measureSync({ access });
  console.log(
    `load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' / ')}`,
  );
  console.log('| measure | value | limit | ratio | note |\n|---|---|---|---|---|');
  for (const row of result.rows) {
    console.log(`| ${row.measure} | ${row.value} | ${row.limit} | ${row.ratio} | ${row.note} |`);
  }
  const { progress, ...run } = result.run;
  console.log(JSON.stringify({ ...result, rows: undefined, run }, null, 1));
  console.log(`progress: ${JSON.stringify(progress.filter((_, i) => i % 20 === 0))}`);
  process.exit(0);
}
