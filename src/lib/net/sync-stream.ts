// The sync protocol over one libp2p stream: the server side (answers status and range requests
// from a BlockSource) and the client side (a SyncSession for the sync driver, and the status
// exchange done on every new connection).
import type { Stream } from '@libp2p/interface';
import { encodeFrame, BoundedChannel, FrameError, FrameReader } from './frames';
import {
  SYNC_BATCH_BLOCKS_MAX,
  SYNC_BATCH_BYTES_MAX,
  SYNC_BATCH_RECEIVE_BYTES_MAX,
  SYNC_BATCH_TIMEOUT_MS,
  SYNC_FRAME_BYTES_MAX,
  SYNC_FRAME_TIMEOUT_MS,
} from './limits';
import type { BlockSource, EncodedBlock, SyncStatus } from './network';
import {
  decodeSyncMessage,
  encodeSyncMessage,
  SyncProtocolError,
  type SyncMessage,
} from './sync-messages';
import type { SyncSession } from './sync-driver';

/** Frames waiting to be written on one stream; push() waits beyond this (backpressure). */
const STREAM_WRITE_QUEUE_FRAMES_MAX = 4;
/** A graceful close that takes longer than this (peer gone silent) becomes an abort. */
const STREAM_CLOSE_TIMEOUT_MS = 5_000;

class FramedStream {
  private readonly reader: FrameReader;
  private readonly writer = new BoundedChannel<Uint8Array>(STREAM_WRITE_QUEUE_FRAMES_MAX);
  private readonly sinkDone: Promise<void>;

  constructor(readonly stream: Stream) {
    this.reader = new FrameReader(stream.source, SYNC_FRAME_BYTES_MAX);
    this.sinkDone = stream.sink(this.writer).catch(() => undefined);
  }

  send(message: SyncMessage): Promise<void> {
    return this.writer.push(encodeFrame(encodeSyncMessage(message)));
  }

  /** The next message, which must arrive whole within `timeoutMs`. */
  async receive(timeoutMs = SYNC_FRAME_TIMEOUT_MS): Promise<SyncMessage | null> {
    const frame = await this.reader.next(timeoutMs);
    return frame === null ? null : decodeSyncMessage(frame);
  }

  async close(): Promise<void> {
    this.writer.end();
    try {
      const signal = AbortSignal.timeout(STREAM_CLOSE_TIMEOUT_MS);
      await Promise.race([
        this.sinkDone,
        new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
      ]);
      await this.stream.close({ signal });
    } catch (error) {
      this.stream.abort(error as Error);
    }
  }

  abort(reason: string): void {
    this.writer.end();
    this.stream.abort(new SyncProtocolError(reason));
  }
}

export interface SyncServerDeps {
  chainId: string;
  blocks: BlockSource;
  onStatus(status: SyncStatus): void;
}

/** Serve one inbound sync stream until the client closes it or misbehaves. */
export async function serveSyncStream(stream: Stream, deps: SyncServerDeps): Promise<void> {
  const framed = new FramedStream(stream);
  try {
    for (;;) {
      const message = await framed.receive();
      if (message === null) break;
      if (message.t === 'status') {
        if (message.chainId !== deps.chainId) {
          await framed.send({ t: 'error', reason: 'wrong-chain' });
          break;
        }
        deps.onStatus(message);
        await framed.send({ t: 'status', ...deps.blocks.status() });
      } else if (message.t === 'range') {
        if (message.from < 1 || message.to < message.from) {
          await framed.send({ t: 'error', reason: 'bad-range' });
          break;
        }
        const to = Math.min(message.to, message.from + SYNC_BATCH_BLOCKS_MAX - 1);
        const blocks = await deps.blocks.getBlocks(message.from, to);
        let bytes = 0;
        for (const block of blocks) {
          await framed.send({ t: 'block', ...block });
          bytes += block.block.byteLength + block.commit.byteLength;
          if (bytes >= SYNC_BATCH_BYTES_MAX) break;
        }
        await framed.send({ t: 'end' });
      } else {
        await framed.send({ t: 'error', reason: `unexpected-${message.t}` });
        break;
      }
    }
    await framed.close();
  } catch (error) {
    framed.abort((error as Error).message);
  }
}

/** What a client accepts from a server; tests shorten the deadlines. */
export interface SyncClientLimits {
  /** One whole frame must arrive within this. */
  frameTimeoutMs: number;
  /** A whole range reply (every frame up to `end`) must arrive within this. */
  batchTimeoutMs: number;
  /** Block and commit bytes accepted in one range reply. */
  batchBytesMax: number;
}

export const SYNC_CLIENT_LIMITS: Readonly<SyncClientLimits> = {
  frameTimeoutMs: SYNC_FRAME_TIMEOUT_MS,
  batchTimeoutMs: SYNC_BATCH_TIMEOUT_MS,
  batchBytesMax: SYNC_BATCH_RECEIVE_BYTES_MAX,
};

/**
 * Client side: one status exchange, then range requests on the same stream. The client holds
 * the server to the protocol whatever the server's own limits: each frame and each whole reply
 * has a deadline, a reply carries at most SYNC_BATCH_BLOCKS_MAX blocks and `batchBytesMax`
 * bytes, and the blocks are exactly the heights asked for, in order.
 */
export class SyncClientStream implements SyncSession {
  private readonly framed: FramedStream;

  constructor(
    stream: Stream,
    private readonly limits: Readonly<SyncClientLimits> = SYNC_CLIENT_LIMITS,
  ) {
    this.framed = new FramedStream(stream);
  }

  async exchangeStatus(mine: SyncStatus): Promise<SyncStatus> {
    await this.framed.send({ t: 'status', ...mine });
    const reply = await this.framed.receive(this.limits.frameTimeoutMs);
    if (reply?.t === 'status') return reply;
    if (reply?.t === 'error') throw new SyncProtocolError(reply.reason, false);
    throw new SyncProtocolError('expected status');
  }

  async fetch(from: number, to: number): Promise<EncodedBlock[]> {
    try {
      return await this.fetchReply(from, to);
    } catch (error) {
      // Mid-reply the stream cannot be used again; a dripping peer is cut off now.
      this.framed.abort((error as Error).message);
      throw error;
    }
  }

  private async fetchReply(from: number, to: number): Promise<EncodedBlock[]> {
    await this.framed.send({ t: 'range', from, to });
    const deadlineMs = Date.now() + this.limits.batchTimeoutMs;
    const blocks: EncodedBlock[] = [];
    let bytes = 0;
    for (;;) {
      const leftMs = deadlineMs - Date.now();
      if (leftMs <= 0) throw new SyncProtocolError('batch-timeout', false);
      let reply: SyncMessage | null;
      try {
        reply = await this.framed.receive(Math.min(this.limits.frameTimeoutMs, leftMs));
      } catch (error) {
        // The frame deadline was cut short by the batch's: say which one passed.
        if (error instanceof FrameError && error.reason === 'timeout' && Date.now() >= deadlineMs) {
          throw new SyncProtocolError('batch-timeout', false);
        }
        throw error;
      }
      if (reply === null) throw new SyncProtocolError('stream ended mid-batch', false);
      if (reply.t === 'end') return blocks;
      if (reply.t === 'error') throw new SyncProtocolError(reply.reason, false);
      if (reply.t !== 'block') throw new SyncProtocolError(`unexpected ${reply.t}`);
      if (blocks.length >= SYNC_BATCH_BLOCKS_MAX) throw new SyncProtocolError('batch too long');
      const { height, block, commit } = reply;
      if (height !== from + blocks.length || height > to) {
        throw new SyncProtocolError(`unexpected block ${height}`);
      }
      bytes += block.byteLength + commit.byteLength;
      if (bytes > this.limits.batchBytesMax) throw new SyncProtocolError('batch too large');
      blocks.push({ height, block, commit });
    }
  }

  close(): void {
    void this.framed.close();
  }
}
