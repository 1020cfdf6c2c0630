// The on-disk store survives its process being killed mid-write, and a torn write-ahead log or
// a truncated database file. A writer process (test/support/sqlite-writer.ts) applies blocks
// and saves signer states as fast as it can and prints each write once it resolved; this test
// SIGKILLs it at random moments, sometimes damages the files, then reopens the store and checks
// that head, blocks, state and signer state agree: every block up to the head is the chain's,
// nothing above it, the loaded state's root is the head block's and is recomputed from its
// contents, and after a plain kill nothing the writer saw resolve is lost. A truncated file must
// either check out the same way or be refused with SchemaError. The seed is printed;
// LEDGER_FAULT_SEED=<seed> replays its delays and damage (where a kill lands in the writer's
// work also depends on the machine's speed).
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { openSync, closeSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serialize } from 'node:v8';
import { build } from 'esbuild';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { SignedState } from '../../../src/lib/consensus/types';
import { blockHash, bytesEqual } from '../../../src/lib/core/hash';
import { SchemaError } from '../../../src/lib/store/errors';
import { PAGE_ROWS_MAX } from '../../../src/lib/store/limits';
import { openSqliteLedgerStore, sqliteLedgerPath } from '../../../src/lib/store/sqlite/index';
import { recomputeStateRoot, type StoreChain } from '../../support/store-chain';
import { storeFixture } from '../../support/store-conformance';
import type { WriterFixture } from '../../support/sqlite-writer';

type Fault = 'kill' | 'torn-wal' | 'truncated-db';
/** The rounds, in order: mostly plain kills, then damage after a kill. */
const ROUNDS: Fault[] = [
  ...Array<Fault>(6).fill('kill'),
  ...Array<Fault>(3).fill('torn-wal'),
  ...Array<Fault>(3).fill('truncated-db'),
];
/** The writer runs this long (uniformly drawn) after it opened the store before it is killed. */
const KILL_AFTER_MS_MIN = 20;
const KILL_AFTER_MS_MAX = 300;
const WRITER_TIMEOUT_MS = 20_000;

const seed = Number(process.env.LEDGER_FAULT_SEED ?? Date.now() % 1_000_000);
let root: string;
let writerScript: string;
let fixturePath: string;
let fx: StoreChain;

/** mulberry32: a seeded PRNG, so a failing run replays from its seed. */
function random(state = { seed }): () => number {
  return () => {
    let t = (state.seed += 0x6d2b79f5);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'ledger-sqlite-faults-'));
  fx = await storeFixture();
  const fixture: WriterFixture = {
    chainId: fx.chain.chainId,
    genesis: fx.chain.genesis,
    genesisState: fx.chain.freshState(),
    entries: fx.entries,
  };
  fixturePath = join(root, 'fixture.bin');
  writeFileSync(fixturePath, serialize(fixture));
  // One bundle, so each writer starts in ~0.1 s rather than compiling TypeScript every time.
  // It lives under node_modules so that its one external import (better-sqlite3) resolves.
  const cache = join('node_modules', '.cache', 'ledger-tests');
  mkdirSync(cache, { recursive: true });
  writerScript = join(cache, `sqlite-writer-${process.pid}.mjs`);
  await build({
    entryPoints: ['test/support/sqlite-writer.ts'],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: writerScript,
    external: ['better-sqlite3'],
    logLevel: 'error',
  });
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  if (writerScript) rmSync(writerScript, { force: true });
});

interface Resolved {
  block: number;
  signer: Pick<SignedState, 'height' | 'round' | 'step'> | null;
  done: boolean;
}

/** Runs the writer until it has written for `killAfterMs` (then SIGKILL) or it finishes. */
async function runWriter(directory: string, killAfterMs: number): Promise<Resolved> {
  const child = spawn(process.execPath, [writerScript, fixturePath, directory], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const resolved: Resolved = { block: 0, signer: null, done: false };
  let output = '';
  let errors = '';
  const timeout = setTimeout(() => child.kill('SIGKILL'), WRITER_TIMEOUT_MS);
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    const lines = output.split('\n');
    output = lines.pop() ?? '';
    for (const line of lines) {
      const [word, ...numbers] = line.split(' ');
      const [a, b, c] = numbers.map(Number) as [number, number, number];
      if (word === 'ready') {
        resolved.block = a;
        setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      } else if (word === 'block') resolved.block = a;
      else if (word === 'signer') resolved.signer = { height: a, round: b, step: c as 0 | 1 | 2 };
      else if (word === 'done') resolved.done = true;
    }
  });
  const [code, signal] = await new Promise<[number | null, string | null]>((resolve) =>
    child.on('close', (exitCode, exitSignal) => resolve([exitCode, exitSignal])),
  );
  clearTimeout(timeout);
  if (signal !== 'SIGKILL' && code !== 0) throw new Error(`writer failed (${code}): ${errors}`);
  return resolved;
}

function order(state: Pick<SignedState, 'height' | 'round' | 'step'>): number[] {
  return [state.height, state.round, state.step];
}

function notBefore(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! > b[i]!;
  return true;
}

/** Opens the store and checks that head, blocks, state and signer agree; returns the head. */
async function checkConsistent(
  directory: string,
  at: string,
): Promise<{ head: number; signer: SignedState | null }> {
  const store = await openSqliteLedgerStore({ directory, chainId: fx.chain.chainId });
  try {
    const meta = await store.meta();
    expect(meta, `${at}: meta`).not.toBeNull();
    const head = meta!.headHeight;
    const state = await store.loadState();
    expect(state?.height, `${at}: state height`).toBe(head);
    const root = head === 0 ? fx.chain.freshState().stateRoot : fx.stateRoots[head - 1]!;
    expect(bytesEqual(state!.stateRoot, root), `${at}: state root of block ${head}`).toBe(true);
    // loadState leaves records on disk: read them all back to recompute the root from rows.
    const records = new Map(await store.records('', { limit: PAGE_ROWS_MAX }));
    expect(records.size, `${at}: records fit one page`).toBeLessThan(PAGE_ROWS_MAX);
    const whole = { ...state!, records, recordsComplete: true };
    expect(bytesEqual(recomputeStateRoot(whole), root), `${at}: recomputed root`).toBe(true);
    for (let height = 1; height <= head; height++) {
      const stored = await store.block(height);
      const expected = blockHash(fx.entries[height - 1]!.block);
      expect(stored && bytesEqual(stored.hash, expected), `${at}: block ${height}`).toBe(true);
    }
    expect(await store.block(head + 1), `${at}: nothing above the head`).toBeNull();
    if (head > 0)
      expect(bytesEqual(meta!.headHash, blockHash(fx.entries[head - 1]!.block))).toBe(true);
    return { head, signer: await store.signerState.load() };
  } finally {
    await store.close();
  }
}

/** Cuts the WAL at a random point, or scribbles over its last bytes: a write torn by a crash. */
function tearWal(path: string, next: () => number): string {
  const wal = `${path}-wal`;
  if (!existsSync(wal) || statSync(wal).size === 0) return 'no WAL';
  const size = statSync(wal).size;
  if (next() < 0.5) {
    const cut = Math.floor(next() * size);
    truncateSync(wal, cut);
    return `WAL cut at ${cut} of ${size} B`;
  }
  const length = Math.min(size, 1 + Math.floor(next() * 4096));
  const fd = openSync(wal, 'r+');
  writeSync(fd, Buffer.alloc(length, 0xa5), 0, length, size - length);
  closeSync(fd);
  return `last ${length} B of ${size} B of WAL overwritten`;
}

function truncateDatabase(path: string, next: () => number): string {
  const size = statSync(path).size;
  const cut = Math.floor(size * (0.5 + next() / 2));
  truncateSync(path, cut);
  return `database cut at ${cut} of ${size} B`;
}

test('the store reopens consistent after SIGKILL mid-write, a torn WAL and a truncated file', async () => {
  console.log(`sqlite fault test: seed ${seed} (LEDGER_FAULT_SEED=${seed} replays it)`);
  const next = random();
  let directory = join(root, 'data-0');
  let before = { head: 0, signer: null as SignedState | null };
  const outcomes: string[] = [];
  for (const [round, fault] of ROUNDS.entries()) {
    const killAfterMs = KILL_AFTER_MS_MIN + next() * (KILL_AFTER_MS_MAX - KILL_AFTER_MS_MIN);
    const startedMs = Date.now();
    const resolved = await runWriter(directory, killAfterMs);
    const path = sqliteLedgerPath(directory, fx.chain.chainId);
    const at = `seed ${seed}, round ${round} (${fault}, killed after ${killAfterMs.toFixed(0)} ms)`;
    let damage = 'none';
    if (fault === 'torn-wal') damage = tearWal(path, next);
    if (fault === 'truncated-db') damage = truncateDatabase(path, next);
    let after: typeof before;
    try {
      after = await checkConsistent(directory, at);
    } catch (error) {
      // A truncated file lost pages that were committed: the store must refuse it as damaged
      // (never serve it), and the peer starts over from its network.
      if (!(fault === 'truncated-db' && error instanceof SchemaError)) {
        console.log(outcomes.join('\n'));
        throw error;
      }
      outcomes.push(`${at}: ${damage}: refused as damaged (${error.message})`);
      directory = join(root, `data-${round + 1}`);
      before = { head: 0, signer: null };
      continue;
    }
    if (fault === 'kill') {
      // Nothing that resolved is lost.
      expect(after.head, `${at}: head`).toBeGreaterThanOrEqual(resolved.block);
      if (resolved.signer) {
        expect(after.signer, `${at}: signer state`).not.toBeNull();
        expect(notBefore(order(after.signer!), order(resolved.signer)), `${at}: signer`).toBe(true);
      }
    } else {
      // What a previous round left (checkpointed when it was closed) is never lost.
      expect(after.head, `${at}: head`).toBeGreaterThanOrEqual(before.head);
    }
    outcomes.push(
      `${at}: ${damage}: head ${after.head} (writer saw ${resolved.block} resolve), ` +
        `signer ${after.signer ? order(after.signer).join('/') : '-'} (${Date.now() - startedMs} ms)`,
    );
    before = after;
    if (resolved.done || after.head === fx.entries.length) {
      directory = join(root, `data-${round + 1}`);
      before = { head: 0, signer: null };
    }
  }
  console.log(outcomes.join('\n'));
});
