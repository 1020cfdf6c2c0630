// The sync protocol over one libp2p stream: the server side (answers status and range requests
// from a BlockSource) and the client side (a SyncSession for the sync driver, and the status
// exchange done on every new connection). A private ledger's frames are sealed both ways by its
// LedgerCipher, for the key epoch the client announces (sync-messages.ts, docs/network.md).
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
import { SyncEpochAheadError, type LedgerCipher } from './ledger-cipher';

/** Frames waiting to be written on one stream; push() waits beyond this (backpressure). */
const STREAM_WRITE_QUEUE_FRAMES_MAX = 4;
/** A graceful close that takes longer than this (peer gone silent) becomes an abort. */
const STREAM_CLOSE_TIMEOUT_MS = 5_000;

/** Length-prefixed frames on one stream, bytes in and out (a private ledger's are sealed). */
class FramedStream {
  private readonly reader: FrameReader;
  private readonly writer = new BoundedChannel<Uint8Array>(STREAM_WRITE_QUEUE_FRAMES_MAX);
  private readonly sinkDone: Promise<void>;

  constructor(readonly stream: Stream) {
    this.reader = new FrameReader(stream.source, SYNC_FRAME_BYTES_MAX);
    this.sinkDone = stream.sink(this.writer).catch(() => undefined);
  }

  send(bytes: Uint8Array): Promise<void> {
    return this.writer.push(encodeFrame(bytes));
  }

  /** The next frame, which must arrive whole within `timeoutMs`. */
  receive(timeoutMs = SYNC_FRAME_TIMEOUT_MS): Promise<Uint8Array | null> {
    return this.reader.next(timeoutMs);
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

/** A request that does not open under this ledger's keys: nothing is answered (server side). */
class UnopenedRequestError extends Error {
  override readonly name = 'UnopenedRequestError';
}

export interface SyncServerDeps {
  chainId: string;
  blocks: BlockSource;
  onStatus(status: SyncStatus): void;
  /** A private ledger's cipher: every frame both ways is sealed (null: a public ledger). */
  cipher?: LedgerCipher | null;
}

/**
 * Serve one inbound sync stream until the client closes it or misbehaves. On a private ledger
 * a request that does not open ends the stream unanswered, and replies are sealed for the
 * reader's key epoch (its `epoch`): a range reply stops before the first block of a later
 * epoch, and says 'epoch-ahead' if that is the first block asked for.
 */
export async function serveSyncStream(stream: Stream, deps: SyncServerDeps): Promise<void> {
  const framed = new FramedStream(stream);
  const cipher = deps.cipher ?? null;
  const receive = async (): Promise<SyncMessage | null> => {
    const frame = await framed.receive();
    if (frame === null) return null;
    if (cipher === null) return decodeSyncMessage(frame);
    const opened = await cipher.openFrame(frame);
    if (opened === null) throw new UnopenedRequestError('undecryptable request');
    return decodeSyncMessage(opened);
  };
  /** Sends `message` sealed for `readerEpoch`; false if the cipher refuses a block of a later epoch. */
  const send = async (
    message: SyncMessage,
    readerEpoch: number,
    blockHeight: number | null = null,
  ): Promise<boolean> => {
    const bytes = encodeSyncMessage(message);
    if (cipher === null) {
      await framed.send(bytes);
      return true;
    }
    const sealed = await cipher.sealFrame(bytes, blockHeight, readerEpoch);
    if (sealed === null) return false;
    await framed.send(sealed);
    return true;
  };
  try {
    for (;;) {
      const message = await receive();
      if (message === null) break;
      const readerEpoch = 'epoch' in message ? message.epoch : undefined;
      // A private ledger's reader says which keys it holds; without that nothing can be sealed.
      if (cipher !== null && readerEpoch === undefined) throw new UnopenedRequestError('no epoch');
      const epoch = readerEpoch ?? 0;
      if (message.t === 'status') {
        if (message.chainId !== deps.chainId) {
          await send({ t: 'error', reason: 'wrong-chain' }, epoch);
          break;
        }
        const { t: _t, epoch: _epoch, ...status } = message;
        deps.onStatus(status);
        await send({ t: 'status', ...deps.blocks.status() }, epoch);
      } else if (message.t === 'range') {
        if (message.from < 1 || message.to < message.from) {
          await send({ t: 'error', reason: 'bad-range' }, epoch);
          break;
        }
        const to = Math.min(message.to, message.from + SYNC_BATCH_BLOCKS_MAX - 1);
        const blocks = await deps.blocks.getBlocks(message.from, to);
        let bytes = 0;
        let sent = 0;
        for (const block of blocks) {
          if (!(await send({ t: 'block', ...block }, epoch, block.height))) break;
          sent += 1;
          bytes += block.block.byteLength + block.commit.byteLength;
          if (bytes >= SYNC_BATCH_BYTES_MAX) break;
        }
        const first = blocks[0];
        if (sent === 0 && first !== undefined) {
          await send({ t: 'epoch-ahead', height: first.height }, epoch);
        } else {
          await send({ t: 'end' }, epoch);
        }
      } else {
        await send({ t: 'error', reason: `unexpected-${message.t}` }, epoch);
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
    /** A private ledger's cipher: requests sealed with the reader's epoch, replies opened. */
    private readonly cipher: LedgerCipher | null = null,
  ) {
    this.framed = new FramedStream(stream);
  }

  /** Sends a request; a private ledger's carries the newest key epoch held, sealed under it. */
  private async send(message: Extract<SyncMessage, { t: 'status' | 'range' }>): Promise<void> {
    if (this.cipher === null) return this.framed.send(encodeSyncMessage(message));
    const epoch = this.cipher.readerEpoch();
    const sealed = await this.cipher.sealFrame(
      encodeSyncMessage({ ...message, epoch }),
      null,
      epoch,
    );
    // A frame without a block is always sealed.
    if (sealed === null) throw new Error('the cipher refused a request frame');
    return this.framed.send(sealed);
  }

  /** The next reply; one that does not open is the server's fault, like a malformed one. */
  private async receive(timeoutMs: number): Promise<SyncMessage | null> {
    const frame = await this.framed.receive(timeoutMs);
    if (frame === null) return null;
    if (this.cipher === null) return decodeSyncMessage(frame);
    const opened = await this.cipher.openFrame(frame);
    if (opened === null) throw new SyncProtocolError('undecryptable-frame');
    return decodeSyncMessage(opened);
  }

  async exchangeStatus(mine: SyncStatus): Promise<SyncStatus> {
    const { chainId, height, headHash, device } = mine;
    await this.send({ t: 'status', chainId, height, headHash, ...(device ? { device } : {}) });
    const reply = await this.receive(this.limits.frameTimeoutMs);
    if (reply?.t === 'status') {
      const { t: _t, epoch: _epoch, ...status } = reply;
      return status;
    }
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
    await this.send({ t: 'range', from, to });
    const deadlineMs = Date.now() + this.limits.batchTimeoutMs;
    const blocks: EncodedBlock[] = [];
    let bytes = 0;
    for (;;) {
      const leftMs = deadlineMs - Date.now();
      if (leftMs <= 0) throw new SyncProtocolError('batch-timeout', false);
      let reply: SyncMessage | null;
      try {
        reply = await this.receive(Math.min(this.limits.frameTimeoutMs, leftMs));
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
      // The first block asked for is of a key epoch this reader does not hold yet: nobody's fault.
      if (reply.t === 'epoch-ahead' && blocks.length === 0 && reply.height === from) {
        throw new SyncEpochAheadError(from);
      }
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
