// State-accumulator (LtHash) element cost: `npx tsx bench/lthash.ts`. Prints a markdown table:
// CPU µs per element update (lanes + 1024 lane additions) for the constructions compared when
// choosing the lane generator, on the same account elements. Medians of RUNS runs of ELEMENTS
// updates, measured with process.cpuUsage so other load on the shared machine counts less.

import { cpus, loadavg } from 'node:os';
import { blake3 } from '@noble/hashes/blake3.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { shake256 } from '@noble/hashes/sha3.js';
import {
  ACCUMULATOR_BYTES,
  ACCUMULATOR_LANES,
  ELEMENT_LANES_CONTEXT,
  accountElement,
  accumulate,
  elementLanes,
  emptyAccumulator,
} from '../src/lib/core/accumulator';
import { utf8Bytes } from '../src/lib/core/bytes';
import { addressOf } from '../src/lib/core/index';

const ELEMENTS = 2_000;
const RUNS = 9;

const elements = Array.from({ length: ELEMENTS }, (_, i) => {
  const key = new Uint8Array(32);
  new DataView(key.buffer).setUint32(0, i);
  return accountElement(addressOf(key), { balance: 1_000_000 + i, nonce: i % 7 });
});

const sums = new Uint16Array(ACCUMULATOR_LANES);
function addLanes(lanes: Uint8Array, sign: number): void {
  const add = new Uint16Array(lanes.buffer, lanes.byteOffset, ACCUMULATOR_LANES);
  for (let i = 0; i < ACCUMULATOR_LANES; i++) sums[i] = sums[i]! + sign * add[i]!;
}
const context = utf8Bytes(ELEMENT_LANES_CONTEXT);
const accumulator = emptyAccumulator();
const words = new Uint32Array(ACCUMULATOR_BYTES / 4);

const cases: Array<[string, (element: Uint8Array, sign: 1 | -1) => void]> = [
  ['SHAKE256 → 2 KiB (state root v1)', (e, s) => addLanes(shake256(e, { dkLen: 2048 }), s)],
  [
    '@noble/hashes BLAKE3 derive-key → 2 KiB',
    (e, s) => addLanes(blake3(e, { context, dkLen: 2048 }), s),
  ],
  ['SHA-256 only (32 B, for scale)', (e) => sha256(e)],
  ['core/blake3.ts derive-key → 2 KiB (elementLanes)', (e) => elementLanes(e, words)],
  ['**accumulate (v2: elementLanes + SWAR lane adds)**', (e, s) => accumulate(accumulator, e, s)],
];

function cpuUsPerElement(update: (element: Uint8Array, sign: 1 | -1) => void): number {
  const start = process.cpuUsage();
  for (let i = 0; i < ELEMENTS; i++) update(elements[i]!, i % 2 === 0 ? 1 : -1);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / ELEMENTS;
}

const times = cases.map((): number[] => []);
for (let run = 0; run <= RUNS; run++) {
  // Interleaved, so load from other processes hits every case alike; run 0 is the warm-up.
  cases.forEach(([, update], i) => {
    const us = cpuUsPerElement(update);
    if (run > 0) times[i]!.push(us);
  });
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
const baseline = median(times[0]!);

console.log(
  `LtHash element update, Node ${process.version}, ${elements[0]!.length}-byte account elements, median CPU time of ${RUNS} runs × ${ELEMENTS}, load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores\n`,
);
console.log('| construction | µs / element | vs SHAKE256 |');
console.log('|---|---|---|');
cases.forEach(([name], i) => {
  const us = median(times[i]!);
  console.log(`| ${name} | ${us.toFixed(2)} | ${(baseline / us).toFixed(1)}× |`);
});
