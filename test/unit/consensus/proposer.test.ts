// Proposer selection against the examples of CometBFT's spec/consensus/proposer-selection.md,
// plus the properties our stateless (set, height, round) derivation relies on.

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  joinPriority,
  prioritiesAt,
  proposerFor,
  selectProposer,
  type Priorities,
} from '../../../src/lib/consensus/proposer';
import type { ValidatorSet } from '../../../src/lib/core/types';

/** A set with readable addresses p1 < p2 < p3 ... (ordered by address, as real sets are). */
function named(powers: Record<string, number>): ValidatorSet {
  const validators = Object.entries(powers)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([address, power]) => ({ address, publicKey: new Uint8Array(32), power }));
  return { validators, totalPower: validators.reduce((sum, v) => sum + v.power, 0) };
}

/** Runs `runs` selections from `start`; returns proposers and the priorities after each run. */
function run(set: ValidatorSet, start: Priorities, runs: number) {
  let priorities = start;
  const proposers: string[] = [];
  const after: Priorities[] = [];
  for (let k = 0; k < runs; k++) {
    const result = selectProposer(set, priorities);
    priorities = result.priorities;
    proposers.push(set.validators[result.index]!.address);
    after.push(priorities);
  }
  return { proposers, after };
}

describe('CometBFT proposer-selection.md examples', () => {
  test('stable set p1=1, p2=3: the table of four runs, then back to 0', () => {
    const set = named({ p1: 1, p2: 3 });
    const { proposers, after } = run(set, [0, 0], 4);
    expect(proposers).toEqual(['p2', 'p1', 'p2', 'p2']);
    expect(after).toEqual([
      [1, -1], // run 1: p2 elected
      [-2, 2], // run 2: p1 and p2 tie at 2, p1 (smaller address) elected
      [-1, 1],
      [0, 0],
    ]);
  });

  test('R2: the sequence p2, p1, p2, p2 repeats', () => {
    const set = named({ p1: 1, p2: 3 });
    expect(run(set, [0, 0], 12).proposers.join(',')).toBe('p2,p1,p2,p2,p2,p1,p2,p2,p2,p1,p2,p2');
  });

  test('p1=1, p2=2, p3=3 from zero: p3 p2 p1 p3 p2 p3, period P = 6', () => {
    const set = named({ p1: 1, p2: 2, p3: 3 });
    const { proposers, after } = run(set, [0, 0, 0], 12);
    expect(proposers.slice(0, 6)).toEqual(['p3', 'p2', 'p1', 'p3', 'p2', 'p3']);
    expect(proposers.slice(6)).toEqual(proposers.slice(0, 6));
    expect(after[5]).toEqual([0, 0, 0]);
  });

  test('voting power change p1 1 -> 4: one run from (p1=1, p2=-1) elects p1', () => {
    const set = named({ p1: 4, p2: 3 });
    const { proposers, after } = run(set, [1, -1], 1);
    expect(proposers).toEqual(['p1']);
    expect(after[0]).toEqual([-2, 2]);
  });

  test('validator removal: centering with avg = -1', () => {
    // Last run (p1=1, p2=2, p3=-3), then p2 is removed.
    const set = named({ p1: 1, p3: 3 });
    const { proposers, after } = run(set, [1, -3], 1);
    expect(proposers).toEqual(['p1']);
    expect(after[0]).toEqual([-1, 1]);
  });

  test('new validator p3=8 joins at -1.125 P = -13; avg = -4 (truncated); p1 elected', () => {
    expect(joinPriority(12)).toBe(-13);
    const set = named({ p1: 1, p2: 3, p3: 8 });
    const { proposers, after } = run(set, [2, -2, joinPriority(12)], 1);
    expect(proposers).toEqual(['p1']);
    expect(after[0]).toEqual([-5, 5, -1]);
  });

  test('scaling keeps the priority range within 2P', () => {
    // The spec's "Proposer Priority Range" case: p3=-60k, p2=-15k with powers 10 and 10.
    const set = named({ p2: 10, p3: 10 });
    const { after } = run(set, [-15_000, -60_000], 1);
    const range = Math.max(...after[0]!) - Math.min(...after[0]!);
    expect(range).toBeLessThanOrEqual(2 * set.totalPower);
  });
});

describe('proposerFor(set, height, round): a pure function of its arguments', () => {
  const set = named({ p1: 1, p2: 2, p3: 3 });

  test('selection number (height - 1 + round) of the run from zero priorities', () => {
    const sequence = run(set, [0, 0, 0], 20).proposers;
    for (let height = 1; height <= 8; height++) {
      for (let round = 0; round <= 5; round++) {
        expect(proposerFor(set, height, round).proposer).toBe(sequence[height - 1 + round]);
      }
    }
  });

  test('a cache from any earlier call gives the same answers', () => {
    let cache = prioritiesAt(set, 0, null);
    for (let height = 1; height <= 50; height++) {
      const withCache = proposerFor(set, height, height % 4, cache);
      expect(withCache.proposer).toBe(proposerFor(set, height, height % 4).proposer);
      cache = prioritiesAt(set, height, cache);
    }
  });

  test('the period is detected, so far heights cost one period', () => {
    const cache = prioritiesAt(set, 1_000_000_000, null);
    expect(cache.period).toBe(6);
    expect(cache.index).toBe(1_000_000_000 % 6);
  });

  test('property: from zero, every set returns to zero after P runs, each proposing power times', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 8 }),
        (powers) => {
          const entries: Record<string, number> = {};
          powers.forEach((power, i) => (entries[`v${String(i).padStart(2, '0')}`] = power));
          const s = named(entries);
          const { proposers, after } = run(
            s,
            powers.map(() => 0),
            s.totalPower,
          );
          expect(after.at(-1)!.every((a) => a === 0)).toBe(true);
          for (const v of s.validators) {
            expect(proposers.filter((p) => p === v.address).length).toBe(v.power);
          }
        },
      ),
      { numRuns: 200, seed: 42 },
    );
  });
});
