import { describe, expect, it } from 'vitest';
import { Prng } from './prng';

describe('Prng', () => {
  it('replays the same stream for the same seed', () => {
    const a = new Prng(42);
    const b = new Prng(42);
    const drawsA = Array.from({ length: 100 }, () => a.nextU32());
    const drawsB = Array.from({ length: 100 }, () => b.nextU32());
    expect(drawsA).toEqual(drawsB);
  });

  it('gives different streams for neighbouring seeds and for seeds above 2^32', () => {
    const first = (seed: number) => new Prng(seed).nextU32();
    expect(first(1)).not.toBe(first(2));
    expect(first(5)).not.toBe(first(5 + 2 ** 32));
  });

  it('keeps int() within its inclusive bounds and reaches both ends', () => {
    const prng = new Prng(7);
    const seen = new Set<number>();
    for (let i = 0; i < 2_000; i++) {
      const value = prng.int(3, 6);
      expect(value).toBeGreaterThanOrEqual(3);
      expect(value).toBeLessThanOrEqual(6);
      seen.add(value);
    }
    expect([...seen].sort()).toEqual([3, 4, 5, 6]);
  });

  it('is roughly uniform (chi-square over 10 buckets)', () => {
    const prng = new Prng(123);
    const buckets = new Array<number>(10).fill(0);
    const draws = 100_000;
    for (let i = 0; i < draws; i++) buckets[Math.floor(prng.float() * 10)]! += 1;
    const expected = draws / 10;
    const chiSquare = buckets.reduce((sum, n) => sum + (n - expected) ** 2 / expected, 0);
    // 9 degrees of freedom: P(chi2 > 27.9) = 0.001.
    expect(chiSquare).toBeLessThan(27.9);
  });

  it('forks independent streams without consuming from the parent', () => {
    const parent = new Prng(9);
    const before = new Prng(9).nextU32();
    const forkA = parent.fork('network');
    const forkB = parent.fork('clients');
    expect(parent.nextU32()).toBe(before);
    expect(forkA.nextU32()).not.toBe(forkB.nextU32());
    expect(new Prng(9).fork('network').nextU32()).toBe(new Prng(9).fork('network').nextU32());
  });

  it('shuffles into a permutation and rejects bad arguments', () => {
    const prng = new Prng(3);
    const items = [...Array(20).keys()];
    expect([...prng.shuffle([...items])].sort((a, b) => a - b)).toEqual(items);
    expect(() => prng.int(5, 4)).toThrow(RangeError);
    expect(() => prng.pick([])).toThrow(RangeError);
    expect(() => new Prng(-1)).toThrow(RangeError);
  });
});
