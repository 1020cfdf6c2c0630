// The sync protocol over one libp2p stream: the server side (answers status and range requests
// from a BlockSource) and the client side (a SyncSession for the sync driver, and the status
// exchange done on every new connection).
import type { Stream } from '@libp2p/interface';
import { encodeFrame, BoundedChannel, FrameReader } from './frames';
import {
  SYNC_BATCH_BLOCKS_MAX,
  SYNC_BATCH_BYTES_MAX,
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

  async receive(): Promise<SyncMessage | null> {
    const frame = await this.reader.next(SYNC_FRAME_TIMEOUT_MS);
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

/** Client side: one status exchange, then range requests on the same stream. */
export class SyncClientStream implements SyncSession {
  private readonly framed: FramedStream;

  constructor(stream: Stream) {
    this.framed = new FramedStream(stream);
  }

  async exchangeStatus(mine: SyncStatus): Promise<SyncStatus> {
    await this.framed.send({ t: 'status', ...mine });
    const reply = await this.framed.receive();
    if (reply?.t === 'status') return reply;
    throw new SyncProtocolError(reply?.t === 'error' ? reply.reason : 'expected status');
  }

  async fetch(from: number, to: number): Promise<EncodedBlock[]> {
    await this.framed.send({ t: 'range', from, to });
    const blocks: EncodedBlock[] = [];
    for (;;) {
      const reply = await this.framed.receive();
      if (reply === null) throw new SyncProtocolError('stream ended mid-batch');
      if (reply.t === 'end') return blocks;
      if (reply.t === 'error') throw new SyncProtocolError(reply.reason);
      if (reply.t !== 'block') throw new SyncProtocolError(`unexpected ${reply.t}`);
      if (blocks.length >= SYNC_BATCH_BLOCKS_MAX) throw new SyncProtocolError('batch too long');
      const { height, block, commit } = reply;
      blocks.push({ height, block, commit });
    }
  }

  close(): void {
    void this.framed.close();
  }
}
