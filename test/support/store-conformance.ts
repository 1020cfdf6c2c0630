// The ONE conformance suite every store implementation passes: the in-memory and IndexedDB
// stores in Node (Vitest, fake-indexeddb) and the IndexedDB store in real Chromium (a harness
// page runs the same cases). Cases are plain async functions that throw on failure, so they
// need no test framework.

import {
  addressOf,
  blockHash,
  encodeBlock,
  type Address,
  type Block,
} from '../../src/lib/core/index';
import type { LedgerState } from '../../src/lib/core/state';
import type { Tx, TxCode } from '../../src/lib/core/types';
import type { SignedState } from '../../src/lib/consensus/types';
import { generateSigningKey, webCryptoSigner, webCryptoVerifier } from '../../src/lib/crypto/index';
import { generateBoxKey, openSealedKey, sealKey, type BoxKey } from '../../src/lib/crypto/box';
import {
  ApplyMismatchError,
  BrokenLinkError,
  ChainMismatchError,
  ConflictingBlockError,
  HeightGapError,
  KNOWN_PEERS_MAX,
  NotFoundError,
  NotInitializedError,
  OUTBOX_PENDING_MAX,
  OUTBOX_SETTLED_MAX,
  OutboxFullError,
  PAGE_ROWS_MAX,
  SignerRegressionError,
  STATE_LOG_BLOCKS_MAX,
  StoreClosedError,
} from '../../src/lib/store/index';
import type {
  AccountHistoryEntry,
  BlockToApply,
  DeviceKey,
  DeviceStore,
  LedgerStore,
  OutboxEntry,
} from '../../src/lib/store/types';
import { TestChain } from './fixtures';
import { buildStoreChain, type StoreChain } from './store-chain';
import { check, CheckError, checkEqual, checkRejects } from './store-check';

export interface StoreHarness {
  /** An empty database for `chainId`; each call of the returned opener is one more "tab". */
  freshLedger(chainId: string): Promise<() => Promise<LedgerStore>>;
  freshDevice(): Promise<() => Promise<DeviceStore>>;
  /**
   * A new device key the store can keep (default: a non-extractable WebCrypto key, which
   * IndexedDB stores by structured clone; a Node store writes the key to a file, so it needs
   * one it can export once, and hands back non-extractable copies).
   */
  newDeviceKey?(createdMs: number): Promise<DeviceKey>;
  /** Likewise for the device's X25519 key (default: generateBoxKey). */
  newBoxKey?(): Promise<BoxKey>;
}

export interface StoreCase {
  name: string;
  run(): Promise<void>;
}

let fixture: Promise<StoreChain> | null = null;
/** Built once per process: a real signed chain long enough for two state-log folds and more. */
export function storeFixture(): Promise<StoreChain> {
  fixture ??= buildStoreChain();
  return fixture;
}

async function initialized(harness: StoreHarness, fx: StoreChain) {
  const open = await harness.freshLedger(fx.chain.chainId);
  const store = await open();
  await store.initialize(fx.chain.genesis, fx.chain.freshState());
  return { open, store };
}

/** One block is a batch of one: 'applied' when this call wrote it, else 'already-applied'. */
/**
 * The state at the head with every record read back (loadState leaves records on disk; the
 * fixtures' states hold them all): what the store holds, comparable with a fixture's state.
 */
async function wholeState(store: LedgerStore): Promise<LedgerState | null> {
  const state = await store.loadState();
  if (state === null) return null;
  if (state.recordsComplete || state.records.size !== 0) {
    throw new CheckError('loadState must leave records in the store (recordsComplete: false)');
  }
  const records = new Map<string, Uint8Array | null>();
  for (let afterKey: string | undefined; ;) {
    const page = await store.records('', {
      limit: PAGE_ROWS_MAX,
      ...(afterKey ? { afterKey } : {}),
    });
    for (const [key, value] of page) records.set(key, value);
    if (page.length < PAGE_ROWS_MAX) break;
    afterKey = page[page.length - 1]![0];
  }
  return { ...state, records, recordsComplete: true };
}

async function applyOne(store: LedgerStore, entry: BlockToApply) {
  return (await store.applyBlocks([entry])) === 1 ? 'applied' : 'already-applied';
}

async function applyUpTo(store: LedgerStore, entries: BlockToApply[], height: number) {
  for (const entry of entries.slice(0, height)) {
    checkEqual(await applyOne(store, entry), 'applied', `apply block ${entry.block.header.height}`);
  }
}

/** The same entry with its block changed by `mutate`, commit and changes re-pointed to it. */
function forge(entry: BlockToApply, mutate: (block: Block) => void): BlockToApply {
  const copy = structuredClone({
    block: entry.block,
    commit: entry.commit,
    changes: entry.changes,
  });
  mutate(copy.block);
  const hash = blockHash(copy.block);
  copy.commit.blockHash = hash;
  copy.changes.lastBlockHash = hash;
  return copy;
}

/**
 * The fixture's first blocks with these txs instead of theirs, relinked; each block's results
 * all carry `code` (null: no results). Only for what the store does not check: it never
 * re-executes a block, so commits and changes re-pointed at the new hashes are accepted.
 */
function carrying(fx: StoreChain, blocks: Array<{ txs: Tx[]; code: TxCode | null }>) {
  const out: BlockToApply[] = [];
  blocks.forEach(({ txs, code }, i) => {
    const previous = out[i - 1];
    const entry = forge(fx.entries[i]!, (block) => {
      block.txs = txs;
      if (previous) block.header.previousHash = blockHash(previous.block);
    });
    out.push(code === null ? entry : { ...entry, results: txs.map(() => ({ code })) });
  });
  return out;
}

function involves(tx: Tx, address: Address): boolean {
  return (
    addressOf(tx.from) === address ||
    (tx.kind === 'transfer' && 'to' in tx.body && tx.body.to === address)
  );
}

/** The history the store must return, computed independently from the fixture. */
function expectedHistory(
  fx: StoreChain,
  address: Address,
): Array<Pick<AccountHistoryEntry, 'height' | 'index'>> {
  const out: Array<Pick<AccountHistoryEntry, 'height' | 'index'>> = [];
  for (const entry of [...fx.entries].reverse()) {
    const txs = entry.block.txs;
    for (let index = txs.length - 1; index >= 0; index--) {
      if (involves(txs[index]!, address)) out.push({ height: entry.block.header.height, index });
    }
  }
  return out;
}

async function withClose<T>(
  stores: Array<LedgerStore | DeviceStore>,
  body: () => Promise<T>,
): Promise<T> {
  try {
    return await body();
  } finally {
    for (const store of stores) await store.close().catch(() => {});
  }
}

export function storeConformanceCases(harness: StoreHarness): StoreCase[] {
  const cases: StoreCase[] = [];
  const add = (name: string, run: (fx: StoreChain) => Promise<void>) =>
    cases.push({ name, run: async () => run(await storeFixture()) });

  add('an empty store has no meta and no state, and refuses blocks', async (fx) => {
    const open = await harness.freshLedger(fx.chain.chainId);
    const store = await open();
    await withClose([store], async () => {
      checkEqual(await store.meta(), null, 'meta');
      checkEqual(await wholeState(store), null, 'state');
      checkEqual(await store.latestBlocks({ limit: 10 }), [], 'latest blocks');
      checkEqual(await store.block(1), null, 'block 1');
      await checkRejects(applyOne(store, fx.entries[0]!), NotInitializedError, 'apply before init');
      await checkRejects(store.account('0'.repeat(40)), NotInitializedError, 'account');
    });
  });

  add('initialize stores genesis and its state, once, for this chain only', async (fx) => {
    const { store } = await initialized(harness, fx);
    await withClose([store], async () => {
      const meta = await store.meta();
      check(meta, 'meta after init');
      checkEqual(meta.chainId, fx.chain.chainId, 'chain id');
      checkEqual(meta.headHeight, 0, 'head height');
      checkEqual(meta.headHash, new Uint8Array(32), 'head hash');
      checkEqual(meta.genesis, fx.chain.genesis, 'genesis');
      checkEqual(await wholeState(store), fx.chain.freshState(), 'genesis state');
      await store.initialize(fx.chain.genesis, fx.chain.freshState());
      checkEqual((await store.meta())?.headHeight, 0, 'second initialize is a no-op');
      const other = await TestChain.create({ validators: 1 });
      await checkRejects(
        store.initialize(other.genesis, other.freshState()),
        ChainMismatchError,
        'other chain',
      );
    });
  });

  add(
    'applying the chain moves head and state root block by block and folds the state log',
    async (fx) => {
      const { store } = await initialized(harness, fx);
      await withClose([store], async () => {
        for (const [i, entry] of fx.entries.entries()) {
          checkEqual(await applyOne(store, entry), 'applied', `apply ${i + 1}`);
          const meta = await store.meta();
          checkEqual(meta?.headHeight, i + 1, `head height after ${i + 1}`);
          checkEqual(meta?.headHash, blockHash(entry.block), `head hash after ${i + 1}`);
          if (i % 7 === 0 || i === fx.entries.length - 1) {
            const state = await wholeState(store);
            checkEqual(state?.stateRoot, fx.stateRoots[i], `state root after ${i + 1}`);
          }
        }
        check(
          fx.entries.length > 2 * STATE_LOG_BLOCKS_MAX,
          'fixture long enough to fold the log twice',
        );
        checkEqual(await wholeState(store), fx.finalState, 'final state');
      });
    },
  );

  add('blocks read back with hash, commit, codes, bytes and pages', async (fx) => {
    const { store } = await initialized(harness, fx);
    await withClose([store], async () => {
      await applyUpTo(store, fx.entries, 5);
      for (const entry of fx.entries.slice(0, 5)) {
        const height = entry.block.header.height;
        const hash = blockHash(entry.block);
        const stored = await store.block(height);
        check(stored, `block ${height}`);
        checkEqual(stored.block, entry.block, `block ${height} content`);
        checkEqual(stored.hash, hash, `block ${height} hash`);
        checkEqual(stored.commit, entry.commit, `block ${height} commit`);
        checkEqual(
          stored.codes,
          entry.results!.map((r) => r.code),
          `block ${height} codes`,
        );
        checkEqual((await store.blockByHash(hash))?.height, height, `by hash ${height}`);
        checkEqual(await store.heightOfHash(hash), height, `height of hash ${height}`);
        checkEqual(await store.blockBytes(height), encodeBlock(entry.block), `bytes ${height}`);
      }
      checkEqual(await store.block(6), null, 'block past head');
      checkEqual(await store.heightOfHash(new Uint8Array(32).fill(9)), null, 'unknown hash');
      const first = await store.latestBlocks({ limit: 2 });
      checkEqual(
        first.map((b) => b.height),
        [5, 4],
        'first page',
      );
      checkEqual(
        first[0],
        {
          height: 5,
          hash: blockHash(fx.entries[4]!.block),
          time: fx.entries[4]!.block.header.time,
          txCount: fx.entries[4]!.block.txs.length,
          proposer: fx.entries[4]!.block.header.proposer,
        },
        'summary',
      );
      const second = await store.latestBlocks({ beforeHeight: 4, limit: 10 });
      checkEqual(
        second.map((b) => b.height),
        [3, 2, 1],
        'second page',
      );
    });
  });

  add(
    'the same block again is a no-op; gaps, conflicts, forks and mismatches are typed errors',
    async (fx) => {
      const { store } = await initialized(harness, fx);
      await withClose([store], async () => {
        await applyUpTo(store, fx.entries, 3);
        const before = await wholeState(store);
        checkEqual(await applyOne(store, fx.entries[0]!), 'already-applied', 'block 1 again');
        checkEqual(await applyOne(store, fx.entries[2]!), 'already-applied', 'head again');
        await checkRejects(applyOne(store, fx.entries[4]!), HeightGapError, 'height 5 on head 3');
        const conflict = forge(fx.entries[1]!, (block) => (block.header.time += 1));
        const error = await checkRejects(
          applyOne(store, conflict),
          ConflictingBlockError,
          'another block 2',
        );
        checkEqual(error.height, 2, 'conflict height');
        const fork = forge(
          fx.entries[3]!,
          (block) => (block.header.previousHash = new Uint8Array(32).fill(1)),
        );
        await checkRejects(applyOne(store, fork), BrokenLinkError, 'block 4 on another parent');
        await checkRejects(
          applyOne(store, { ...fx.entries[3]!, commit: fx.entries[2]!.commit }),
          ApplyMismatchError,
          'commit of another block',
        );
        await checkRejects(
          applyOne(store, { ...fx.entries[3]!, changes: fx.entries[2]!.changes }),
          ApplyMismatchError,
          'changes of another block',
        );
        checkEqual((await store.meta())?.headHeight, 3, 'head unchanged by refused writes');
        checkEqual(await wholeState(store), before, 'state unchanged by refused writes');
        checkEqual(await applyOne(store, fx.entries[3]!), 'applied', 'block 4 after the refusals');
        checkEqual((await wholeState(store))?.stateRoot, fx.stateRoots[3], 'root after block 4');
      });
    },
  );

  add('two handles racing over the same blocks apply each block exactly once', async (fx) => {
    const open = await harness.freshLedger(fx.chain.chainId);
    const a = await open();
    const b = await open();
    await withClose([a, b], async () => {
      await Promise.all([
        a.initialize(fx.chain.genesis, fx.chain.freshState()),
        b.initialize(fx.chain.genesis, fx.chain.freshState()),
      ]);
      const run = async (store: LedgerStore) => {
        const outcomes: string[] = [];
        for (const entry of fx.entries) outcomes.push(await applyOne(store, entry));
        return outcomes;
      };
      const [fromA, fromB] = await Promise.all([run(a), run(b)]);
      fromA.forEach((outcome, i) => {
        const pair = [outcome, fromB[i]].sort();
        checkEqual(pair, ['already-applied', 'applied'], `block ${i + 1} applied once`);
      });
      checkEqual(await wholeState(a), fx.finalState, 'state via a');
      checkEqual(await wholeState(b), fx.finalState, 'state via b');
    });
  });

  add(
    'a batch writes consecutive blocks at once, skips the stored prefix and folds the log',
    async (fx) => {
      const { store } = await initialized(harness, fx);
      await withClose([store], async () => {
        const firstBatch = STATE_LOG_BLOCKS_MAX + 6;
        checkEqual(
          await store.applyBlocks(fx.entries.slice(0, firstBatch), { durability: 'relaxed' }),
          firstBatch,
          'first batch written',
        );
        const meta = await store.meta();
        checkEqual(meta?.headHeight, firstBatch, 'head after the first batch');
        checkEqual(meta?.headHash, blockHash(fx.entries[firstBatch - 1]!.block), 'head hash');
        checkEqual(
          (await wholeState(store))?.stateRoot,
          fx.stateRoots[firstBatch - 1],
          'root after the first batch',
        );
        // Overlapping the head: the stored prefix is skipped, the rest is written.
        const secondEnd = firstBatch + 40;
        checkEqual(
          await store.applyBlocks(fx.entries.slice(firstBatch - 5, secondEnd)),
          40,
          'second batch writes only the new blocks',
        );
        checkEqual(await store.applyBlocks(fx.entries.slice(0, 10)), 0, 'a stored batch again');
        checkEqual(await store.applyBlocks([]), 0, 'an empty batch');
        await applyUpTo(store, fx.entries.slice(secondEnd), fx.entries.length - secondEnd);
        checkEqual(await wholeState(store), fx.finalState, 'final state');
        const entry = fx.entries[firstBatch + 1]!;
        const stored = await store.block(firstBatch + 2);
        checkEqual(stored?.block, entry.block, 'a batched block reads back');
        checkEqual(stored?.commit, entry.commit, 'with its commit');
        checkEqual(
          stored?.codes,
          entry.results!.map((r) => r.code),
          'and its codes',
        );
      });
    },
  );

  add('a batch is written whole or not at all', async (fx) => {
    const { store } = await initialized(harness, fx);
    await withClose([store], async () => {
      await applyUpTo(store, fx.entries, 3);
      const before = await wholeState(store);
      await checkRejects(
        store.applyBlocks(fx.entries.slice(4, 8)),
        HeightGapError,
        'a batch beyond head + 1',
      );
      await checkRejects(
        store.applyBlocks([fx.entries[3]!, fx.entries[5]!]),
        HeightGapError,
        'a batch with a gap',
      );
      const fork = forge(
        fx.entries[5]!,
        (block) => (block.header.previousHash = new Uint8Array(32).fill(1)),
      );
      await checkRejects(
        store.applyBlocks([fx.entries[3]!, fx.entries[4]!, fork]),
        BrokenLinkError,
        'a batch whose third block links elsewhere',
      );
      const conflict = forge(fx.entries[1]!, (block) => (block.header.time += 1));
      await checkRejects(
        store.applyBlocks([conflict]),
        ConflictingBlockError,
        'a batch with another block 2',
      );
      const parentless = forge(
        fx.entries[3]!,
        (block) => (block.header.previousHash = new Uint8Array(32).fill(2)),
      );
      await checkRejects(
        store.applyBlocks([parentless]),
        BrokenLinkError,
        'a batch on another parent',
      );
      await checkRejects(
        store.applyBlocks([fx.entries[3]!, { ...fx.entries[4]!, commit: fx.entries[3]!.commit }]),
        ApplyMismatchError,
        'a batch with a mismatched commit',
      );
      checkEqual((await store.meta())?.headHeight, 3, 'head unchanged by refused batches');
      checkEqual(await wholeState(store), before, 'state unchanged by refused batches');
      checkEqual(await store.applyBlocks(fx.entries.slice(3, 6)), 3, 'the good batch');
      checkEqual((await wholeState(store))?.stateRoot, fx.stateRoots[5], 'root after it');
    });
  });

  add('a batch and single blocks racing over the same heights apply each once', async (fx) => {
    const open = await harness.freshLedger(fx.chain.chainId);
    const a = await open();
    const b = await open();
    await withClose([a, b], async () => {
      await a.initialize(fx.chain.genesis, fx.chain.freshState());
      const batches = async () => {
        let written = 0;
        for (let from = 0; from < fx.entries.length; from += 16) {
          written += await a.applyBlocks(fx.entries.slice(from, from + 16));
        }
        return written;
      };
      const singles = async () => {
        let written = 0;
        for (const entry of fx.entries) {
          if ((await applyOne(b, entry)) === 'applied') written += 1;
        }
        return written;
      };
      const [fromBatches, fromSingles] = await Promise.all([batches(), singles()]);
      checkEqual(fromBatches + fromSingles, fx.entries.length, 'every block written once');
      checkEqual(await wholeState(a), fx.finalState, 'state via a');
      checkEqual(await wholeState(b), fx.finalState, 'state via b');
    });
  });

  add('a closed handle refuses calls; reopening finds everything', async (fx) => {
    const { open, store } = await initialized(harness, fx);
    await applyUpTo(store, fx.entries, 10);
    await store.close();
    await checkRejects(store.meta(), StoreClosedError, 'meta after close');
    await checkRejects(applyOne(store, fx.entries[10]!), StoreClosedError, 'apply after close');
    const again = await open();
    await withClose([again], async () => {
      checkEqual((await again.meta())?.headHeight, 10, 'head after reopen');
      checkEqual((await wholeState(again))?.stateRoot, fx.stateRoots[9], 'root after reopen');
      checkEqual((await again.block(10))?.block, fx.entries[9]!.block, 'block 10 after reopen');
      checkEqual(await applyOne(again, fx.entries[10]!), 'applied', 'continue after reopen');
    });
  });

  add('keyring: saved whole, read back after a reopen, replaced by the next save', async (fx) => {
    const { open, store } = await initialized(harness, fx);
    checkEqual(await store.keyring.load(), null, 'no keyring before one is saved');
    const first = {
      networkSecret: new Uint8Array(32).fill(1),
      epochs: [
        {
          epoch: 0,
          key: new Uint8Array(32).fill(2),
          fromHeight: 1,
          keyHash: new Uint8Array(32).fill(5),
          wrappedPrevious: null,
        },
      ],
    };
    await store.keyring.save(first);
    checkEqual(await store.keyring.load(), first, 'keyring read back');
    const second = {
      ...first,
      epochs: [
        ...first.epochs,
        {
          epoch: 1,
          key: new Uint8Array(32).fill(3),
          fromHeight: 9,
          keyHash: null,
          wrappedPrevious: new Uint8Array(60).fill(4),
        },
      ],
    };
    await store.keyring.save(second);
    await store.close();
    const again = await open();
    await withClose([again], async () => {
      checkEqual(await again.keyring.load(), second, 'keyring after reopen');
      // It lives beside the signer state without disturbing it.
      checkEqual(await again.signerState.load(), null, 'signer state untouched');
    });
  });

  add('accounts, account history pages and records by key and prefix', async (fx) => {
    const { store } = await initialized(harness, fx);
    await withClose([store], async () => {
      await applyUpTo(store, fx.entries, fx.entries.length);
      const alice = addressOf(fx.chain.accounts[0]!.publicKey);
      const bob = addressOf(fx.chain.accounts[1]!.publicKey);
      for (const address of [alice, bob]) {
        checkEqual(
          await store.account(address),
          fx.finalState.accounts.get(address),
          `account ${address}`,
        );
        const expected = expectedHistory(fx, address);
        const all = await store.accountHistory(address, { limit: 100 });
        checkEqual(
          all.map(({ height, index }) => ({ height, index })),
          expected,
          `history of ${address}`,
        );
        for (const item of all) {
          const entry = fx.entries[item.height - 1]!;
          checkEqual(item.tx, entry.block.txs[item.index], 'history tx');
          checkEqual(item.code, entry.results![item.index]!.code, 'history code');
        }
        // Paging never splits a block and continues exactly from the last height.
        const paged: Array<{ height: number; index: number }> = [];
        let before: number | undefined;
        for (let guard = 0; guard < 50; guard++) {
          const page = await store.accountHistory(address, { limit: 1, beforeHeight: before });
          if (page.length === 0) break;
          check(new Set(page.map((p) => p.height)).size === 1, 'a page holds one block');
          paged.push(...page.map(({ height, index }) => ({ height, index })));
          before = page.at(-1)!.height;
        }
        checkEqual(paged, expected, `paged history of ${address}`);
      }
      checkEqual(await store.account('0'.repeat(40)), null, 'unknown account');
      checkEqual(await store.record(`${alice}/note`), new Uint8Array([7]), 'alice note');
      checkEqual(await store.record(`${alice}/greeting`), null, 'deleted record');
      checkEqual(
        await store.records(`${alice}/`, { limit: 10 }),
        [[`${alice}/note`, new Uint8Array([7])]],
        'alice prefix',
      );
      const everything = [...fx.finalState.records.entries()].sort(([x], [y]) => (x < y ? -1 : 1));
      checkEqual(await store.records('', { limit: 10 }), everything, 'all records');
      checkEqual(
        await store.records('', { limit: 1, afterKey: everything[0]![0] }),
        everything.slice(1, 2),
        'after key',
      );
    });
  });

  add(
    'batches that each fill the state log leave the same state, history and records',
    async (fx) => {
      const { store } = await initialized(harness, fx);
      await withClose([store], async () => {
        // Batches of STATE_LOG_BLOCKS_MAX fill the log every time (the IndexedDB store folds
        // them in the batch's own transaction); the tail batch leaves a log to overlay.
        for (let from = 0; from < fx.entries.length; from += STATE_LOG_BLOCKS_MAX) {
          const batch = fx.entries.slice(from, from + STATE_LOG_BLOCKS_MAX);
          checkEqual(await store.applyBlocks(batch), batch.length, `batch from ${from + 1}`);
          checkEqual(
            (await wholeState(store))?.stateRoot,
            fx.stateRoots[from + batch.length - 1],
            `root after the batch from ${from + 1}`,
          );
        }
        checkEqual(await wholeState(store), fx.finalState, 'final state');
        for (const account of fx.chain.accounts.slice(0, 2)) {
          const address = addressOf(account.publicKey);
          checkEqual(
            await store.account(address),
            fx.finalState.accounts.get(address),
            `account ${address}`,
          );
          const all = await store.accountHistory(address, { limit: 100 });
          checkEqual(
            all.map(({ height, index }) => ({ height, index })),
            expectedHistory(fx, address),
            `history of ${address}`,
          );
        }
        const everything = [...fx.finalState.records.entries()].sort(([x], [y]) =>
          x < y ? -1 : 1,
        );
        checkEqual(await store.records('', { limit: 10 }), everything, 'all records');
      });
    },
  );

  add('state reads right after a block see its changes (before any folding)', async (fx) => {
    const { store } = await initialized(harness, fx);
    await withClose([store], async () => {
      const alice = addressOf(fx.chain.accounts[0]!.publicKey);
      const latest = (height: number) =>
        fx.entries
          .slice(0, height)
          .flatMap((entry) => entry.changes.accounts)
          .filter(([address]) => address === alice)
          .at(-1)?.[1];
      await applyUpTo(store, fx.entries, 1);
      checkEqual(await store.account(alice), latest(1), 'alice after 1');
      checkEqual(await store.record(`${alice}/greeting`), new Uint8Array([104, 105]), 'put');
      checkEqual(
        (await store.records(`${alice}/`, { limit: 10 })).map(([key]) => key),
        [`${alice}/greeting`, `${alice}/note`],
        'two records',
      );
      await applyUpTo(store, fx.entries.slice(1), 1);
      checkEqual(await store.account(alice), latest(2), 'alice after 2');
      checkEqual(await store.record(`${alice}/greeting`), null, 'deleted in block 2');
      checkEqual(
        await store.records(`${alice}/`, { limit: 1 }),
        [[`${alice}/note`, new Uint8Array([7])]],
        'a deletion does not shorten the page',
      );
      checkEqual((await wholeState(store))?.records.has(`${alice}/greeting`), false, 'state');
    });
  });

  add(
    'signer state: the locked block survives a reopen, through vote logs and a new lock',
    async (fx) => {
      const { open, store } = await initialized(harness, fx);
      const [first, second] = fx.entries as [BlockToApply, BlockToApply];
      const lockOn = (entry: BlockToApply, round: number): SignedState => {
        const hash = blockHash(entry.block);
        return {
          height: 7,
          round,
          step: 2,
          blockHash: hash,
          lock: { round, blockHash: hash, block: entry.block },
        };
      };
      const locked = lockOn(first, 0);
      await store.signerState.save(locked);
      const logged = { ...locked, votes: [] };
      await (store.signerState.saveVotes ?? store.signerState.save)(logged);
      await store.close();
      const again = await open();
      await withClose([again], async () => {
        const loaded = await again.signerState.load();
        checkEqual(loaded, logged, 'lock with its block after the vote log and a reopen');
        const relocked = lockOn(second, 1);
        await again.signerState.save(relocked);
        checkEqual(await again.signerState.load(), relocked, 'a new lock brings its own block');
        const next: SignedState = { height: 8, round: 0, step: 1, blockHash: null, lock: null };
        await again.signerState.save(next);
        checkEqual(await again.signerState.load(), next, 'the next height is not locked');
      });
    },
  );

  add('signer state: durable save, read back, no regression or conflicting re-sign', async (fx) => {
    const { open, store } = await initialized(harness, fx);
    const hash = new Uint8Array(32).fill(3);
    await store.signerState.save({ height: 5, round: 1, step: 1, blockHash: hash });
    await store.signerState.save({ height: 5, round: 1, step: 1, blockHash: hash });
    await store.close();
    const again = await open();
    await withClose([again], async () => {
      checkEqual(
        await again.signerState.load(),
        { height: 5, round: 1, step: 1, blockHash: hash },
        'reloaded',
      );
      const signer = again.signerState;
      await checkRejects(
        signer.save({ height: 5, round: 1, step: 1, blockHash: null }),
        SignerRegressionError,
        'nil after block',
      );
      await checkRejects(
        signer.save({ height: 5, round: 1, step: 0, blockHash: hash }),
        SignerRegressionError,
        'step back',
      );
      await checkRejects(
        signer.save({ height: 5, round: 0, step: 2, blockHash: hash }),
        SignerRegressionError,
        'round back',
      );
      await checkRejects(
        signer.save({ height: 4, round: 9, step: 2, blockHash: hash }),
        SignerRegressionError,
        'height back',
      );
      checkEqual((await signer.load())?.step, 1, 'refusals stored nothing');
      // The vote log rides on the same record, best effort, with the same regression check.
      const saveVotes = signer.saveVotes?.bind(signer);
      if (!saveVotes) throw new Error('the store has no saveVotes for the vote log');
      const logged = { height: 5, round: 1, step: 1 as const, blockHash: hash, votes: [] };
      await saveVotes(logged);
      checkEqual(await signer.load(), logged, 'vote log saved');
      await checkRejects(
        saveVotes({ ...logged, round: 0 }),
        SignerRegressionError,
        'vote log round back',
      );
      await signer.save({ height: 5, round: 1, step: 2, blockHash: null });
      await signer.save({ height: 6, round: 0, step: 0, blockHash: hash });
      checkEqual(
        await signer.load(),
        { height: 6, round: 0, step: 0, blockHash: hash },
        'advanced',
      );
    });
  });

  add(
    'outbox: pending until the block settles it as committed or rejected with its code',
    async (fx) => {
      const { store } = await initialized(harness, fx);
      await withClose([store], async () => {
        const [ok] = (await store.addToOutbox([fx.okTx], 1_000)) as [OutboxEntry];
        checkEqual(ok.fate, { status: 'pending' }, 'pending');
        checkEqual(
          (await store.addToOutbox([fx.okTx], 9_999)).map((e) => e.addedMs),
          [1_000],
          'adding again is a no-op',
        );
        const [failing] = (await store.addToOutbox([fx.failingTx], 2_000)) as [OutboxEntry];
        checkEqual(
          (await store.outbox('pending')).map((e) => e.txHash),
          [ok.txHash, failing.txHash],
          'pending list',
        );
        await applyUpTo(store, fx.entries, 3);
        checkEqual(
          (await store.outboxEntries([ok.txHash]))[0]?.fate,
          { status: 'committed', height: 1 },
          'committed',
        );
        const rejected = (await store.outboxEntries([failing.txHash]))[0]?.fate;
        checkEqual(
          rejected?.status === 'rejected' && rejected.code,
          'insufficient-balance',
          'rejected code',
        );
        checkEqual(await store.outbox('pending'), [], 'nothing pending');
        checkEqual((await store.outbox()).length, 2, 'both kept for the UI');
        await store.setOutboxFate(ok.txHash, { status: 'rejected', code: 'bad-signature' });
        checkEqual((await store.outbox('rejected')).length, 2, 'manual fate');
        await checkRejects(
          store.setOutboxFate('00', { status: 'pending' }),
          NotFoundError,
          'unknown entry',
        );
        checkEqual(
          (await store.outboxEntries([ok.txHash, '00'])).map((e) => e?.txHash ?? null),
          [ok.txHash, null],
          'entries in order, null for an unknown one',
        );
      });
    },
  );

  add('outbox: a batch is added whole, or not at all when it would overfill', async (fx) => {
    const { store } = await initialized(harness, fx);
    await withClose([store], async () => {
      // The store does not verify: distinct nonces make distinct entries.
      const txs = Array.from({ length: OUTBOX_PENDING_MAX + 1 }, (_, nonce) => ({
        ...fx.okTx,
        nonce: fx.okTx.nonce + 100 + nonce,
      }));
      const first = await store.addToOutbox([fx.okTx, ...txs.slice(0, 9)], 1_000);
      checkEqual(first.length, 10, 'one entry per tx');
      const again = await store.addToOutbox([txs[0] as Tx, fx.okTx, txs[9] as Tx], 2_000);
      checkEqual(
        again.map((e) => e.addedMs),
        [1_000, 1_000, 2_000],
        'known txs keep their entry, the new one is added',
      );
      await checkRejects(
        store.addToOutbox(txs.slice(10), 3_000),
        OutboxFullError,
        'a batch that would overfill',
      );
      checkEqual((await store.outbox('pending')).length, 11, 'nothing of it added');
      const fits = txs.slice(10, 10 + OUTBOX_PENDING_MAX - 11);
      await store.addToOutbox(fits, 4_000);
      checkEqual((await store.outbox('pending')).length, OUTBOX_PENDING_MAX, 'filled exactly');
      await checkRejects(store.addToOutbox([txs.at(-1) as Tx], 5_000), OutboxFullError, 'full');
    });
  });

  add(
    'outbox: settling past the bound drops the oldest settled entries, never a pending one',
    async (fx) => {
      const { store } = await initialized(harness, fx);
      await withClose([store], async () => {
        // The store does not verify or re-execute: distinct nonces make distinct txs, and the
        // fixture's first blocks carry them (relinked), each group added at its own time.
        let nonce = fx.okTx.nonce + 10_000;
        const group = (count: number): Tx[] =>
          Array.from({ length: count }, () => ({ ...fx.okTx, nonce: nonce++ }));
        const [a0, a1, a2, waiting, b] = [group(100), group(1), group(499), group(100), group(500)];
        const add = async (txs: Tx[], addedMs: number) =>
          (await store.addToOutbox(txs, addedMs)).map((entry) => entry.txHash);
        const [a0Keys, a1Keys, a2Keys, waitingKeys] = [
          await add(a0, 1_000),
          await add(a1, 1_001),
          await add(a2, 1_002),
          await add(waiting, 1_003),
        ];
        const blocks = carrying(fx, [
          { txs: [...a0, ...a1], code: 'ok' },
          { txs: a2, code: 'nonce-too-low' },
          { txs: b.slice(0, 250), code: 'ok' },
          { txs: b.slice(250), code: null },
        ]);
        checkEqual(await applyOne(store, blocks[0]!), 'applied', 'block 1 settles a0 and a1');
        checkEqual(await applyOne(store, blocks[1]!), 'applied', 'block 2 rejects a2');
        checkEqual((await store.outbox()).length, 700, 'below the bound nothing goes');
        const bKeys = await add(b, 2_000);
        checkEqual(await store.applyBlocks(blocks.slice(2)), 2, 'blocks 3-4 settle b');
        const settledMax = OUTBOX_SETTLED_MAX;
        const settled = async () =>
          (await store.outbox('committed')).length + (await store.outbox('rejected')).length;
        checkEqual(await settled(), settledMax, 'settled entries back at the bound');
        const present = async (keys: string[]) =>
          (await store.outboxEntries(keys)).filter((entry) => entry !== null).length;
        checkEqual(await present(a0Keys), 0, 'the oldest settled (a0) went');
        checkEqual(await present(a1Keys), 1, 'the next oldest (a1) stayed');
        checkEqual(await present(a2Keys), a2.length, 'rejected a2 stayed');
        checkEqual(await present(bKeys), b.length, 'the newly settled b stayed');
        checkEqual(
          (await store.outbox('pending')).map((entry) => entry.txHash).sort(),
          [...waitingKeys].sort(),
          'pending entries older than every settled one stay',
        );
        const [first] = waitingKeys as [string];
        await store.setOutboxFate(first, { status: 'rejected', code: 'bad-signature' });
        checkEqual(await settled(), settledMax, 'a fate set by hand prunes too');
        checkEqual(await present(a1Keys), 0, 'the oldest settled (a1) went');
        checkEqual(
          (await store.outboxEntries([first]))[0]?.fate,
          { status: 'rejected', code: 'bad-signature' },
          'the entry settled by hand stayed',
        );
        checkEqual((await store.outbox('pending')).length, waiting.length - 1, 'the rest pending');
        const bFate = (await store.outboxEntries([bKeys.at(-1)!]))[0]?.fate;
        checkEqual(bFate, { status: 'committed', height: 4 }, 'a block without results commits');
        const aFate = (await store.outboxEntries([a2Keys[0]!]))[0]?.fate;
        checkEqual(aFate, { status: 'rejected', code: 'nonce-too-low' }, 'code from results');
      });
    },
  );

  add('known peers: bounded, most recent first, last-seen never goes back', async (fx) => {
    const { store } = await initialized(harness, fx);
    await withClose([store], async () => {
      for (let i = 0; i < KNOWN_PEERS_MAX + 6; i++) await store.notePeer(`/peer/${i}`, 1_000 + i);
      let peers = await store.knownPeers();
      checkEqual(peers.length, KNOWN_PEERS_MAX, 'bounded');
      checkEqual(
        peers[0],
        { address: `/peer/${KNOWN_PEERS_MAX + 5}`, lastSeenMs: 1_000 + KNOWN_PEERS_MAX + 5 },
        'newest first',
      );
      checkEqual(peers.at(-1)?.address, '/peer/6', 'oldest dropped');
      await store.notePeer('/peer/10', 1);
      checkEqual(
        (await store.knownPeers()).find((p) => p.address === '/peer/10')?.lastSeenMs,
        1_010,
        'no going back',
      );
      await store.notePeer('/ancient', 0);
      check(
        !(await store.knownPeers()).some((p) => p.address === '/ancient'),
        'an older-than-all peer is dropped',
      );
      await store.forgetPeer('/peer/10');
      peers = await store.knownPeers();
      check(!peers.some((p) => p.address === '/peer/10'), 'forgotten');
    });
  });

  add('the seen commit of the head can be replaced, nothing else', async (fx) => {
    const { store } = await initialized(harness, fx);
    await withClose([store], async () => {
      await applyUpTo(store, fx.entries, 2);
      const better = structuredClone(fx.entries[1]!.commit);
      better.round = 7;
      await store.replaceSeenCommit(better);
      checkEqual((await store.block(2))?.commit, better, 'replaced');
      await checkRejects(
        store.replaceSeenCommit(fx.entries[0]!.commit),
        ApplyMismatchError,
        'not the head',
      );
      const wrong = { ...better, blockHash: new Uint8Array(32) };
      await checkRejects(store.replaceSeenCommit(wrong), ApplyMismatchError, 'another block');
    });
  });

  add(
    'device: ledgers list and one non-extractable signing key that racing tabs agree on',
    async (fx) => {
      const open = await harness.freshDevice();
      const device = await open();
      const genesis = fx.chain.genesis;
      await device.addLedger({
        chainId: 'b'.repeat(64),
        name: 'second',
        genesis,
        role: 'joined',
        addedMs: 2,
      });
      await device.addLedger({
        chainId: 'a'.repeat(64),
        name: 'first',
        genesis,
        role: 'created',
        addedMs: 1,
      });
      await device.addLedger({
        chainId: 'a'.repeat(64),
        name: 'renamed',
        genesis,
        role: 'joined',
        addedMs: 3,
      });
      checkEqual(
        (await device.ledgers()).map((l) => l.name),
        ['first', 'second'],
        'ledgers oldest first',
      );
      await device.removeLedger('b'.repeat(64));
      checkEqual((await device.ledgers()).length, 1, 'removed');
      checkEqual((await device.ledgers())[0]?.genesis, genesis, 'genesis kept');
      checkEqual(await device.deviceKey(), null, 'no key yet');
      const make = async (createdMs: number): Promise<DeviceKey> =>
        harness.newDeviceKey?.(createdMs) ?? { ...(await generateSigningKey()), createdMs };
      const other = await open();
      const [first, second] = await Promise.all([
        make(1).then((key) => device.putDeviceKeyIfAbsent(key)),
        make(2).then((key) => other.putDeviceKeyIfAbsent(key)),
      ]);
      checkEqual(first.publicKey, second.publicKey, 'racing tabs got the same key');
      await device.close();
      await other.close();
      const again = await open();
      await withClose([again], async () => {
        const key = await again.deviceKey();
        check(key, 'key after reopen');
        checkEqual(key.publicKey, first.publicKey, 'same key after reopen');
        check(key.keyPair.privateKey.extractable === false, 'private key is non-extractable');
        const message = new Uint8Array([1, 2, 3]);
        const signature = await webCryptoSigner(key).sign(message);
        check(
          await webCryptoVerifier().verify(key.publicKey, message, signature),
          'reopened key signs',
        );
        await checkRejects(
          crypto.subtle.exportKey('pkcs8', key.keyPair.privateKey),
          Error,
          'private bytes unreadable',
        );
      });
    },
  );

  add('device: one X25519 key, kept like the signing key, opens what is sealed to it', async () => {
    const open = await harness.freshDevice();
    const device = await open();
    const other = await open();
    checkEqual(await device.deviceBoxKey(), null, 'no box key yet');
    const make = () => harness.newBoxKey?.() ?? generateBoxKey();
    const [first, second] = await Promise.all([
      make().then((key) => device.putDeviceBoxKeyIfAbsent(key)),
      make().then((key) => other.putDeviceBoxKeyIfAbsent(key)),
    ]);
    checkEqual(first.publicKey, second.publicKey, 'racing tabs got the same box key');
    await device.close();
    await other.close();
    const again = await open();
    await withClose([again], async () => {
      const key = await again.deviceBoxKey();
      check(key, 'box key after reopen');
      checkEqual(key.publicKey, first.publicKey, 'same box key after reopen');
      check(key.privateKey.extractable === false, 'private half non-extractable');
      const context = { chainId: 'c'.repeat(64), epoch: 1, member: 'm' };
      const epochKey = new Uint8Array(32).fill(9);
      const sealed = await sealKey(key.publicKey, epochKey, context);
      checkEqual(await openSealedKey(key, sealed, context), epochKey, 'reopened key opens a box');
    });
  });

  return cases;
}
