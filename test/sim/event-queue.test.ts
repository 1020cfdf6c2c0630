import { describe, expect, it } from 'vitest';
import { EventQueue } from './event-queue';
import { Prng } from './prng';

describe('EventQueue', () => {
  it('pops by time, then by insertion order, and advances the virtual clock', () => {
    const queue = new EventQueue<string>();
    queue.push(30, 'c');
    queue.push(10, 'a1');
    queue.push(20, 'b');
    queue.push(10, 'a2');
    const popped: Array<[number, string]> = [];
    for (let item = queue.pop(); item !== undefined; item = queue.pop()) {
      popped.push([queue.now, item.event]);
    }
    expect(popped).toEqual([
      [10, 'a1'],
      [10, 'a2'],
      [20, 'b'],
      [30, 'c'],
    ]);
  });

  it('schedules relative to the clock and never in the past', () => {
    const queue = new EventQueue<string>();
    queue.push(100, 'first');
    queue.pop();
    queue.after(5, 'later');
    queue.push(50, 'past');
    expect(queue.pop()).toMatchObject({ timeMs: 100, event: 'past' });
    expect(queue.pop()).toMatchObject({ timeMs: 105, event: 'later' });
    expect(queue.pop()).toBeUndefined();
  });

  it('orders many random events exactly like a stable sort by time', () => {
    const prng = new Prng(11);
    const queue = new EventQueue<number>();
    const pushed: Array<{ timeMs: number; id: number }> = [];
    for (let id = 0; id < 5_000; id++) {
      const timeMs = prng.int(0, 500);
      pushed.push({ timeMs, id });
      queue.push(timeMs, id);
    }
    const expected = [...pushed]
      .sort((a, b) => a.timeMs - b.timeMs || a.id - b.id)
      .map((e) => e.id);
    const actual: number[] = [];
    for (let item = queue.pop(); item !== undefined; item = queue.pop()) actual.push(item.event);
    expect(actual).toEqual(expected);
  });

  it('rejects non-finite times', () => {
    expect(() => new EventQueue<string>().push(Number.NaN, 'x')).toThrow(RangeError);
  });
});
