// Double-sign protection: the pure rule (canSign) and the persisting wrapper with an in-memory
// store that survives a simulated crash. Signatures come from a counting fake signer; the guard
// only decides whether signing may happen, and in which order relative to persistence.

import { describe, expect, test } from 'vitest';
import {
  canSign,
  restartPoint,
  withLock,
  type SignDecision,
} from '../../../src/lib/consensus/signer-guard';
import type { SignedState } from '../../../src/lib/consensus/types';
import type { Signer } from '../../../src/lib/core/signing';
import type { UnsignedVote } from '../../../src/lib/core/types';
import { createMemorySignerStateStore } from '../../../src/lib/node/memory-signer-state';
import {
  createSignerGuard,
  SIGNED_VOTES_KEPT_MAX,
  SignRefusedError,
} from '../../../src/lib/node/signer-guard';

const A = new Uint8Array(32).fill(0xa);
const B = new Uint8Array(32).fill(0xb);

function state(
  height: number,
  round: number,
  step: 0 | 1 | 2,
  blockHash: Uint8Array | null,
): SignedState {
  return { height, round, step, blockHash };
}

describe('canSign (pure)', () => {
  const last = state(5, 2, 1, A); // prevoted A at height 5, round 2
  test.each<[string, SignedState, SignDecision]>([
    ['nothing signed yet', state(1, 0, 0, A), { ok: true }],
    ['precommit after prevote', state(5, 2, 2, A), { ok: true }],
    ['precommit nil after prevote A', state(5, 2, 2, null), { ok: true }],
    ['next round', state(5, 3, 0, B), { ok: true }],
    ['next height', state(6, 0, 1, B), { ok: true }],
    ['the identical prevote again (rebroadcast)', state(5, 2, 1, A), { ok: true }],
    [
      'another block at the same step',
      state(5, 2, 1, B),
      { ok: false, refused: 'conflicting-block' },
    ],
    ['nil at the same step', state(5, 2, 1, null), { ok: false, refused: 'conflicting-block' }],
    [
      'a proposal in the same round after the prevote',
      state(5, 2, 0, A),
      { ok: false, refused: 'step-regression' },
    ],
    ['an earlier round', state(5, 1, 2, A), { ok: false, refused: 'round-regression' }],
    ['an earlier height', state(4, 9, 2, A), { ok: false, refused: 'height-regression' }],
  ])('%s', (_name, next, expected) => {
    expect(canSign(_name === 'nothing signed yet' ? null : last, next)).toEqual(expected);
  });

  test('nil then nil at the same step is identical', () => {
    expect(canSign(state(1, 0, 2, null), state(1, 0, 2, null))).toEqual({ ok: true });
    expect(canSign(state(1, 0, 2, null), state(1, 0, 2, A))).toEqual({
      ok: false,
      refused: 'conflicting-block',
    });
  });
});

describe('the lock in the signed state', () => {
  test('a non-nil precommit locks; later signatures of the height keep it; a new height drops it', () => {
    const locked = withLock(state(5, 1, 1, A), state(5, 1, 2, A));
    expect(locked.lock).toEqual({ round: 1, blockHash: A });
    expect(withLock(locked, state(5, 2, 1, null)).lock).toEqual({ round: 1, blockHash: A });
    expect(withLock(locked, state(5, 2, 2, null)).lock).toEqual({ round: 1, blockHash: A });
    expect(withLock(locked, state(5, 3, 2, B)).lock).toEqual({ round: 3, blockHash: B });
    expect(withLock(locked, state(6, 0, 1, A)).lock).toBeNull();
    expect(withLock(null, state(5, 0, 2, null)).lock).toBeNull();
  });

  test('restartPoint: resume in the last signed round of the height (the next one if alone), with its lock', () => {
    const last = { ...state(5, 3, 1, null), lock: { round: 2, blockHash: A } };
    expect(restartPoint(last, 5)).toEqual({ round: 3, lock: { round: 2, blockHash: A } });
    expect(restartPoint(last, 5, true)).toEqual({ round: 4, lock: { round: 2, blockHash: A } });
    expect(restartPoint(last, 6)).toEqual({ round: 0, lock: null });
    expect(restartPoint(null, 1, true)).toEqual({ round: 0, lock: null });
  });
});

/** A signer that records what it signed and when (relative to the store's saves). */
function countingSigner(store: { saves: number }) {
  const log: Array<{ savesBefore: number }> = [];
  const signer: Signer = {
    publicKey: new Uint8Array(32),
    async sign() {
      log.push({ savesBefore: store.saves });
      return new Uint8Array(64).fill(1);
    },
  };
  return { signer, log };
}

function unsignedVote(
  round: number,
  type: 'prevote' | 'precommit',
  blockHash: Uint8Array | null,
): UnsignedVote {
  return {
    chainId: 'c'.repeat(64),
    height: 3,
    round,
    type,
    blockHash,
    timestamp: 0,
    validator: 'a'.repeat(40),
  };
}

describe('createSignerGuard (persist before signing)', () => {
  test('persists the new state before the signature is produced, and stamps the timestamp', async () => {
    const store = createMemorySignerStateStore();
    const guard = createSignerGuard(store);
    const { signer, log } = countingSigner(store);
    const vote = await guard.signVote(unsignedVote(0, 'prevote', A), signer, 1234);
    expect(vote.timestamp).toBe(1234);
    expect(log).toEqual([{ savesBefore: 1 }]);
    await guard.last(); // the vote log is written behind the signature
    expect(store.durable).toEqual({ ...state(3, 0, 1, A), lock: null, votes: [vote] });
  });

  test('refuses a conflicting vote and signs nothing', async () => {
    const store = createMemorySignerStateStore();
    const guard = createSignerGuard(store);
    const { signer, log } = countingSigner(store);
    await guard.signVote(unsignedVote(0, 'prevote', A), signer, 1);
    await expect(guard.signVote(unsignedVote(0, 'prevote', B), signer, 2)).rejects.toMatchObject({
      name: 'SignRefusedError',
      refused: 'conflicting-block',
    });
    expect(log.length).toBe(1);
  });

  test('re-signs the identical vote without another write (rebroadcast)', async () => {
    const store = createMemorySignerStateStore();
    const guard = createSignerGuard(store);
    const { signer } = countingSigner(store);
    await guard.signVote(unsignedVote(0, 'precommit', A), signer, 1);
    await guard.signVote(unsignedVote(0, 'precommit', A), signer, 2);
    await guard.last();
    // One write for the signed state, one for the vote log; none for the re-signed copy.
    expect(store.saves).toBe(2);
    expect((await guard.votesAt(3)).map((vote) => vote.timestamp)).toEqual([1]);
  });

  test('state survives a crash: a new guard over the same store refuses what the old one forbade', async () => {
    const store = createMemorySignerStateStore();
    const before = createSignerGuard(store);
    const { signer } = countingSigner(store);
    const precommit = await before.signVote(unsignedVote(4, 'precommit', A), signer, 1);
    await before.last();
    // "Crash": the first guard and its memory are gone; only the store's durable state remains.
    const after = createSignerGuard(store);
    expect(await after.last()).toEqual({
      ...state(3, 4, 2, A),
      lock: { round: 4, blockHash: A },
      votes: [precommit],
    });
    await expect(after.signVote(unsignedVote(0, 'prevote', A), signer, 2)).rejects.toBeInstanceOf(
      SignRefusedError,
    );
    await expect(after.signVote(unsignedVote(4, 'precommit', B), signer, 2)).rejects.toMatchObject({
      refused: 'conflicting-block',
    });
    await expect(after.signVote(unsignedVote(5, 'prevote', B), signer, 3)).resolves.toMatchObject({
      round: 5,
    });
  });

  test('if the write fails nothing is signed and the old state still rules', async () => {
    const store = createMemorySignerStateStore();
    const guard = createSignerGuard(store);
    const { signer, log } = countingSigner(store);
    const prevote = await guard.signVote(unsignedVote(0, 'prevote', A), signer, 1);
    await guard.last();
    store.failSaves = true;
    await expect(guard.signVote(unsignedVote(0, 'precommit', A), signer, 2)).rejects.toThrow(
      'save failed',
    );
    expect(log.length).toBe(1);
    expect(store.durable).toEqual({ ...state(3, 0, 1, A), lock: null, votes: [prevote] });
    store.failSaves = false;
    await expect(guard.signVote(unsignedVote(0, 'prevote', B), signer, 3)).rejects.toMatchObject({
      refused: 'conflicting-block',
    });
    await expect(guard.signVote(unsignedVote(0, 'precommit', A), signer, 4)).resolves.toBeDefined();
  });

  test('logs the votes of the current height for replay after a restart, bounded', async () => {
    const store = createMemorySignerStateStore();
    const guard = createSignerGuard(store);
    const { signer } = countingSigner(store);
    const prevote = await guard.signVote(unsignedVote(0, 'prevote', A), signer, 1);
    const precommit = await guard.signVote(unsignedVote(0, 'precommit', A), signer, 2);
    const restarted = createSignerGuard(store);
    expect(await restarted.votesAt(3)).toEqual([prevote, precommit]);
    expect(await restarted.votesAt(4)).toEqual([]);
    // A new height starts an empty log.
    const next = await restarted.signVote(
      { ...unsignedVote(0, 'prevote', B), height: 4 },
      signer,
      3,
    );
    expect(await restarted.votesAt(4)).toEqual([next]);
    expect(await restarted.votesAt(3)).toEqual([]);
    // Many rounds: only the newest SIGNED_VOTES_KEPT_MAX are kept.
    for (let round = 1; round <= SIGNED_VOTES_KEPT_MAX; round++) {
      await restarted.signVote({ ...unsignedVote(round, 'prevote', null), height: 4 }, signer, 4);
    }
    const kept = await restarted.votesAt(4);
    expect(kept.length).toBe(SIGNED_VOTES_KEPT_MAX);
    expect(kept[0]?.round).toBe(1);
    expect(kept.at(-1)?.round).toBe(SIGNED_VOTES_KEPT_MAX);
  });

  test('concurrent requests are serialized: of two conflicting ones only the first is signed', async () => {
    const store = createMemorySignerStateStore();
    const guard = createSignerGuard(store);
    const { signer, log } = countingSigner(store);
    const results = await Promise.allSettled([
      guard.signVote(unsignedVote(0, 'prevote', A), signer, 1),
      guard.signVote(unsignedVote(0, 'prevote', B), signer, 1),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    expect(log.length).toBe(1);
  });

  test('proposals: step 0 comes before the prevote of the same round', async () => {
    const store = createMemorySignerStateStore();
    const guard = createSignerGuard(store);
    const { signer } = countingSigner(store);
    const proposal = {
      chainId: 'c'.repeat(64),
      height: 3,
      round: 1,
      polRound: -1,
      blockHash: A,
      proposer: 'a'.repeat(40),
    };
    await guard.signProposal(proposal, signer);
    await guard.signVote(unsignedVote(1, 'prevote', A), signer, 1);
    await expect(guard.signProposal({ ...proposal, blockHash: B }, signer)).rejects.toMatchObject({
      refused: 'step-regression',
    });
  });
});
