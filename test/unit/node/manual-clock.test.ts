import { describe, expect, test } from 'vitest';
import { ManualClock } from '../../../src/lib/node/clock';

describe('ManualClock', () => {
  test('fires due timers in due order, at their due time, and not before', () => {
    const clock = new ManualClock(1_000);
    const fired: string[] = [];
    clock.after(50, () => fired.push(`b@${clock.nowMs()}`));
    clock.after(10, () => fired.push(`a@${clock.nowMs()}`));
    const cancel = clock.after(20, () => fired.push('cancelled'));
    cancel();
    clock.advance(30);
    expect(fired).toEqual(['a@1010']);
    expect(clock.nowMs()).toBe(1_030);
    clock.advance(100);
    expect(fired).toEqual(['a@1010', 'b@1050']);
    expect(clock.pending).toBe(0);
  });

  test('runs timers that callbacks set when they fall due within the same advance', () => {
    const clock = new ManualClock();
    const fired: number[] = [];
    clock.after(5, () => clock.after(5, () => fired.push(clock.nowMs())));
    clock.advance(9);
    expect(fired).toEqual([]);
    clock.advance(1);
    expect(fired).toEqual([10]);
    expect(clock.monotonicMs()).toBe(10);
  });
});
