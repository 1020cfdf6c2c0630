// BFT time: a block's time is the power-weighted median of the previous block's precommit
// timestamps in its last commit, checked by every validator. A proposer cannot choose it, and a
// minority (less than a third of the power) cannot move it outside the honest clocks.
import { describe, expect, test } from 'vitest';
import { blockTimeFor } from '../../../src/lib/core/block-time';
import { blockSignatureChecks } from '../../../src/lib/core/block';
import type { LedgerState } from '../../../src/lib/core/state';
import type { Commit, CommitSig } from '../../../src/lib/core/types';
import { validateBlock } from '../../../src/lib/core/validate';
import { makeValidatorSet } from '../../../src/lib/core/validators';
import { TestChain, verifyAll } from '../../support/fixtures';

function stateWith(powers: number[]): LedgerState {
  const set = makeValidatorSet(
    powers.map((power, i) => ({ publicKey: new Uint8Array(32).fill(i + 1), power })),
  );
  return { height: 5, lastBlockTime: 1_000, lastValidators: set } as unknown as LedgerState;
}

function commitOf(stamps: Array<number | 'nil' | 'absent'>): Commit {
  const signatures = stamps.map((stamp): CommitSig => {
    if (stamp === 'absent') return { kind: 'absent' };
    if (stamp === 'nil') return { kind: 'nil', timestamp: 9, signature: new Uint8Array(64) };
    return { kind: 'commit', timestamp: stamp, signature: new Uint8Array(64) };
  });
  return { height: 5, round: 0, blockHash: new Uint8Array(32), signatures };
}

describe('blockTimeFor', () => {
  test('height 1 is the genesis time plus 1 ms', () => {
    expect(blockTimeFor({ height: 0, lastBlockTime: 500 } as LedgerState, null)).toBe(501);
  });

  test('the earliest time by which more than half of the commit power has voted', () => {
    const equal = stateWith([1, 1, 1, 1]);
    expect(blockTimeFor(equal, commitOf([2_000, 2_010, 2_020, 2_030]))).toBe(2_010 + 10);
    expect(blockTimeFor(equal, commitOf([2_030, 2_000, 'absent', 2_010]))).toBe(2_010);
    // Nil votes say nothing about the block's time.
    expect(blockTimeFor(equal, commitOf([2_000, 'nil', 2_010, 2_020]))).toBe(2_010);
    // One validator holds 10 of 13: its timestamp is the median whatever the others say.
    const weighted = stateWith([10, 1, 1, 1]);
    const stamps = weighted.lastValidators.validators.map((v, i) =>
      v.power === 10 ? 5_000 : 2_000 + i,
    );
    expect(blockTimeFor(weighted, commitOf(stamps))).toBe(5_000);
  });

  test('a faulty third cannot pull it outside the honest timestamps, early or late', () => {
    const state = stateWith([1, 1, 1, 1]);
    // Validator 3 is faulty; the commit has exactly the three votes it needs (3 of 4).
    const honest = [2_000, 2_005];
    for (const lie of [0, 1_001, Number.MAX_SAFE_INTEGER]) {
      const time = blockTimeFor(state, commitOf([...honest, 'absent', lie]));
      expect(time).toBeGreaterThanOrEqual(2_000);
      expect(time).toBeLessThanOrEqual(2_005);
    }
  });

  test('null without a precommit for the block', () => {
    expect(blockTimeFor(stateWith([1, 1]), commitOf(['nil', 'absent']))).toBeNull();
    expect(blockTimeFor(stateWith([1, 1]), null)).toBeNull();
  });
});

describe('validateBlock: time', () => {
  test("a proposer's own choice of time is refused, however plausible", async () => {
    const chain = await TestChain.create();
    await chain.addBlocks(2);
    const honest = chain.buildNext();
    const check = async (time: number) => {
      const block = chain.buildNext({ time });
      return validateBlock(
        chain.state,
        block,
        await verifyAll(blockSignatureChecks(chain.state, block)),
      );
    };
    expect(await check(honest.header.time)).toEqual({ ok: true });
    for (const time of [honest.header.time + 1, honest.header.time - 1, Number.MAX_SAFE_INTEGER]) {
      expect(await check(time)).toMatchObject({ ok: false, rule: 'time' });
    }
  });
});
