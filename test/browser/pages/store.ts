// Harness page for the IndexedDB store in real Chromium: runs the shared conformance suite and
// the multi-tab / crash / quota / device-key scenarios that test/browser/store.test.ts drives.
import { deleteDB } from 'idb';
import {
  applyBlock,
  applyChanges,
  blockHash,
  blockSignatureChecks,
  bytesEqual,
  decodeBlock,
  decodeCommit,
  decodeGenesis,
  fromHex,
  genesisState,
  toHex,
  type Genesis,
  type LedgerState,
} from '$lib/core/index';
import { generateSigningKey, webCryptoSigner, webCryptoVerifier } from '$lib/crypto/index';
import {
  DEVICE_DB_NAME,
  ledgerDbName,
  openIdbDeviceStore,
  openIdbLedgerStore,
  storageUsage,
  type BlockToApply,
} from '$lib/store/index';
import { storeConformanceCases } from '../../support/store-conformance';
import { recomputeStateRoot } from '../../support/store-chain';
import type { CaseResult, DeviceKeyCheck, StoreApi, StoreWindow, WireChain } from './store-api';

const page = globalThis as unknown as StoreWindow;
const verifier = webCryptoVerifier();
let prepared: { genesis: Genesis; genesisState: LedgerState; entries: BlockToApply[] } | null =
  null;

async function runConformance(): Promise<CaseResult[]> {
  const cases = storeConformanceCases({
    async freshLedger(chainId) {
      await deleteDB(ledgerDbName(chainId));
      return () => openIdbLedgerStore({ chainId });
    },
    async freshDevice() {
      await deleteDB(DEVICE_DB_NAME);
      return () => openIdbDeviceStore();
    },
  });
  const results: CaseResult[] = [];
  for (const item of cases) {
    try {
      await item.run();
      results.push({ name: item.name, ok: true });
    } catch (error) {
      results.push({ name: item.name, ok: false, error: String((error as Error)?.stack ?? error) });
    }
  }
  return results;
}

async function prepare(chain: WireChain): Promise<number> {
  const genesis = decodeGenesis(fromHex(chain.genesisHex));
  const state = genesisState(genesis);
  const entries: BlockToApply[] = [];
  for (const [i, hex] of chain.blocksHex.entries()) {
    const encoded = fromHex(hex);
    const block = decodeBlock(encoded);
    const checks = blockSignatureChecks(state, block);
    const verdicts = await Promise.all(
      checks.map((c) => verifier.verify(c.publicKey, c.message, c.signature)),
    );
    const { changes, results } = applyBlock(state, block, verdicts);
    applyChanges(state, changes);
    entries.push({
      block,
      commit: decodeCommit(fromHex(chain.commitsHex[i]!)),
      changes,
      results,
      encoded,
    });
  }
  prepared = { genesis, genesisState: genesisState(genesis), entries };
  return entries.length;
}

function need() {
  if (!prepared) throw new Error('prepare() first');
  return prepared;
}

async function applyAll(pauseMs = 0): Promise<string[]> {
  const { genesis, genesisState: initial, entries } = need();
  const store = await openIdbLedgerStore({ chainId: initial.chainId });
  try {
    await store.initialize(genesis, initial);
    const outcomes: string[] = [];
    for (const entry of entries) {
      const written = await store.applyBlocks([entry]);
      outcomes.push(written === 1 ? 'applied' : 'already-applied');
      page.storeProgress = entry.block.header.height;
      if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
    return outcomes;
  } finally {
    await store.close();
  }
}

async function init(): Promise<void> {
  const { genesis, genesisState: initial } = need();
  const store = await openIdbLedgerStore({ chainId: initial.chainId });
  try {
    await store.initialize(genesis, initial);
  } finally {
    await store.close();
  }
}

async function inspect(chainId: string) {
  const store = await openIdbLedgerStore({ chainId });
  try {
    const meta = await store.meta();
    const state = await store.loadState();
    if (!meta || !state) throw new Error('not initialized');
    let linked = true;
    let previous: Uint8Array = new Uint8Array(32);
    for (let height = 1; height <= meta.headHeight; height++) {
      const stored = await store.block(height);
      if (!stored || !bytesEqual(stored.block.header.previousHash, previous)) linked = false;
      if (!stored) break;
      previous = blockHash(stored.block);
    }
    linked &&= bytesEqual(previous, meta.headHash);
    return {
      headHeight: meta.headHeight,
      headHashHex: toHex(meta.headHash),
      stateRootHex: toHex(state.stateRoot),
      recomputedRootHex: toHex(recomputeStateRoot(state)),
      stateHeight: state.height,
      linked,
      nothingAboveHead: (await store.block(meta.headHeight + 1)) === null,
    };
  } finally {
    await store.close();
  }
}

async function applyUntilFull(): Promise<{ errorName: string; height: number }> {
  const { genesis, genesisState: initial, entries } = need();
  const store = await openIdbLedgerStore({ chainId: initial.chainId });
  try {
    await store.initialize(genesis, initial);
    for (const entry of entries) {
      try {
        await store.applyBlocks([entry]);
      } catch (error) {
        return { errorName: (error as Error).name, height: entry.block.header.height };
      }
    }
    return { errorName: 'none', height: entries.length };
  } finally {
    await store.close();
  }
}

async function checkKey(
  key: Awaited<ReturnType<typeof generateSigningKey>>,
): Promise<DeviceKeyCheck> {
  const message = new TextEncoder().encode('device key check');
  const signature = await webCryptoSigner(key).sign(message);
  const exportErrors: string[] = [];
  for (const format of ['pkcs8', 'jwk', 'raw'] as const) {
    try {
      await crypto.subtle.exportKey(format, key.keyPair.privateKey);
    } catch (error) {
      exportErrors.push((error as Error).name);
    }
  }
  return {
    publicKeyHex: toHex(key.publicKey),
    verified: await verifier.verify(key.publicKey, message, signature),
    exportErrors,
  };
}

async function createDeviceKey(): Promise<DeviceKeyCheck> {
  const device = await openIdbDeviceStore();
  try {
    const key = await device.putDeviceKeyIfAbsent({
      ...(await generateSigningKey()),
      createdMs: Date.now(),
    });
    return checkKey(key);
  } finally {
    await device.close();
  }
}

async function useDeviceKey(): Promise<DeviceKeyCheck> {
  const device = await openIdbDeviceStore();
  try {
    const key = await device.deviceKey();
    if (!key) throw new Error('no device key stored');
    return checkKey(key);
  } finally {
    await device.close();
  }
}

const api: StoreApi = {
  runConformance,
  prepare,
  init,
  applyAll: () => applyAll(),
  startStream(pauseMs) {
    page.storeStreamError = null;
    applyAll(pauseMs).catch((error) => (page.storeStreamError = String(error)));
  },
  inspect,
  applyUntilFull,
  storageUsage,
  createDeviceKey,
  useDeviceKey,
};
page.storeProgress = 0;
page.storeStreamError = null;
page.storeApi = api;
