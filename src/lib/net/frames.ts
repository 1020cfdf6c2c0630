// Length-prefixed frames on a byte stream (unsigned LEB128 varint length, then the bytes), with
// a hard maximum checked before any frame is buffered, and a bounded writer queue whose push()
// waits while the transport is slow (backpressure reaches the producer).

export class FrameError extends Error {
  override readonly name = 'FrameError';
  constructor(readonly reason: 'too-large' | 'bad-length' | 'truncated' | 'timeout') {
    super(reason);
  }
}

/** Varint length of a frame is at most 4 bytes for any frame under 256 MiB. */
const LENGTH_BYTES_MAX = 4;

export function encodeFrame(payload: Uint8Array): Uint8Array {
  const header: number[] = [];
  let length = payload.byteLength;
  do {
    let byte = length & 0x7f;
    length = Math.floor(length / 128);
    if (length > 0) byte |= 0x80;
    header.push(byte);
  } while (length > 0);
  const frame = new Uint8Array(header.length + payload.byteLength);
  frame.set(header, 0);
  frame.set(payload, header.length);
  return frame;
}

/** Anything with subarray(): Uint8Array, or libp2p's Uint8ArrayList chunks. */
type Chunk = Uint8Array | { subarray(): Uint8Array };

/**
 * Reads frames from a stream of chunks. Received chunks are queued as they are and each frame's
 * bytes are copied once, into the frame: a frame that arrives in n chunks costs O(its bytes),
 * not O(n × its bytes) (re-concatenating the buffer on every chunk made a frame dripped in
 * one-byte chunks cost its size squared).
 */
export class FrameReader {
  private readonly iterator: AsyncIterator<Chunk>;
  /** Received chunks not yet consumed: `chunks[first]` from `offset` on, then the rest whole. */
  private chunks: Uint8Array[] = [];
  private first = 0;
  private offset = 0;
  private buffered = 0;
  private done = false;
  /** Bytes copied into frames so far (equals the frame bytes returned; tests check it). */
  copiedBytes = 0;

  constructor(
    source: AsyncIterable<Chunk>,
    private readonly frameBytesMax: number,
  ) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  /**
   * The next frame, or null at a clean end of stream; throws FrameError on bad input, or with
   * reason 'timeout' if the whole frame has not arrived within `timeoutMs` of this call: one
   * deadline for the frame, however many chunks it comes in.
   */
  async next(timeoutMs?: number): Promise<Uint8Array | null> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout =
      timeoutMs === undefined
        ? null
        : new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new FrameError('timeout')), Math.max(0, timeoutMs));
          });
    try {
      for (;;) {
        const parsed = this.tryParse();
        if (parsed) return parsed;
        if (this.done) {
          if (this.buffered === 0) return null;
          throw new FrameError('truncated');
        }
        await this.pull(timeout);
      }
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  }

  /** The buffered byte at `index` (< LENGTH_BYTES_MAX, so at most that many chunks are looked at). */
  private byteAt(index: number): number {
    let position = this.offset + index;
    for (let i = this.first; i < this.chunks.length; i += 1) {
      const chunk = this.chunks[i] as Uint8Array;
      if (position < chunk.byteLength) return chunk[position] as number;
      position -= chunk.byteLength;
    }
    throw new Error('byteAt beyond the buffered bytes'); // unreachable: callers check `buffered`
  }

  private tryParse(): Uint8Array | null {
    let length = 0;
    let multiplier = 1;
    for (let i = 0; i < this.buffered; i += 1) {
      if (i >= LENGTH_BYTES_MAX) throw new FrameError('bad-length');
      const byte = this.byteAt(i);
      length += (byte & 0x7f) * multiplier;
      multiplier *= 128;
      if (length > this.frameBytesMax) throw new FrameError('too-large');
      if ((byte & 0x80) === 0) {
        if (this.buffered - (i + 1) < length) return null;
        this.copyOut(i + 1, null);
        const frame = new Uint8Array(length);
        this.copyOut(length, frame);
        this.copiedBytes += length;
        return frame;
      }
    }
    return null;
  }

  /** Removes the next `count` buffered bytes, copying them into `into` if given. */
  private copyOut(count: number, into: Uint8Array | null): void {
    let filled = 0;
    while (filled < count) {
      const chunk = this.chunks[this.first] as Uint8Array;
      const part = Math.min(chunk.byteLength - this.offset, count - filled);
      into?.set(chunk.subarray(this.offset, this.offset + part), filled);
      filled += part;
      this.offset += part;
      if (this.offset === chunk.byteLength) {
        this.first += 1;
        this.offset = 0;
      }
    }
    this.buffered -= count;
    // Forget consumed chunks now and then (an index, not shift(): no O(n) moves per chunk).
    if (this.first > 1024 && this.first * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.first);
      this.first = 0;
    }
  }

  private async pull(timeout: Promise<never> | null): Promise<void> {
    const next = this.iterator.next();
    const result = timeout ? await Promise.race([next, timeout]) : await next;
    if (result.done) {
      this.done = true;
      return;
    }
    const chunk = result.value instanceof Uint8Array ? result.value : result.value.subarray();
    if (chunk.byteLength === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.byteLength;
  }
}

/**
 * A bounded single-consumer queue, used as a stream's sink source: push() resolves once the item
 * is queued and waits while `capacity` items are already waiting.
 */
export class BoundedChannel<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private ended = false;
  private wakeConsumer: (() => void) | null = null;
  private readonly waitingProducers: (() => void)[] = [];

  constructor(private readonly capacity: number) {}

  async push(item: T): Promise<void> {
    while (this.items.length >= this.capacity && !this.ended) {
      await new Promise<void>((resolve) => this.waitingProducers.push(resolve));
    }
    if (this.ended) return;
    this.items.push(item);
    this.wakeConsumer?.();
  }

  end(): void {
    this.ended = true;
    this.wakeConsumer?.();
    for (const wake of this.waitingProducers.splice(0)) wake();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      const item = this.items.shift();
      if (item !== undefined) {
        this.waitingProducers.shift()?.();
        yield item;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wakeConsumer = resolve));
      this.wakeConsumer = null;
    }
  }
}
