// What range sync remembers of peers (docs/network.md, "What peers proved, and penalties"):
// ranking by blocks proved, penalties by outcome that a milder one never softens, expiry, the
// gossipsub application score, and the table's bound.
import { expect, test } from 'vitest';
import { SYNC_PENALTY_MS, SYNC_SKIP_MS } from '../../../src/lib/net/limits';
import { SyncPeerBook } from '../../../src/lib/net/sync-peers';

test('peers rank by blocks proved; penalised ones are skipped until their penalty ends', () => {
  let nowMs = 0;
  const book = new SyncPeerBook(() => nowMs);
  book.record('b', { kind: 'served', blocks: 10 });
  book.record('c', { kind: 'served', blocks: 50 });
  expect(book.rank(['a', 'b', 'c'])).toEqual(['c', 'b', 'a']);
  book.record('c', { kind: 'lied', reason: 'no blocks' });
  expect(book.rank(['a', 'b', 'c'])).toEqual(['b', 'a']);
  expect([book.distrusted('c'), book.gossipScore('c')]).toEqual([true, -3]);
  // A milder outcome later does not soften or shorten it; a harsher one replaces it.
  nowMs += 1_000;
  book.record('c', { kind: 'failed', reason: 'timeout' });
  expect(book.penalty('c')).toBe('lied');
  book.record('c', { kind: 'invalid', reason: 'bad commit' });
  expect([book.penalty('c'), book.gossipScore('c')]).toEqual(['invalid', -10]);
  nowMs += SYNC_PENALTY_MS;
  expect([book.penalty('c'), book.gossipScore('c')]).toEqual([null, 0]);
  expect(book.rank(['a', 'b', 'c'])).toEqual(['c', 'b', 'a']);
  // An accident only skips the peer, briefly, and keeps its claims.
  book.record('b', { kind: 'failed', reason: 'dropped' });
  expect([book.skipped('b'), book.distrusted('b'), book.gossipScore('b')]).toEqual([
    true,
    false,
    0,
  ]);
  nowMs += SYNC_SKIP_MS;
  expect(book.skipped('b')).toBe(false);
});

test('the book is bounded: the least recently updated peer is forgotten', () => {
  const book = new SyncPeerBook(() => 0, 2);
  book.record('a', { kind: 'invalid', reason: 'x' });
  book.record('b', { kind: 'served', blocks: 1 });
  book.record('a', { kind: 'served', blocks: 1 });
  book.record('c', { kind: 'served', blocks: 1 });
  expect(book.report().map((r) => r.peerId)).toEqual(['a', 'c']);
});
