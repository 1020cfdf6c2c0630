// Length-prefixed sync frames and sync messages: split chunks reassemble, and truncated,
// oversized or malformed frames fail with a typed reason instead of hanging or buffering.
import fc from 'fast-check';
import { encode } from 'cborg';
import { expect, test } from 'vitest';
import { BoundedChannel, encodeFrame, FrameError, FrameReader } from '../../../src/lib/net/frames';
import {
  decodeSyncMessage,
  encodeSyncMessage,
  SyncProtocolError,
} from '../../../src/lib/net/sync-messages';

async function* chunks(...parts: Uint8Array[]) {
  for (const part of parts) yield part;
}

async function failureOf(reader: FrameReader): Promise<string> {
  try {
    while ((await reader.next()) !== null);
    return 'ended';
  } catch (error) {
    return error instanceof FrameError ? error.reason : `other: ${String(error)}`;
  }
}

test('frames split at any byte boundary reassemble', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 5 }),
      fc.integer({ min: 1, max: 50 }),
      async (payloads, chunkBytes) => {
        const stream = payloads.map(encodeFrame);
        const joined = new Uint8Array(stream.reduce((n, f) => n + f.byteLength, 0));
        let offset = 0;
        for (const frame of stream)
          joined.set(frame, (offset += frame.byteLength) - frame.byteLength);
        const parts: Uint8Array[] = [];
        for (let i = 0; i < joined.byteLength; i += chunkBytes)
          parts.push(joined.subarray(i, i + chunkBytes));
        const reader = new FrameReader(chunks(...parts), 1024);
        const out: Uint8Array[] = [];
        for (let f = await reader.next(); f !== null; f = await reader.next()) out.push(f);
        expect(out).toEqual(payloads);
      },
    ),
  );
});

test('truncated, oversized and bad-length frames fail with a reason', async () => {
  const frame = encodeFrame(new Uint8Array(100));
  expect(await failureOf(new FrameReader(chunks(frame.subarray(0, 50)), 1024))).toBe('truncated');
  expect(await failureOf(new FrameReader(chunks(frame), 99))).toBe('too-large');
  const endless = new Uint8Array([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]);
  expect(await failureOf(new FrameReader(chunks(endless), 1 << 30))).toBe('bad-length');
  const never: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]: () => ({ next: () => new Promise(() => {}) }),
  };
  const silent = new FrameReader(never, 10);
  await expect(silent.next(20)).rejects.toMatchObject({ reason: 'timeout' });
});

test('sync messages round-trip and malformed ones are refused', () => {
  const status = {
    t: 'status',
    chainId: 'cd'.repeat(32),
    height: 7,
    headHash: new Uint8Array(32),
  } as const;
  expect(decodeSyncMessage(encodeSyncMessage(status))).toEqual(status);
  expect(decodeSyncMessage(encodeSyncMessage({ t: 'range', from: 1, to: 64 }))).toEqual({
    t: 'range',
    from: 1,
    to: 64,
  });
  // A status may say which device sent it: a key and a signature, at their exact lengths.
  const device = { publicKey: new Uint8Array(32).fill(1), signature: new Uint8Array(64).fill(2) };
  expect(decodeSyncMessage(encodeSyncMessage({ ...status, device }))).toEqual({
    ...status,
    device,
  });
  for (const bad of [
    new Uint8Array([0xa1]),
    encodeSyncMessage({ t: 'range', from: -1, to: 3 }),
    encodeSyncMessage({ ...status, headHash: new Uint8Array(31) }),
    encodeSyncMessage({ t: 'nope' } as never),
    encodeSyncMessage({ ...status, device: { ...device, publicKey: new Uint8Array(31) } }),
    encodeSyncMessage({ ...status, device: { ...device, signature: new Uint8Array(65) } }),
    encode({ ...status, device: 'me' }),
    encode({ ...status, device: [device.publicKey] }),
  ]) {
    expect(() => decodeSyncMessage(bad)).toThrow(SyncProtocolError);
  }
});

test('a bounded channel makes the producer wait for the consumer', async () => {
  const channel = new BoundedChannel<number>(2);
  let pushed = 0;
  const producer = (async () => {
    for (let i = 0; i < 5; i += 1) {
      await channel.push(i);
      pushed += 1;
    }
    channel.end();
  })();
  await new Promise((resolve) => setTimeout(resolve, 10));
  expect(pushed).toBe(2);
  const seen: number[] = [];
  for await (const item of channel) seen.push(item);
  await producer;
  expect(seen).toEqual([0, 1, 2, 3, 4]);
});

test('a frame dripped a byte at a time misses its one deadline (a per-chunk timer never fires)', async () => {
  const frame = encodeFrame(new Uint8Array(1_000));
  async function* drip() {
    for (const byte of frame) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      yield new Uint8Array([byte]);
    }
  }
  // Each byte comes well within 100 ms; the whole frame would take about 5 s.
  await expect(new FrameReader(drip(), 2_000).next(100)).rejects.toMatchObject({
    reason: 'timeout',
  });
});

test('a frame in one-byte chunks is copied once (linear, not quadratic, in its chunks)', async () => {
  const payload = Uint8Array.from({ length: 16 * 1024 }, (_, i) => (i * 7) & 0xff);
  const frame = encodeFrame(payload);
  const parts = Array.from(frame, (byte) => new Uint8Array([byte]));
  const reader = new FrameReader(chunks(...parts, encodeFrame(new Uint8Array([9]))), 1 << 20);
  expect(await reader.next()).toEqual(payload);
  expect(await reader.next()).toEqual(new Uint8Array([9]));
  expect(await reader.next()).toBeNull();
  expect(reader.copiedBytes).toBe(payload.byteLength + 1);
});
