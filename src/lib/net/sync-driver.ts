// Range sync across peers, independent of the transport: ask one peer for a bounded batch and,
// while its blocks are verified and committed in order, already fetch the next batch from the
// same peer (SYNC_FETCH_AHEAD_BATCHES at most), so the network and verification overlap. When a
// peer fails (drops, times out, serves a bad block) continue from the first unverified height
// with another peer; blocks fetched ahead from a failed peer are dropped unverified.
import { SYNC_BATCH_BLOCKS_MAX, SYNC_FETCH_AHEAD_BATCHES, SYNC_PEER_ATTEMPTS_MAX } from './limits';
import type { EncodedBlock, SyncOptions, SyncResult } from './network';

/** One open sync conversation with a peer. */
export interface SyncSession {
  /** Blocks from..to (inclusive, a prefix if the peer has fewer); throws if the peer fails. */
  fetch(from: number, to: number): Promise<EncodedBlock[]>;
  close(): void;
}

export interface SyncPeers {
  /** Peers believed to have `height`, best first. */
  candidates(height: number): string[];
  open(peerId: string, signal?: AbortSignal): Promise<SyncSession>;
}

export class SyncAbortedError extends Error {
  override readonly name = 'SyncAbortedError';
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
      throw new Error(`invalid block ${height}: ${verdict.reason ?? 'rejected'}`);
    }
    return;
  }
  for (const block of blocks) {
    const verdict = await options.verify(block);
    if (!verdict.ok) throw new Error(`invalid block ${block.height}: ${verdict.reason}`);
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
        if (blocks.length === 0) throw new Error('peer has no blocks at the requested height');
        blocks.forEach((block, i) => {
          if (block.height !== batch.from + i) {
            throw new Error(`out-of-order block ${block.height}`);
          }
        });
        if (batch.from !== next) throw new Error(`batch from ${batch.from}, expected ${next}`);
        const batchEnd = batch.from + blocks.length;
        if (ahead.length > 0 && ahead[0]?.from !== batchEnd) {
          // The peer served a prefix: what was asked ahead no longer lines up; ask again.
          ahead.length = 0;
          requested = batchEnd;
        }
        fetchAhead(SYNC_FETCH_AHEAD_BATCHES);
        await verifyBatch(blocks, options, (count) => {
          if (count > 0) served.add(peerId);
          next += count;
        });
      }
    } catch (error) {
      if (error instanceof SyncAbortedError) throw error;
      failed.set(peerId, (error as Error).message);
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
