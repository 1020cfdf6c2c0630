// Row 4's always-on peer rows of `npm run bench`: fresh-tab sync served by the always-on peer.
// The chain of row 4 (bench/sync-chain.ts: SYNC_BLOCKS blocks × SYNC_TXS_PER_BLOCK transfers,
// 4 validators, cached) is served once by a plain Node network over TCP; the always-on peer
// (src/peer, a child process, SQLite) joins from an invite link as an observer and catches up
// from it with full verification. Then that source stops, and fresh Chromium profiles join from
// the peer's own invite link and sync the whole chain from the peer alone (WebSocket to the
// peer, IndexedDB, full verification), as a phone does when every other device is closed.
// Also measured: the peer's own catch-up rate, and how long a restart takes with the whole chain
// on disk, after SIGTERM and after SIGKILL (which makes the store check every page first).
// Run: unshare -n sh -c 'ip link set lo up; npx tsx bench/peer-sync.ts'   (or BENCH_ONLY=peer)
import '../src/server/polyfill';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { genesisState } from '../src/lib/core/genesis';
import type { Libp2pNetwork } from '../src/lib/net/libp2p-network';
import { createNodeNetwork } from '../src/lib/net/node-network';
import { sqliteLedgerPath } from '../src/lib/store/sqlite/index';
import { walBytes } from '../src/lib/store/sqlite/integrity';
import { inviteLink, makeInvite } from '../src/lib/node/invite';
import { launchChromium, newDevice } from '../test/browser/support/chromium';
import { freePort, relayKeyFile, startRelayProcess } from '../test/browser/support/relay-process';
import { startPeerProcess, type PeerProcess } from '../test/support/peer-process';
import { startPageServer } from './lib/page-server';
import { fmt, median, perSecond, ratio } from './lib/stats';
import { measuredRows, type BenchRow } from './lib/table';
import type { SyncRun } from './sync-page/sync';
import {
  arraySource,
  openSyncPage,
  SYNC_BLOCKS,
  SYNC_TIMEOUT_MS,
  SYNC_TXS_PER_BLOCK,
  SYNC_VALIDATORS,
} from './sync';
import { syncChain } from './sync-chain';

const RUNS = Number(process.env.BENCH_PEER_SYNC_RUNS ?? process.env.BENCH_SYNC_RUNS ?? 3);
/** The peer's own catch-up verifies on one thread in Node: give it time on a loaded machine. */
const PEER_CATCH_UP_TIMEOUT_MS = Number(process.env.BENCH_PEER_CATCH_UP_TIMEOUT_MS ?? 900_000);
const POLL_MS = 500;

export interface PeerSyncResult {
  blocks: number;
  txs: number;
  /** The peer catching up from a Node source over TCP (verified tx/s) and how long it took. */
  peerCatchUp: { ms: number; txsPerS: number };
  /** Fresh tabs syncing from the peer alone, in run order, and the median. */
  runs: SyncRun[];
  txsPerSRuns: number[];
  txsPerS: number;
  /** Restarts with the whole chain on disk: store open (from the peer's log), start to serving. */
  restart: {
    after: 'SIGTERM' | 'SIGKILL';
    /** Opening the store (its checks), the peer's whole start, and spawn to serving. */
    storeOpenMs: number;
    startMs: number;
    toServingMs: number;
    /** The write-ahead log when the signal came (0: nothing to recover, a clean open). */
    walBytesAtStop: number;
  }[];
  storeBytes: number | null;
  rows: BenchRow[];
}

async function until(what: string, probe: () => Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** `row4TxsPerS`: row 4's rate (a Node test peer serving) from the same run, if it ran. */
export async function measurePeerSync(row4TxsPerS?: number): Promise<PeerSyncResult> {
  const chain = await syncChain({
    blocks: SYNC_BLOCKS,
    txsPerBlock: SYNC_TXS_PER_BLOCK,
    validators: SYNC_VALIDATORS,
  });
  const chainId = genesisState(chain.genesis).chainId;
  const txs = chain.encoded.length * SYNC_TXS_PER_BLOCK;
  const dataDir = mkdtempSync(join(tmpdir(), 'ledger-bench-peer-'));
  const relay = await startRelayProcess(await freePort(), relayKeyFile());
  const server = await startPageServer(fileURLToPath(new URL('./sync-page', import.meta.url)), [
    'sync.html',
  ]);
  let source: Libp2pNetwork | null = null;
  let peer: PeerProcess | null = null;
  let browser: Browser | null = null;
  try {
    source = await createNodeNetwork(
      { chainId, listen: ['/ip4/127.0.0.1/tcp/0'] },
      { blocks: arraySource(chainId, chain.encoded) },
    );
    await source.start();
    const [tcpPort, wsPort] = [await freePort(), await freePort()];
    const peerArgs = [
      '--data-dir',
      dataDir,
      '--observer',
      '--listen',
      `/ip4/127.0.0.1/tcp/${tcpPort}`,
      '--listen',
      `/ip4/127.0.0.1/tcp/${wsPort}/ws`,
      '--webrtc-bind',
      '127.0.0.1',
      '--status-interval',
      '30',
    ];
    const link = inviteLink(server.url, makeInvite(chain.genesis, relay.multiaddrs), {
      withGenesis: true,
    });
    peer = await startPeerProcess([
      ...peerArgs,
      '--invite',
      link,
      '--peer',
      String(source.node.getMultiaddrs()[0]),
    ]);
    const catchUpStartMs = performance.now();
    const running = peer;
    await until(
      'the peer catches up',
      async () => (await running.status()).ledger.height >= chain.encoded.length,
      PEER_CATCH_UP_TIMEOUT_MS,
    );
    const catchUpMs = performance.now() - catchUpStartMs;
    console.error(`bench peer: caught up ${chain.encoded.length} blocks in ${fmt(catchUpMs)} ms`);
    await source.stop();
    source = null;

    // Fresh profiles sync from the peer alone (its invite names its WebSocket address first).
    // A public ledger: its peer serves the invite link (a private one's it never serves).
    const invite = (await peer.status()).process.invite as string;
    browser = await launchChromium();
    const runs: SyncRun[] = [];
    for (let i = 0; i < RUNS; i++) {
      const context = await newDevice(browser, server.url);
      try {
        const page = await openSyncPage(context, server.url);
        runs.push(
          await page.evaluate(
            ([invite, target, timeoutMs]) => window.syncBench.run(invite, target, timeoutMs),
            [invite, chain.encoded.length, SYNC_TIMEOUT_MS] as const,
          ),
        );
      } finally {
        await context.close().catch(() => undefined);
      }
    }
    const storeBytes = (await peer.status()).process.storeBytes;

    // Restarts with the chain on disk: first a kill while the write-ahead log still holds the
    // catch-up's last writes (the unclean open checks every page), then a clean stop.
    const restart: PeerSyncResult['restart'] = [];
    for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
      const walBytesAtStop = walBytes(sqliteLedgerPath(dataDir, chainId));
      await peer.kill(signal);
      const spawnedMs = performance.now();
      peer = await startPeerProcess(peerArgs);
      restart.push({
        after: signal,
        storeOpenMs: Number(peer.started.storeOpenMs),
        startMs: Number(peer.started.startMs),
        toServingMs: performance.now() - spawnedMs,
        walBytesAtStop,
      });
    }
    const txsPerSRuns = runs.map((run) => perSecond(txs, run.syncMs));
    const result = {
      blocks: chain.encoded.length,
      txs,
      peerCatchUp: { ms: catchUpMs, txsPerS: perSecond(txs, catchUpMs) },
      runs,
      txsPerSRuns,
      txsPerS: median(txsPerSRuns),
      restart,
      storeBytes,
    };
    return { ...result, rows: peerSyncRows(result, row4TxsPerS) };
  } finally {
    await browser?.close().catch(() => undefined);
    await peer?.kill('SIGTERM').catch(() => undefined);
    await source?.stop().catch(() => undefined);
    await server.close();
    await relay.kill();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function peerSyncRows(r: Omit<PeerSyncResult, 'rows'>, row4TxsPerS?: number): BenchRow[] {
  const row = measuredRows(4);
  const chain = `${fmt(r.blocks)} blocks × ${SYNC_TXS_PER_BLOCK} transfers, ${SYNC_VALIDATORS} validators`;
  const store = r.storeBytes === null ? '' : `, ${fmt(r.storeBytes / 1e6, 1)} MB on disk`;
  const restartRow = (after: 'SIGTERM' | 'SIGKILL', why: string) => {
    const found = r.restart.find((x) => x.after === after);
    return row(
      `always-on peer restart after ${after}`,
      found ? `${fmt(found.toServingMs / 1000, 1)} s` : '—',
      found
        ? `store open ${fmt(found.storeOpenMs)} ms, node start ${fmt(found.startMs)} ms, ` +
            `WAL ${fmt(found.walBytesAtStop / 1e6, 1)} MB at the signal`
        : '—',
      '—',
      `process spawn (node --import tsx, loading the code) to its status endpoint answering; ` +
        `the peer's own start (lock, store, state, network) and within it the store's opening; ${chain}${store}; ${why}`,
    );
  };
  return [
    row(
      'fresh-tab sync served by the always-on peer: verified tx/s',
      `${fmt(r.txsPerS)} tx/s`,
      row4TxsPerS === undefined ? 'row 4 not run' : `Node test peer ${fmt(row4TxsPerS)} tx/s`,
      row4TxsPerS === undefined ? '—' : `${ratio(r.txsPerS / row4TxsPerS)} test peer`,
      `median of ${r.txsPerSRuns.length} fresh profiles (${r.txsPerSRuns.map((x) => fmt(x)).join(', ')} tx/s); ${chain}; ` +
        'src/peer as a child process serving from SQLite, the relay up but the chain only on the peer; ' +
        'the tab joins from the peer invite and dials its WebSocket address; every commit and tx signature verified',
    ),
    row(
      'always-on peer catch-up: verified tx/s',
      `${fmt(r.peerCatchUp.txsPerS)} tx/s`,
      `${fmt(r.peerCatchUp.ms / 1000, 1)} s for the chain`,
      '—',
      `the peer (observer) syncs ${chain} from a Node source over loopback TCP, verifying every signature on one thread (WebCrypto) and writing SQLite`,
    ),
    restartRow(
      'SIGKILL',
      'killed after its catch-up with a write-ahead log on disk: the store checks every page ' +
        '(quick_check) and recomputes the first state it loads from its rows',
    ),
    restartRow(
      'SIGTERM',
      'a clean close: the store checks only that the file holds every page its header counts',
    ),
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await measurePeerSync();
  console.log(
    `load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' / ')}`,
  );
  console.log('| measure | value | limit | ratio | note |\n|---|---|---|---|---|');
  for (const row of result.rows) {
    console.log(`| ${row.measure} | ${row.value} | ${row.limit} | ${row.ratio} | ${row.note} |`);
  }
  console.log(
    JSON.stringify(
      { ...result, rows: undefined, runs: result.runs.map(({ progress: _p, ...run }) => run) },
      null,
      1,
    ),
  );
  process.exit(0);
}
