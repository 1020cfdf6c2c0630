// Range sync of a private ledger at the end of the reader's key epoch (the driver and the sync
// frames, without a network): a reply that stops there and an 'epoch-ahead' are nobody's fault.
import { describe, expect, test } from 'vitest';
import { SyncEpochAheadError } from '../../../src/lib/net/ledger-cipher';
import { SYNC_BATCH_BLOCKS_MAX } from '../../../src/lib/net/limits';
import type { EncodedBlock } from '../../../src/lib/net/network';
import { syncRange, type SyncPeers } from '../../../src/lib/net/sync-driver';
import {
  decodeSyncMessage,
  encodeSyncMessage,
  type SyncMessage,
} from '../../../src/lib/net/sync-messages';
import type { SyncOutcome } from '../../../src/lib/net/sync-peers';
import { syntheticChain, verifySynthetic } from '../../integration/support/net-fixtures';

/** Peers serving `chain`, each fetch answered by `serve` (which may stop early or throw). */
function peers(
  ids: string[],
  serve: (peerId: string, from: number, to: number) => EncodedBlock[],
): SyncPeers & { reports: [string, SyncOutcome][]; opened: string[] } {
  const reports: [string, SyncOutcome][] = [];
  const opened: string[] = [];
  return {
    reports,
    opened,
    candidates: () => ids,
    open: async (peerId) => {
      opened.push(peerId);
      return { fetch: async (from, to) => serve(peerId, from, to), close() {} };
    },
    report: (peerId, outcome) => reports.push([peerId, outcome]),
  };
}

describe('sync at the end of a key epoch', () => {
  test('an epoch-ahead reply ends the pass with what was verified: no penalty, no other peer', async () => {
    const chain = syntheticChain(30);
    const epochEnd = 12; // the rotation block: the reader holds no key for blocks after it
    const book = peers(['a', 'b'], (_peer, from, to) => {
      if (from > epochEnd) throw new SyncEpochAheadError(from);
      return chain.slice(from - 1, Math.min(to, epochEnd));
    });
    const result = await syncRange(1, 30, { verify: verifySynthetic }, book);
    expect(result).toMatchObject({ height: epochEnd, complete: false, failures: [] });
    expect(book.opened).toEqual(['a']);
    expect(book.reports.every(([, outcome]) => outcome.kind === 'served')).toBe(true);
  });

  test('an epoch-ahead at once verifies nothing and blames nobody', async () => {
    const book = peers(['a', 'b'], (_peer, from) => {
      throw new SyncEpochAheadError(from);
    });
    const result = await syncRange(5, 9, { verify: verifySynthetic }, book);
    expect(result).toMatchObject({ height: 4, blocks: 0, failures: [], complete: false });
    expect(book.reports).toEqual([]);
  });

  test('a first reply cut short is continued from where it stopped, on the same peer', async () => {
    const chain = syntheticChain(SYNC_BATCH_BLOCKS_MAX * 2);
    const short = 5;
    const book = peers(['a'], (_peer, from, to) =>
      chain.slice(from - 1, Math.min(to, from + short - 1)),
    );
    const result = await syncRange(1, chain.length, { verify: verifySynthetic }, book);
    expect(result).toMatchObject({ complete: true, failures: [], peers: ['a'] });
  });
});

describe('sync frames of a private ledger', () => {
  const headHash = new Uint8Array(32);
  const chainId = 'a1'.repeat(32);
  const frames: SyncMessage[] = [
    { t: 'status', chainId, height: 3, headHash, epoch: 2 },
    { t: 'range', from: 4, to: 9, epoch: 0 },
    { t: 'epoch-ahead', height: 4 },
    { t: 'status', chainId, height: 3, headHash },
    { t: 'range', from: 4, to: 9 },
  ];
  test.each(frames)('round trip of %o', (message) => {
    expect(decodeSyncMessage(encodeSyncMessage(message))).toEqual(message);
  });

  test('an epoch on any other frame, or not a height, is malformed', () => {
    const bad = [
      { t: 'end', epoch: 1 },
      { t: 'range', from: 1, to: 2, epoch: -1 },
      { t: 'range', from: 1, to: 2, epoch: 'one' },
      { t: 'epoch-ahead', height: 1, epoch: 0 },
    ];
    for (const message of bad) {
      expect(() => decodeSyncMessage(encodeSyncMessage(message as SyncMessage))).toThrow(
        /malformed/,
      );
    }
  });
});
