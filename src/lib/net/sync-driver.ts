// Range sync across peers, independent of the transport: ask one peer for a bounded batch,
// verify every block in order, only then ask for the next batch; when a peer fails (drops,
// times out, serves a bad block) continue from the first unverified height with another peer.
import { SYNC_BATCH_BLOCKS_MAX, SYNC_PEER_ATTEMPTS_MAX } from './limits';
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
    try {
      session = await peers.open(peerId, options.signal);
      while (next <= to) {
        if (options.signal?.aborted) throw new SyncAbortedError('sync aborted');
        const batchTo = Math.min(to, next + SYNC_BATCH_BLOCKS_MAX - 1);
        const blocks = await session.fetch(next, batchTo);
        if (blocks.length === 0) throw new Error('peer has no blocks at the requested height');
        for (const block of blocks) {
          if (block.height !== next) throw new Error(`out-of-order block ${block.height}`);
          const verdict = await options.verify(block);
          if (!verdict.ok) throw new Error(`invalid block ${block.height}: ${verdict.reason}`);
          await options.onBlock?.(block);
          served.add(peerId);
          next += 1;
        }
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
