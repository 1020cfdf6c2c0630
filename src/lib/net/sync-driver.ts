// Range sync across peers, independent of the transport: ask one peer for a bounded batch and,
// while its blocks are verified and committed in order, already fetch the next batch from the
// same peer (SYNC_FETCH_AHEAD_BATCHES at most), so the network and verification overlap. When a
// peer fails (drops, times out, serves a bad block) continue from the first unverified height
// with another peer; blocks fetched ahead from a failed peer are dropped unverified. What each
// peer did is reported (`SyncPeers.report`), so the network can rank peers by the blocks they
// proved and penalise the ones that served garbage or claimed heights they did not serve.
//
// A private ledger's reply stops at the end of the reader's key epoch (SyncEpochAheadError):
// nobody's fault. The pass ends with what was verified; once the node has committed the block
// that rotates the key it holds the next one, and the catch-up's next pass asks again with it.
import { FrameError } from './frames';
import { SYNC_BATCH_BLOCKS_MAX, SYNC_FETCH_AHEAD_BATCHES, SYNC_PEER_ATTEMPTS_MAX } from './limits';
import type { EncodedBlock, SyncOptions, SyncResult } from './network';
import { SyncEpochAheadError } from './ledger-cipher';
import { SyncProtocolError } from './sync-messages';
import type { SyncOutcome } from './sync-peers';

/** One open sync conversation with a peer. */
export interface SyncSession {
  /** Blocks from..to (inclusive, a prefix if the peer has fewer); throws if the peer fails. */
  fetch(from: number, to: number): Promise<EncodedBlock[]>;
  close(): void;
}

export interface SyncPeers {
  /** Peers believed to have `height`, best first (none that must be skipped). */
  candidates(height: number): string[];
  open(peerId: string, signal?: AbortSignal): Promise<SyncSession>;
  /** What an attempt with `peerId` came to (served blocks, or why it was dropped). */
  report?(peerId: string, outcome: SyncOutcome): void;
}

export class SyncAbortedError extends Error {
  override readonly name = 'SyncAbortedError';
}

/** Why the driver dropped a peer, as the network is told: its fault, an accident, or ours. */
class PeerDroppedError extends Error {
  override readonly name = 'PeerDroppedError';
  constructor(
    readonly kind: SyncOutcome['kind'] | 'local',
    message: string,
  ) {
    super(message);
  }
}

/** The outcome an error from a session or a verifier stands for. */
function outcomeOf(error: Error): SyncOutcome | null {
  if (error instanceof PeerDroppedError) {
    return error.kind === 'local' || error.kind === 'served'
      ? null
      : { kind: error.kind, reason: error.message };
  }
  if (error instanceof SyncProtocolError) {
    return { kind: error.misbehaved ? 'invalid' : 'failed', reason: error.reason };
  }
  if (error instanceof FrameError) {
    const misbehaved = error.reason === 'too-large' || error.reason === 'bad-length';
    return { kind: misbehaved ? 'invalid' : 'failed', reason: `frame-${error.reason}` };
  }
  return { kind: 'failed', reason: error.message };
}

interface Fetched {
  from: number;
  blocks: Promise<EncodedBlock[]>;
}

/** Verify one batch with the options' verifier; resolves with how many passed, or throws. */
async function verifyBatch(
  blocks: readonly EncodedBlock[],
  options: SyncOptions,
  onVerified: (count: number) => void,
): Promise<void> {
  if (options.verifyBatch) {
    const verdict = await options.verifyBatch(blocks);
    const verified = Math.max(0, Math.min(verdict.verified, blocks.length));
    for (const block of blocks.slice(0, verified)) await options.onBlock?.(block);
    onVerified(verified);
    if (verified < blocks.length) {
      const height = blocks[verified]?.height;
      throw new PeerDroppedError(
        verdict.fault === 'local' ? 'local' : 'invalid',
        `invalid block ${height}: ${verdict.reason ?? 'rejected'}`,
      );
    }
    return;
  }
  for (const block of blocks) {
    const verdict = await options.verify(block);
    if (!verdict.ok) {
      throw new PeerDroppedError('invalid', `invalid block ${block.height}: ${verdict.reason}`);
    }
    await options.onBlock?.(block);
    onVerified(1);
  }
}

export async function syncRange(
  from: number,
  to: number,
  options: SyncOptions,
  peers: SyncPeers,
): Promise<SyncResult> {
  let next = from;
  const served = new Set<string>();
  const failed = new Map<string, string>();
  let attempts = 0;
  while (next <= to && attempts < SYNC_PEER_ATTEMPTS_MAX) {
    if (options.signal?.aborted) throw new SyncAbortedError('sync aborted');
    const peerId = peers.candidates(next).find((id) => !failed.has(id));
    if (peerId === undefined) break;
    attempts += 1;
    let session: SyncSession | null = null;
    const ahead: Fetched[] = [];
    try {
      const opened = await peers.open(peerId, options.signal);
      session = opened;
      // `requested` is the first height not asked yet. A session reads one reply stream, so
      // each request goes out once the previous batch has arrived (not once it is verified).
      let requested = next;
      let tail: Promise<unknown> = Promise.resolve();
      const fetchAhead = (batchesMax: number) => {
        while (requested <= to && ahead.length < batchesMax) {
          const batchFrom = requested;
          const batchTo = Math.min(to, batchFrom + SYNC_BATCH_BLOCKS_MAX - 1);
          const blocks = tail
            .then(() => opened.fetch(batchFrom, batchTo))
            .then((fetched) => {
              options.prepare?.(fetched);
              return fetched;
            });
          tail = blocks;
          // Awaited in order below; a failure before then must not be an unhandled rejection.
          blocks.catch(() => undefined);
          ahead.push({ from: batchFrom, blocks });
          requested = batchTo + 1;
        }
      };
      fetchAhead(1);
      while (next <= to) {
        if (options.signal?.aborted) throw new SyncAbortedError('sync aborted');
        const batch = ahead.shift();
        if (!batch) break;
        const blocks = await batch.blocks;
        if (blocks.length === 0) {
          // It is a candidate because its status claims this height.
          throw new PeerDroppedError('lied', `no blocks at height ${batch.from} it claimed`);
        }
        blocks.forEach((block, i) => {
          if (block.height !== batch.from + i) {
            throw new PeerDroppedError('invalid', `out-of-order block ${block.height}`);
          }
        });
        if (batch.from !== next) {
          throw new PeerDroppedError('local', `batch from ${batch.from}, expected ${next}`);
        }
        const batchEnd = batch.from + blocks.length;
        // (With nothing asked ahead yet, `requested` is where the next request would start.)
        if (ahead.length > 0 ? ahead[0]?.from !== batchEnd : requested !== batchEnd) {
          // The peer served a prefix: what was asked ahead no longer lines up; ask again.
          ahead.length = 0;
          requested = batchEnd;
        }
        fetchAhead(SYNC_FETCH_AHEAD_BATCHES);
        await verifyBatch(blocks, options, (count) => {
          if (count > 0) {
            served.add(peerId);
            peers.report?.(peerId, { kind: 'served', blocks: count });
          }
          next += count;
        });
      }
    } catch (error) {
      if (error instanceof SyncAbortedError) throw error;
      if (error instanceof SyncEpochAheadError) break;
      failed.set(peerId, (error as Error).message);
      const outcome = outcomeOf(error as Error);
      if (outcome) peers.report?.(peerId, outcome);
    } finally {
      session?.close();
    }
  }
  return {
    height: next - 1,
    blocks: next - from,
    peers: [...served],
    failures: [...failed].map(([peerId, reason]) => ({ peerId, reason })),
    complete: next > to,
  };
}
