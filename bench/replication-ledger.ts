// The ledger's side of row 6: a fresh Node peer range-syncs a chain holding RECORDS records
// (put txs, BLOCKS blocks of RECORDS / BLOCKS txs, signed by 4 validators) from one serving
// peer over loopback TCP (createNodeNetwork, the `/ledger/<chainId>/sync/1.0.0` protocol). The
// fresh peer runs the node's own catch-up and block importer (the path FullNode commits every
// synced block by: commit signatures and 2/3 power, every tx signature, validateBlock,
// applyBlock, the store's atomic applyBlocks), over the in-memory store (Node has no IndexedDB).
import '../src/server/polyfill';
import { decodeBlock, encodeBlock, encodeCommit } from '../src/lib/core/encoding';
import { genesisState } from '../src/lib/core/genesis';
import { blockHash, ZERO_HASH } from '../src/lib/core/hash';
import type { Verifier } from '../src/lib/core/signing';
import type { Genesis } from '../src/lib/core/types';
import { webCryptoVerifier } from '../src/lib/crypto/index';
import type { Libp2pNetwork } from '../src/lib/net/libp2p-network';
import type { BlockSource, EncodedBlock, Network } from '../src/lib/net/network';
import { createNodeNetwork } from '../src/lib/net/node-network';
import { BlockImporter } from '../src/lib/node/block-importer';
import { CatchUp } from '../src/lib/node/catch-up';
import { systemClock, systemTimers } from '../src/lib/node/clock';
import { LedgerHead } from '../src/lib/node/ledger-head';
import { RecordLoader } from '../src/lib/node/record-loader';
import { SERIAL_QUEUE_TASKS_MAX } from '../src/lib/node/params';
import { SerialQueue } from '../src/lib/node/serial-queue';
import { createMemoryLedgerStore } from '../src/lib/store/memory-ledger-store';
import type { ApplyBatchOptions, BlockToApply, LedgerStore } from '../src/lib/store/types';
import { TestChain } from '../test/support/fixtures';

/** Same payload size as the OrbitDB side (bench/orbitdb/replicate.mjs). */
export const VALUE_BYTES = 100;
const STATUS_TIMEOUT_MS = 60_000;

export interface LedgerChain {
  genesis: Genesis;
  encoded: EncodedBlock[];
  records: number;
  blocks: number;
  buildMs: number;
}

/** BLOCKS blocks of `records / blocks` put txs, one per funded account per block. */
export async function buildRecordChain(records: number, blocks: number): Promise<LedgerChain> {
  const startMs = performance.now();
  const perBlock = Math.ceil(records / blocks);
  const chain = await TestChain.create({ validators: 4, accounts: perBlock });
  await chain.addBlocks(blocks, (b) =>
    Promise.all(
      chain.accounts.map((account, a) => {
        const i = b * perBlock + a;
        const value = new Uint8Array(VALUE_BYTES);
        for (let j = 0; j < VALUE_BYTES; j++) value[j] = (i * 31 + j) & 0xff;
        return chain.tx(account, 'put', { key: `record-${i}`, value });
      }),
    ),
  );
  const failed = chain.results.flat().filter((r) => r.code !== 'ok').length;
  if (failed > 0) throw new Error(`fixture chain: ${failed} txs failed`);
  return {
    genesis: chain.genesis,
    encoded: chain.blocks.map((block, i) => ({
      height: block.header.height,
      block: encodeBlock(block),
      commit: encodeCommit(chain.commits[i]!),
    })),
    records: chain.state.records.size,
    blocks,
    buildMs: performance.now() - startMs,
  };
}

function arraySource(chainId: string, encoded: EncodedBlock[]): BlockSource {
  const head = encoded.at(-1);
  const headHash = head ? blockHash(decodeBlock(head.block)) : ZERO_HASH;
  return {
    async getBlocks(from, to) {
      return encoded.slice(from - 1, to);
    },
    status: () => ({ chainId, height: encoded.length, headHash }),
  };
}

/** Time spent while at least one of `work`'s calls is in flight (calls may overlap). */
class BusyTimer {
  ms = 0;
  #active = 0;
  #sinceMs = 0;

  async time<T>(work: () => Promise<T>): Promise<T> {
    if (this.#active++ === 0) this.#sinceMs = performance.now();
    try {
      return await work();
    } finally {
      if (--this.#active === 0) this.ms += performance.now() - this.#sinceMs;
    }
  }
}

/**
 * A fresh peer's catch-up: the node's own CatchUp and BlockImporter (the path every synced block
 * takes in FullNode), over the in-memory store, with timers around verification and the store.
 */
function freshPeer(chain: LedgerChain, network: () => Network) {
  const store = createMemoryLedgerStore(genesisState(chain.genesis).chainId);
  const head = new LedgerHead(store);
  const verifying = new BusyTimer();
  const storing = new BusyTimer();
  const inner = webCryptoVerifier();
  const verifier: Verifier = {
    verify: (publicKey, message, signature) =>
      verifying.time(() => inner.verify(publicKey, message, signature)),
  };
  const base: LedgerStore = store;
  const timedApply = (entries: readonly BlockToApply[], options?: ApplyBatchOptions) =>
    storing.time(() => base.applyBlocks(entries, options));
  const timedStore = new Proxy(base, {
    get(target, property) {
      if (property === 'applyBlocks') return timedApply;
      const value: unknown = Reflect.get(target, property);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const queue = new SerialQueue(SERIAL_QUEUE_TASKS_MAX);
  const importer = new BlockImporter({
    head,
    store: timedStore,
    records: new RecordLoader(timedStore, head),
    verifier,
    clock: systemClock,
    afterCommit: () => undefined,
    problem: (code, message) => {
      throw new Error(`${code}: ${message}`);
    },
    yieldNow: async () => undefined,
  });
  let changed = () => {};
  const catchUp = new CatchUp({
    state: () => head.state,
    network,
    verifier,
    clock: systemClock,
    timers: systemTimers,
    importBlocks: (blocks, blockVerifier) =>
      queue.enqueue(() => importer.import(blocks, 'sync', blockVerifier)),
    changed: () => changed(),
  });
  return {
    async initialize() {
      await store.initialize(chain.genesis, genesisState(chain.genesis));
      await head.reload();
    },
    /** Sync to `height`; resolves when the head is there. */
    syncTo(height: number): Promise<void> {
      return new Promise((resolve, reject) => {
        changed = () => {
          if (head.state.height >= height) resolve();
          else if (!catchUp.syncing) reject(new Error(`sync stopped at ${head.state.height}`));
        };
        catchUp.request(height);
      });
    },
    head,
    phases: () => ({ verifyMs: verifying.ms, storeMs: storing.ms }),
    stop: () => catchUp.stop(),
  };
}

async function waitFor(what: string, predicate: () => boolean): Promise<void> {
  const deadline = Date.now() + STATUS_TIMEOUT_MS;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Where a sync's time went (the rest: network, decoding, validateBlock, applyBlock). */
export interface SyncPhases {
  /** Wall time with signature checks in flight (WebCrypto; checks overlap). */
  verifyMs: number;
  /** Wall time inside the store's atomic applyBlocks (in memory here). */
  storeMs: number;
}

export interface LedgerSyncRun {
  /** Fresh peer created -> every block verified and committed. */
  totalMs: number;
  /** syncRange alone (after the status exchange). */
  syncMs: number;
  records: number;
  blocks: number;
  phases: SyncPhases;
}

export interface LedgerServer {
  chainId: string;
  network: Libp2pNetwork;
  stop(): Promise<void>;
}

export async function startLedgerServer(chain: LedgerChain): Promise<LedgerServer> {
  const chainId = genesisState(chain.genesis).chainId;
  const network = await createNodeNetwork(
    { chainId },
    { blocks: arraySource(chainId, chain.encoded) },
  );
  await network.start();
  return { chainId, network, stop: () => network.stop() };
}

/** One fresh peer: dial the server, range-sync 1..head, verify and commit every block. */
export async function ledgerSyncOnce(
  chain: LedgerChain,
  server: LedgerServer,
): Promise<LedgerSyncRun> {
  const startMs = performance.now();
  const network = await createNodeNetwork(
    {
      chainId: server.chainId,
      bootstrap: server.network.node.getMultiaddrs().map(String),
    },
    { blocks: arraySource(server.chainId, []) },
  );
  const peer = freshPeer(chain, () => network);
  await peer.initialize();
  try {
    await network.start();
    const head = chain.encoded.length;
    await waitFor('the server status', () =>
      network.peers().some((p) => (p.status?.height ?? 0) >= head),
    );
    const syncStartMs = performance.now();
    await peer.syncTo(head);
    const endMs = performance.now();
    return {
      totalMs: endMs - startMs,
      syncMs: endMs - syncStartMs,
      records: peer.head.state.records.size,
      blocks: peer.head.state.height,
      phases: peer.phases(),
    };
  } finally {
    peer.stop();
    await network.stop();
  }
}
