// At most one firing per key and interval, the deferred one at the interval's end; keys are
// independent; forget and stop cancel what is pending.
import { expect, test } from 'vitest';
import { KeyedThrottle, type ThrottleTimers } from '../../../src/lib/net/keyed-throttle';

function manualTimers() {
  let nowMs = 0;
  const due: { atMs: number; callback: () => void; cancelled: boolean }[] = [];
  const timers: ThrottleTimers = {
    nowMs: () => nowMs,
    after(delayMs, callback) {
      const entry = { atMs: nowMs + delayMs, callback, cancelled: false };
      due.push(entry);
      return () => {
        entry.cancelled = true;
      };
    },
  };
  const advance = (ms: number) => {
    nowMs += ms;
    for (const entry of due.splice(0)) {
      if (entry.cancelled) continue;
      if (entry.atMs <= nowMs) entry.callback();
      else due.push(entry);
    }
  };
  return { timers, advance, pending: () => due.filter((e) => !e.cancelled).length };
}

test('a burst fires once at once and once at the end of the interval', () => {
  const { timers, advance } = manualTimers();
  const fired: string[] = [];
  const throttle = new KeyedThrottle(1_000, (key) => fired.push(key), timers);
  for (let i = 0; i < 100; i++) throttle.call('a');
  expect(fired).toEqual(['a']);
  advance(999);
  expect(fired).toEqual(['a']);
  advance(1);
  expect(fired).toEqual(['a', 'a']);
  // Quiet for an interval: the next call fires at once again.
  advance(1_000);
  throttle.call('a');
  expect(fired).toEqual(['a', 'a', 'a']);
});

test('keys are independent', () => {
  const { timers } = manualTimers();
  const fired: string[] = [];
  const throttle = new KeyedThrottle(1_000, (key) => fired.push(key), timers);
  throttle.call('a');
  throttle.call('b');
  throttle.call('a');
  expect(fired).toEqual(['a', 'b']);
});

test('forget and stop cancel a deferred firing', () => {
  const { timers, advance, pending } = manualTimers();
  const fired: string[] = [];
  const throttle = new KeyedThrottle(1_000, (key) => fired.push(key), timers);
  throttle.call('a');
  throttle.call('a');
  throttle.call('b');
  throttle.call('b');
  expect(pending()).toBe(2);
  throttle.forget('a');
  throttle.stop();
  advance(5_000);
  expect(fired).toEqual(['a', 'b']);
  expect(pending()).toBe(0);
});
