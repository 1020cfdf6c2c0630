import { describe, expect, test } from 'vitest';
import { Mempool, type MempoolEntry } from '../../../src/lib/node/mempool';
import type { Tx } from '../../../src/lib/core/types';

// The mempool never verifies signatures (the node does, before `add`), so plain objects do.
function entry(sender: string, nonce: number, sizeBytes = 100): Omit<MempoolEntry, 'arrival'> {
  const tx: Tx = {
    chainId: 'c'.repeat(64),
    from: new Uint8Array(32),
    nonce,
    kind: 'transfer',
    body: { to: 'b'.repeat(40), amount: 1 },
    signature: new Uint8Array(64),
  };
  return { tx, hash: `${sender}:${nonce}`, sender, sizeBytes };
}

const limits = { txsMax: 10, bytesMax: 10_000, perSenderMax: 4 };
const zeroNonce = () => 0;

describe('admission', () => {
  test('dedups by hash and by sender nonce', () => {
    const pool = new Mempool(limits);
    expect(pool.add(entry('a', 0), 0)).toEqual({ added: true, evicted: null });
    expect(pool.add(entry('a', 0), 0)).toEqual({ added: false, reason: 'duplicate' });
    expect(pool.add({ ...entry('a', 0), hash: 'other' }, 0)).toEqual({
      added: false,
      reason: 'nonce-taken',
    });
    expect(pool.size).toBe(1);
  });

  test('refuses used nonces and nonces too far ahead of the account', () => {
    const pool = new Mempool(limits);
    expect(pool.add(entry('a', 2), 3)).toEqual({ added: false, reason: 'nonce-too-low' });
    expect(pool.add(entry('a', 7), 3)).toEqual({ added: false, reason: 'too-far-ahead' });
    expect(pool.add(entry('a', 6), 3).added).toBe(true);
  });

  test('when full, evicts the busiest sender highest nonce for a quieter sender', () => {
    const pool = new Mempool({ txsMax: 4, bytesMax: 10_000, perSenderMax: 4 });
    for (let nonce = 0; nonce < 4; nonce++) pool.add(entry('spammer', nonce), 0);
    const outcome = pool.add(entry('quiet', 0), 0);
    expect(outcome.added).toBe(true);
    expect(outcome.added && outcome.evicted?.hash).toBe('spammer:3');
    expect(pool.size).toBe(4);
  });

  test('when full, refuses a newcomer from the busiest sender', () => {
    const pool = new Mempool({ txsMax: 2, bytesMax: 10_000, perSenderMax: 4 });
    pool.add(entry('a', 0), 0);
    pool.add(entry('b', 0), 0);
    expect(pool.add(entry('a', 1), 0)).toEqual({ added: false, reason: 'full' });
  });

  test('the byte bound is enforced like the count bound', () => {
    const pool = new Mempool({ txsMax: 100, bytesMax: 250, perSenderMax: 4 });
    pool.add(entry('a', 0, 100), 0);
    pool.add(entry('a', 1, 100), 0);
    expect(pool.add(entry('a', 2, 100), 0)).toEqual({ added: false, reason: 'full' });
    expect(pool.bytes).toBe(200);
  });
});

describe('reap', () => {
  test('takes contiguous nonces per sender, interleaving senders by arrival', () => {
    const pool = new Mempool(limits);
    pool.add(entry('a', 0), 0);
    pool.add(entry('b', 0), 0);
    pool.add(entry('a', 1), 0);
    pool.add(entry('a', 3), 0); // gap at nonce 2: not reapable yet
    pool.add(entry('b', 1), 0);
    const picked = pool.reap(zeroNonce, 10, 10_000).map((tx) => tx.nonce);
    expect(picked).toEqual([0, 0, 1, 1]);
  });

  test('respects the count and byte bounds without skipping a nonce', () => {
    const pool = new Mempool(limits);
    pool.add(entry('a', 0, 100), 0);
    pool.add(entry('a', 1, 500), 0);
    pool.add(entry('a', 2, 100), 0);
    expect(pool.reap(zeroNonce, 10, 300).map((tx) => tx.nonce)).toEqual([0]);
    expect(pool.reap(zeroNonce, 2, 10_000).map((tx) => tx.nonce)).toEqual([0, 1]);
  });
});

describe('update after a block', () => {
  test('drops committed and stale transactions and keeps the rest', () => {
    const pool = new Mempool(limits);
    pool.add(entry('a', 0), 0);
    pool.add(entry('a', 1), 0);
    pool.add(entry('b', 0), 0);
    pool.add(entry('b', 1), 0);
    // Block committed a:0; b's nonce 0 was used by a transaction this node never saw.
    const stale = pool.update(['a:0'], (sender) => (sender === 'a' ? 1 : 1));
    expect(stale.map((e) => e.hash)).toEqual(['b:0']);
    expect([...pool.entries()].map((e) => e.hash).sort()).toEqual(['a:1', 'b:1']);
    expect(pool.bytes).toBe(200);
  });
});
