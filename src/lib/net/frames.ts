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

export class FrameReader {
  private readonly iterator: AsyncIterator<Chunk>;
  private buffered: Uint8Array = new Uint8Array(0);
  private done = false;

  constructor(
    source: AsyncIterable<Chunk>,
    private readonly frameBytesMax: number,
  ) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  /** The next frame, or null at a clean end of stream; throws FrameError on bad input. */
  async next(timeoutMs?: number): Promise<Uint8Array | null> {
    for (;;) {
      const parsed = this.tryParse();
      if (parsed) return parsed;
      if (this.done) {
        if (this.buffered.byteLength === 0) return null;
        throw new FrameError('truncated');
      }
      await this.pull(timeoutMs);
    }
  }

  private tryParse(): Uint8Array | null {
    let length = 0;
    let multiplier = 1;
    for (let i = 0; i < this.buffered.byteLength; i += 1) {
      if (i >= LENGTH_BYTES_MAX) throw new FrameError('bad-length');
      const byte = this.buffered[i] as number;
      length += (byte & 0x7f) * multiplier;
      multiplier *= 128;
      if (length > this.frameBytesMax) throw new FrameError('too-large');
      if ((byte & 0x80) === 0) {
        const start = i + 1;
        if (this.buffered.byteLength - start < length) return null;
        const frame = this.buffered.slice(start, start + length);
        this.buffered = this.buffered.subarray(start + length);
        return frame;
      }
    }
    return null;
  }

  private async pull(timeoutMs?: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout =
      timeoutMs === undefined
        ? null
        : new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new FrameError('timeout')), timeoutMs);
          });
    try {
      const next = this.iterator.next();
      const result = timeout ? await Promise.race([next, timeout]) : await next;
      if (result.done) {
        this.done = true;
        return;
      }
      const chunk = result.value instanceof Uint8Array ? result.value : result.value.subarray();
      const merged = new Uint8Array(this.buffered.byteLength + chunk.byteLength);
      merged.set(this.buffered, 0);
      merged.set(chunk, this.buffered.byteLength);
      this.buffered = merged;
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
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
