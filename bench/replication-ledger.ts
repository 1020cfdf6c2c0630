// The ledger's side of row 6: a fresh Node peer range-syncs a chain holding RECORDS records
// (put txs, BLOCKS blocks of RECORDS / BLOCKS txs, signed by 4 validators) from one serving
// peer over loopback TCP (createNodeNetwork, the `/ledger/<chainId>/sync/1.0.0` protocol), and
// verifies every block the way FullNode commits a synced block: the commit's precommit
// signatures and 2/3 power (commit-check.ts), every tx signature (WebCrypto), validateBlock,
// applyBlock, then the store's atomic applyBlocks, one block each (in-memory store: Node has no
// IndexedDB).
import '../src/server/polyfill';
import { applyBlock, applyChanges } from '../src/lib/core/apply';
import { blockSignatureChecks } from '../src/lib/core/block';
import { decodeBlock, decodeCommit, encodeBlock, encodeCommit } from '../src/lib/core/encoding';
import { genesisState } from '../src/lib/core/genesis';
import { blockHash, ZERO_HASH } from '../src/lib/core/hash';
import type { LedgerState } from '../src/lib/core/state';
import type { Genesis } from '../src/lib/core/types';
import { validateBlock } from '../src/lib/core/validate';
import { webCryptoVerifier } from '../src/lib/crypto/index';
import type { Libp2pNetwork } from '../src/lib/net/libp2p-network';
import type { BlockSource, BlockVerdict, EncodedBlock } from '../src/lib/net/network';
import { createNodeNetwork } from '../src/lib/net/node-network';
import { commitSignatureChecks, judgeCommit } from '../src/lib/node/commit-check';
import { verifyAll } from '../src/lib/node/verify';
import { createMemoryLedgerStore } from '../src/lib/store/memory-ledger-store';
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

/** A fresh peer's verify-and-commit step for one synced block (FullNode's #commit path). */
function syncVerifier(
  state: LedgerState,
  store: ReturnType<typeof createMemoryLedgerStore>,
  phases: SyncPhases,
) {
  const verifier = webCryptoVerifier();
  const timed = async <T>(phase: keyof SyncPhases, work: () => T | Promise<T>): Promise<T> => {
    const startMs = performance.now();
    try {
      return await work();
    } finally {
      phases[phase] += performance.now() - startMs;
    }
  };
  return async (encoded: EncodedBlock): Promise<BlockVerdict> => {
    const block = decodeBlock(encoded.block);
    const commit = decodeCommit(encoded.commit);
    const height = block.header.height;
    if (height !== state.height + 1) return { ok: false, reason: 'height' };
    const hash = blockHash(block);
    const checks = commitSignatureChecks(state.chainId, state.validators, commit);
    const commitVerdicts = await timed('verifyMs', () => verifyAll(verifier, checks.checks));
    const commitVerdict = judgeCommit(
      state.validators,
      commit,
      height,
      hash,
      checks,
      commitVerdicts,
    );
    if (!commitVerdict.ok) return commitVerdict;
    const verdicts = await timed('verifyMs', () =>
      verifyAll(verifier, blockSignatureChecks(state, block)),
    );
    const validation = validateBlock(state, block, verdicts);
    if (!validation.ok) return { ok: false, reason: `${validation.rule}: ${validation.detail}` };
    const { changes, results } = await timed('applyMs', () => applyBlock(state, block, verdicts));
    await timed('storeMs', () => store.applyBlocks([{ block, commit, changes, results }]));
    applyChanges(state, changes);
    return { ok: true };
  };
}

async function waitFor(what: string, predicate: () => boolean): Promise<void> {
  const deadline = Date.now() + STATUS_TIMEOUT_MS;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Where a sync's time went (the rest: network, decoding, validateBlock, bookkeeping). */
export interface SyncPhases {
  /** Commit and tx signature verification (WebCrypto, each block's checks in flight at once). */
  verifyMs: number;
  /** applyBlock: execution and the incremental state root (LtHash). */
  applyMs: number;
  /** The store's atomic applyBlocks of one block (in memory here). */
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
  const state = genesisState(chain.genesis);
  const store = createMemoryLedgerStore(state.chainId);
  await store.initialize(chain.genesis, genesisState(chain.genesis));
  const network = await createNodeNetwork(
    {
      chainId: server.chainId,
      bootstrap: server.network.node.getMultiaddrs().map(String),
    },
    { blocks: arraySource(server.chainId, []) },
  );
  try {
    await network.start();
    const head = chain.encoded.length;
    await waitFor('the server status', () =>
      network.peers().some((p) => (p.status?.height ?? 0) >= head),
    );
    const syncStartMs = performance.now();
    const phases: SyncPhases = { verifyMs: 0, applyMs: 0, storeMs: 0 };
    const result = await network.syncRange(1, head, {
      verify: syncVerifier(state, store, phases),
    });
    const endMs = performance.now();
    if (!result.complete) {
      throw new Error(`sync incomplete at ${result.height}: ${JSON.stringify(result.failures)}`);
    }
    return {
      totalMs: endMs - startMs,
      syncMs: endMs - syncStartMs,
      records: state.records.size,
      blocks: result.blocks,
      phases,
    };
  } finally {
    await network.stop();
  }
}
