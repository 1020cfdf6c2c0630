// Consensus engine micro-benchmark: `npx tsx bench/consensus.ts`. Prints a markdown table and
// writes bench/results/consensus.json. Figures are medians of RUNS runs on this machine.
//
// - one whole height seen by one node: start-height, the proposal and its verdict, then a
//   prevote and a precommit from every validator (fake signatures: the engine never verifies);
// - proposer selection from scratch at a far height (a node starting from a synced state),
//   with the period detection of proposer.ts.

import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { createEngine, step } from '../src/lib/consensus/engine';
import { prioritiesAt, proposerFor } from '../src/lib/consensus/proposer';
import type { Input } from '../src/lib/consensus/types';
import { blockHash, ZERO_HASH } from '../src/lib/core/hash';
import type { Block, Vote } from '../src/lib/core/types';
import { makeValidatorSet } from '../src/lib/core/validators';

const RUNS = 5;
const HEIGHTS = 20;
const CHAIN = 'c'.repeat(64);
const SIGNATURE = new Uint8Array(64);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function makeSet(n: number, powerOf: (i: number) => number) {
  return makeValidatorSet(
    Array.from({ length: n }, (_, i) => {
      const publicKey = new Uint8Array(32);
      new DataView(publicKey.buffer).setUint32(0, i + 1);
      return { publicKey, power: powerOf(i) };
    }),
  );
}

function block(height: number): Block {
  return {
    header: {
      chainId: CHAIN,
      height,
      time: 1_700_000_000_000 + height,
      previousHash: ZERO_HASH,
      lastCommitHash: ZERO_HASH,
      txsRoot: ZERO_HASH,
      evidenceHash: ZERO_HASH,
      stateRoot: ZERO_HASH,
      validatorsHash: ZERO_HASH,
      nextValidatorsHash: ZERO_HASH,
      proposer: '0'.repeat(40),
    },
    txs: [],
    lastCommit: null,
    evidence: [],
  };
}

/** Inputs per height and ms for HEIGHTS heights as an observer with n validators. */
function heights(n: number): { inputs: number; ms: number } {
  const set = makeSet(n, () => 1);
  let engine = createEngine({ chainId: CHAIN });
  let inputs = 0;
  const start = performance.now();
  for (let height = 1; height <= HEIGHTS; height++) {
    const b = block(height);
    const hash = blockHash(b);
    const proposer = proposerFor(set, height, 0).proposer;
    const feed: Input[] = [
      { type: 'start-height', height, validators: set, self: null, hasWork: true },
      {
        type: 'proposal',
        proposal: {
          chainId: CHAIN,
          height,
          round: 0,
          polRound: -1,
          blockHash: hash,
          proposer,
          signature: SIGNATURE,
        },
        block: b,
      },
      { type: 'block-validity', height, round: 0, blockHash: hash, valid: true },
    ];
    for (const type of ['prevote', 'precommit'] as const) {
      for (const v of set.validators) {
        const vote: Vote = {
          chainId: CHAIN,
          height,
          round: 0,
          type,
          blockHash: hash,
          timestamp: 0,
          validator: v.address,
          signature: SIGNATURE,
        };
        feed.push({ type: 'vote', vote });
      }
    }
    for (const input of feed) engine = step(engine, input).state;
    inputs += feed.length;
  }
  return { inputs, ms: performance.now() - start };
}

const rows: Array<Record<string, string | number>> = [];
for (const n of [4, 32, 128]) {
  const runs = Array.from({ length: RUNS }, () => heights(n));
  const ms = median(runs.map((r) => r.ms));
  const inputs = runs[0]!.inputs;
  rows.push({
    case: `one height, ${n} validators (observer)`,
    'ms/height': +(ms / HEIGHTS).toFixed(3),
    'inputs/s': Math.round((inputs / ms) * 1000),
  });
}
for (const [n, label, powerOf] of [
  [128, 'powers 1..10', (i: number) => 1 + (i % 10)],
  [128, 'powers 1..1000', (i: number) => 1 + ((i * 7919) % 1000)],
] as const) {
  const set = makeSet(n, powerOf);
  const ms = median(
    Array.from({ length: RUNS }, () => {
      const start = performance.now();
      prioritiesAt(set, 1_000_000, null);
      return performance.now() - start;
    }),
  );
  const cache = prioritiesAt(set, 1_000_000, null);
  rows.push({
    case: `proposer at height 1e6 from scratch, ${n} validators, ${label} (period ${cache.period})`,
    'ms/height': +ms.toFixed(1),
    'inputs/s': '-',
  });
}

const columns = Object.keys(rows[0]!);
console.log(`| ${columns.join(' | ')} |`);
console.log(`|${columns.map(() => '---').join('|')}|`);
for (const row of rows) console.log(`| ${columns.map((c) => row[c]).join(' | ')} |`);
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  'bench/results/consensus.json',
  JSON.stringify({ machine: { cpus: cpus().length, loadavg: loadavg() }, rows }, null, 2),
);
