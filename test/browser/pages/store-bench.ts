// Page for bench/store.ts: times the IndexedDB store against raw IndexedDB puts in Chromium.
import { deleteDB, openDB } from 'idb';
import {
  applyBlock,
  applyChanges,
  blockSignatureChecks,
  decodeBlock,
  decodeCommit,
  decodeGenesis,
  fromHex,
  genesisState,
  type Block,
  type Commit,
  type Genesis,
} from '$lib/core/index';
import { webCryptoVerifier } from '$lib/crypto/index';
import { ledgerDbName, openIdbLedgerStore, type BlockToApply } from '$lib/store/index';
import type { WireChain } from './store-api';

interface Prepared {
  genesis: Genesis;
  blocks: Array<{ block: Block; commit: Commit; encoded: Uint8Array; verdicts: boolean[] }>;
  /** Each block's StateChanges and results, for the persist-only measurement. */
  entries: BlockToApply[];
}

export interface StoreBenchApi {
  prepare(chain: WireChain): Promise<number>;
  /** ms to put each block's encoded bytes, one readwrite transaction per block. */
  rawPut(): Promise<number>;
  /** ms for store.applyBlocks of each block alone (changes computed beforehand). */
  persist(): Promise<number>;
  /** ms for core applyBlock + applyChanges + store.applyBlocks of each block alone. */
  applyAndPersist(): Promise<number>;
}

let prepared: Prepared | null = null;
const need = () => {
  if (!prepared) throw new Error('prepare() first');
  return prepared;
};

async function prepare(chain: WireChain): Promise<number> {
  const verifier = webCryptoVerifier();
  const genesis = decodeGenesis(fromHex(chain.genesisHex));
  const state = genesisState(genesis);
  const blocks: Prepared['blocks'] = [];
  const entries: BlockToApply[] = [];
  for (const [i, hex] of chain.blocksHex.entries()) {
    const encoded = fromHex(hex);
    const block = decodeBlock(encoded);
    const commit = decodeCommit(fromHex(chain.commitsHex[i]!));
    const verdicts = await Promise.all(
      blockSignatureChecks(state, block).map((c) =>
        verifier.verify(c.publicKey, c.message, c.signature),
      ),
    );
    const { changes, results } = applyBlock(state, block, verdicts);
    applyChanges(state, changes);
    blocks.push({ block, commit, encoded, verdicts });
    entries.push({ block, commit, changes, results, encoded });
  }
  prepared = { genesis, blocks, entries };
  return blocks.length;
}

async function rawPut(): Promise<number> {
  const { blocks } = need();
  await deleteDB('bench-raw');
  const db = await openDB('bench-raw', 1, { upgrade: (d) => void d.createObjectStore('blocks') });
  const started = performance.now();
  for (const [i, { encoded }] of blocks.entries()) {
    const tx = db.transaction('blocks', 'readwrite');
    void tx.store.put(encoded, i + 1);
    await tx.done;
  }
  const ms = performance.now() - started;
  db.close();
  await deleteDB('bench-raw');
  return ms;
}

async function freshStore() {
  const { genesis } = need();
  const initial = genesisState(genesis);
  await deleteDB(ledgerDbName(initial.chainId));
  const store = await openIdbLedgerStore({ chainId: initial.chainId });
  await store.initialize(genesis, initial);
  return { store, state: initial };
}

async function persist(): Promise<number> {
  const { entries } = need();
  const { store } = await freshStore();
  const started = performance.now();
  for (const entry of entries) await store.applyBlocks([entry]);
  const ms = performance.now() - started;
  await store.close();
  return ms;
}

async function applyAndPersist(): Promise<number> {
  const { blocks } = need();
  const { store, state } = await freshStore();
  const started = performance.now();
  for (const { block, commit, encoded, verdicts } of blocks) {
    const { changes, results } = applyBlock(state, block, verdicts);
    applyChanges(state, changes);
    await store.applyBlocks([{ block, commit, changes, results, encoded }]);
  }
  const ms = performance.now() - started;
  await store.close();
  return ms;
}

const api: StoreBenchApi = { prepare, rawPut, persist, applyAndPersist };
(globalThis as unknown as { storeBench: StoreBenchApi }).storeBench = api;
