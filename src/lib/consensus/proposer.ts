// Proposer selection: CometBFT's weighted round-robin (spec/consensus/proposer-selection.md).
//
// One selection run (`selectProposer`), exactly as the spec's final pseudocode:
//   1. scale:  if max(A) - min(A) > 2P, divide every A(i) by ceil(diff / 2P) (truncating, as
//              Go's int64 division; the spec writes diff/threshold, CometBFT's code rounds up so
//              the range really ends below 2P);
//   2. center: A(i) -= avg, avg = sum(A) / n truncated toward zero (the spec's example: -13/3 = -4);
//   3. A(i) += VP(i); the proposer is max A, ties to the smaller address; A(proposer) -= P.
// A validator joining a set starts at -1.125 * P (`joinPriority`).
//
// How priorities carry across heights (our choice, documented in the report and here):
// CometBFT persists priorities in its state and advances them once per height (and r more times
// for round r). A browser node may start from a block-synced state without that history, so we
// make the proposer a pure function of (validator set, height, round):
//
//   proposer(set, h, r) = the selection number k = (h - 1) + r of the run that starts with every
//                         priority at 0.
//
// For a set that never changes this is exactly CometBFT's sequence (its genesis set also starts
// at 0 and advances one run per height and per round). When the set changes, the rotation
// restarts at the phase the new set would have had since genesis (CometBFT instead keeps the
// old priorities and gives newcomers -1.125 P); fairness over any window of P runs is the same.
// From all-zero priorities the sum stays 0, and the spec states the sequence repeats every P
// runs; the cache detects the period (priorities back to all zero) and reduces k modulo it, so
// the cost is O(min(k, period) * n) once and O(n) per further height or round.

import type { Address, ValidatorSet } from '../core/types';

/** Accumulated priorities A(i), in the set's order. */
export type Priorities = number[];

/** Memo of the run from all-zero priorities for one validator set; plain data. */
export interface ProposerCache {
  /** Addresses and powers of the set the cache belongs to. */
  setKey: string;
  /** Priorities before selection number `index`. */
  index: number;
  priorities: Priorities;
  /** Runs after which the priorities return to all zero, once observed; null until then. */
  period: number | null;
}

export function validatorSetKey(set: ValidatorSet): string {
  return set.validators.map((v) => `${v.address}:${v.power}`).join(',');
}

/** Initial priority of a validator that joins a set of total power `totalPower` (its own included). */
export function joinPriority(totalPower: number): number {
  // -1.125 * P with integer arithmetic: P + P/8, truncated like the reference implementation.
  return -(totalPower + Math.trunc(totalPower / 8));
}

/** One selection run; returns the proposer's index and the updated priorities (a new array). */
export function selectProposer(
  set: ValidatorSet,
  priorities: Priorities,
): { index: number; priorities: Priorities } {
  if (set.validators.length === 0 || priorities.length !== set.validators.length) {
    throw new RangeError('selectProposer: bad set');
  }
  const next = priorities.slice();
  const index = selectInPlace(set, next);
  return { index, priorities: next };
}

/**
 * The selection run on `a` in place (hot loop of prioritiesAt); returns the proposer's index.
 * Every value stays an exact integer: |A(i)| stays below about 2.25 P <= 2^51.2.
 */
function selectInPlace(set: ValidatorSet, a: Priorities): number {
  const validators = set.validators;
  const n = validators.length;
  const total = set.totalPower;

  // 1. scale
  let max = -Infinity;
  let min = Infinity;
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    if (x > max) max = x;
    if (x < min) min = x;
  }
  const diff = max - min;
  const diffMax = 2 * total;
  if (diff > diffMax) {
    const ratio = Math.ceil(diff / diffMax);
    for (let i = 0; i < n; i++) a[i] = Math.trunc(a[i]! / ratio);
  }

  // 2. center; the plain sum is exact while n * max|A| < 2^53, otherwise add as BigInt
  const bound = Math.max(Math.abs(max), Math.abs(min));
  let avg: number;
  if (bound * n < Number.MAX_SAFE_INTEGER) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += a[i]!;
    avg = Math.trunc(sum / n);
  } else {
    let sum = 0n;
    for (let i = 0; i < n; i++) sum += BigInt(a[i]!);
    avg = Number(sum / BigInt(n)); // BigInt division truncates toward zero
  }
  if (avg !== 0) for (let i = 0; i < n; i++) a[i] = a[i]! - avg;

  // 3. elect: add powers, highest priority wins, ties to the smaller address
  for (let i = 0; i < n; i++) a[i] = a[i]! + validators[i]!.power;
  let best = 0;
  for (let i = 1; i < n; i++) {
    const x = a[i]!;
    const y = a[best]!;
    if (x > y || (x === y && validators[i]!.address < validators[best]!.address)) best = i;
  }
  a[best] = a[best]! - total;
  return best;
}

function zeroCache(set: ValidatorSet, setKey: string): ProposerCache {
  return { setKey, index: 0, priorities: set.validators.map(() => 0), period: null };
}

function isAllZero(priorities: Priorities): boolean {
  return priorities.every((a) => a === 0);
}

/**
 * Priorities before selection number `target` of the run from all zeros, using and returning a
 * cache (the input cache is not modified).
 */
export function prioritiesAt(
  set: ValidatorSet,
  target: number,
  cache: ProposerCache | null,
): ProposerCache {
  if (!Number.isSafeInteger(target) || target < 0) throw new RangeError('prioritiesAt: bad index');
  const setKey = validatorSetKey(set);
  let current: ProposerCache =
    cache && cache.setKey === setKey
      ? { ...cache, priorities: cache.priorities }
      : zeroCache(set, setKey);
  let goal = target;
  if (current.period !== null) {
    goal = target % current.period;
    if (current.index > goal) current = { ...zeroCache(set, setKey), period: current.period };
  } else if (current.index > goal) {
    current = zeroCache(set, setKey);
  }
  let { index, period } = current;
  const priorities = current.priorities.slice();
  while (index < goal) {
    selectInPlace(set, priorities);
    index += 1;
    if (period === null && isAllZero(priorities)) {
      period = index;
      goal = target % period;
      index = 0; // back at the start state; continue from there to the reduced goal
    }
  }
  return { setKey, index, priorities, period };
}

/**
 * The proposer of (height, round) for `set`, deterministic from its arguments alone (see the
 * header). `cache` (from a previous call, any height) makes consecutive heights/rounds O(n).
 */
export function proposerFor(
  set: ValidatorSet,
  height: number,
  round: number,
  cache: ProposerCache | null = null,
): { proposer: Address; cache: ProposerCache } {
  if (height < 1 || round < 0) throw new RangeError('proposerFor: bad height or round');
  const before = prioritiesAt(set, height - 1 + round, cache);
  const { index } = selectProposer(set, before.priorities);
  return { proposer: set.validators[index]!.address, cache: before };
}
