// Network benchmark in real Chromium on loopback (run inside a loopback-only namespace):
//   unshare -n sh -c 'ip link set lo up; npx tsx bench/net.ts'
// 4 tabs + an in-process relay: time from page load to a full WebRTC mesh (median of 5 runs),
// gossip latency p50/p99 across the mesh, and range-sync throughput between two tabs.
// Prints a markdown table and writes bench/results/net.json.
import '../src/server/polyfill';
import { mkdirSync, writeFileSync } from 'node:fs';
import { startRelay } from '../src/relay/relay';
import { launchChromium } from '../test/browser/support/chromium';
import { startHarnessServer } from '../test/browser/support/harness-server';
import {
  closeTabs,
  openTab,
  peersOf,
  waitForMesh,
  type Tab,
} from '../test/browser/support/net-pages';

const MESH_RUNS = 5;
const TABS = 4;
const GOSSIP_MESSAGES_PER_TAB = 50;
const GOSSIP_INTERVAL_MS = 20;
const SYNC_BLOCKS = 2_000;
const SYNC_BLOCK_BYTES = 4 * 1024;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;
}

const relay = await startRelay({ listen: ['/ip4/127.0.0.1/tcp/0/ws'] });
const server = await startHarnessServer();
const browser = await launchChromium();

try {
  // Warm Vite's dependency optimisation so the first run does not pay for it.
  await closeTabs([await openTab(browser, server.url, relay.multiaddrs())]);

  const meshMs: number[] = [];
  const meshFromStartMs: number[] = [];
  let tabs: Tab[] = [];
  for (let run = 0; run < MESH_RUNS; run += 1) {
    tabs = await Promise.all(
      Array.from({ length: TABS }, () => openTab(browser, server.url, relay.multiaddrs())),
    );
    await waitForMesh(tabs, 120_000);
    const doneMs = Date.now();
    const loadedMs = await Promise.all(
      tabs.map((t) => t.page.evaluate(() => window.net.loadedAtMs)),
    );
    const startedMs = await Promise.all(
      tabs.map((t) => t.page.evaluate(() => window.net.startedAtMs)),
    );
    meshMs.push(Math.round(doneMs - Math.min(...loadedMs)));
    meshFromStartMs.push(Math.round(doneMs - Math.max(...startedMs)));
    if (run < MESH_RUNS - 1) await closeTabs(tabs);
  }

  // Gossip latency on the last mesh: every tab publishes, every other tab timestamps arrival.
  for (let i = 0; i < GOSSIP_MESSAGES_PER_TAB; i += 1) {
    await Promise.all(
      tabs.map((tab, t) =>
        tab.page.evaluate(
          (text) =>
            window.net.publish('tx', `${text}|${performance.timeOrigin + performance.now()}`),
          `bench-${t}-${i}`,
        ),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, GOSSIP_INTERVAL_MS));
  }
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const latencies: number[] = [];
  let deliveries = 0;
  for (const tab of tabs) {
    const received = await tab.page.evaluate(() => window.net.received());
    for (const message of received) {
      const [label, sentMs] = message.text.split('|');
      if (!label?.startsWith('bench-')) continue;
      deliveries += 1;
      latencies.push(message.atMs - Number(sentMs));
    }
  }
  latencies.sort((a, b) => a - b);
  const expected = TABS * (TABS - 1) * GOSSIP_MESSAGES_PER_TAB;
  await closeTabs(tabs);

  // Range sync between two tabs over their direct WebRTC connection.
  const serverTab = await openTab(browser, server.url, relay.multiaddrs(), {
    blocks: SYNC_BLOCKS,
    blockBytes: SYNC_BLOCK_BYTES,
  });
  const clientTab = await openTab(browser, server.url, relay.multiaddrs());
  await waitForMesh([serverTab, clientTab], 60_000);
  const deadline = Date.now() + 30_000;
  while (
    !(await peersOf(clientTab)).some((p) => p.id === serverTab.peerId && p.status !== null) &&
    Date.now() < deadline
  ) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const sync = await clientTab.page.evaluate((n) => window.net.sync(1, n), SYNC_BLOCKS);
  const transports = (await peersOf(clientTab)).find((p) => p.id === serverTab.peerId)?.transports;
  await closeTabs([serverTab, clientTab]);

  const sortedMesh = [...meshMs].sort((a, b) => a - b);
  const sortedFromStart = [...meshFromStartMs].sort((a, b) => a - b);
  const results = {
    meshMsMedian: percentile(sortedMesh, 50),
    meshMsRuns: meshMs,
    meshFromLastStartMsMedian: percentile(sortedFromStart, 50),
    meshFromLastStartMsRuns: meshFromStartMs,
    gossipP50Ms: percentile(latencies, 50),
    gossipP99Ms: percentile(latencies, 99),
    gossipDelivered: `${deliveries}/${expected}`,
    syncComplete: sync.complete,
    syncBlocks: sync.blocks,
    syncBlocksPerS: (sync.blocks / sync.elapsedMs) * 1000,
    syncMBPerS: sync.bytes / 1e6 / (sync.elapsedMs / 1000),
    syncTransport: transports?.join(',') ?? 'none',
  };
  const rows: [string, string][] = [
    [
      `page load -> full WebRTC mesh, ${TABS} tabs (median of ${MESH_RUNS})`,
      `${results.meshMsMedian} ms (runs: ${meshMs.join(', ')})`,
    ],
    [
      `last tab's node start -> full mesh (median of ${MESH_RUNS})`,
      `${results.meshFromLastStartMsMedian} ms (runs: ${meshFromStartMs.join(', ')})`,
    ],
    [
      `gossip latency p50 / p99 (${results.gossipDelivered} delivered)`,
      `${results.gossipP50Ms.toFixed(1)} / ${results.gossipP99Ms.toFixed(1)} ms`,
    ],
    [
      `range sync ${SYNC_BLOCKS} x ${SYNC_BLOCK_BYTES / 1024} KiB blocks, tab to tab (${results.syncTransport})`,
      `${results.syncBlocksPerS.toFixed(0)} blocks/s, ${results.syncMBPerS.toFixed(2)} MB/s` +
        (sync.complete ? '' : ' (INCOMPLETE)'),
    ],
  ];
  console.log('\n| measure | value |\n|---|---|');
  for (const [name, value] of rows) console.log(`| ${name} | ${value} |`);
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/net.json', JSON.stringify(results, null, 2));
} finally {
  await browser.close();
  await server.close();
  await relay.stop();
}
