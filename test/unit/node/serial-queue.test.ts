import { describe, expect, test } from 'vitest';
import { QueueClosedError, QueueFullError, SerialQueue } from '../../../src/lib/node/serial-queue';

function gate(): { open: () => void; wait: Promise<void> } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { open, wait };
}

describe('SerialQueue', () => {
  test('runs tasks one at a time, in the order they came', async () => {
    const queue = new SerialQueue(10);
    const log: string[] = [];
    const first = gate();
    const a = queue.enqueue(async () => {
      log.push('a start');
      await first.wait;
      log.push('a end');
      return 'A';
    });
    const b = queue.enqueue(async () => {
      log.push('b');
      return 'B';
    });
    await Promise.resolve();
    expect(log).toEqual(['a start']);
    first.open();
    expect(await Promise.all([a, b])).toEqual(['A', 'B']);
    expect(log).toEqual(['a start', 'a end', 'b']);
  });

  test('a failing task rejects its own promise only', async () => {
    const queue = new SerialQueue(10);
    const bad = queue.enqueue(async () => {
      throw new Error('boom');
    });
    const good = queue.enqueue(async () => 1);
    await expect(bad).rejects.toThrow('boom');
    expect(await good).toBe(1);
  });

  test('refuses tasks beyond its bound, and counts them', async () => {
    const queue = new SerialQueue(2);
    const blocker = gate();
    const running = queue.enqueue(() => blocker.wait);
    const waiting = [queue.enqueue(async () => 1), queue.enqueue(async () => 2)];
    await expect(queue.enqueue(async () => 3)).rejects.toBeInstanceOf(QueueFullError);
    expect(queue.refused).toBe(1);
    expect(queue.size).toBe(2);
    blocker.open();
    await running;
    expect(await Promise.all(waiting)).toEqual([1, 2]);
  });

  test('idle() waits for everything queued; close() drops what waits', async () => {
    const queue = new SerialQueue(10);
    const blocker = gate();
    let ran = 0;
    void queue.enqueue(async () => {
      await blocker.wait;
      ran++;
    });
    const dropped = queue.enqueue(async () => void ran++);
    const idle = queue.idle();
    const closed = queue.close();
    await expect(dropped).rejects.toBeInstanceOf(QueueClosedError);
    blocker.open();
    await closed;
    await idle;
    expect(ran).toBe(1);
    await expect(queue.enqueue(async () => 1)).rejects.toBeInstanceOf(QueueClosedError);
  });
});
