// A coarse reactive "now" for relative times ("12 s ago"); ticks while something reads it.
import { createSubscriber } from 'svelte/reactivity';

/** How often relative times refresh on screen. */
const CLOCK_TICK_MS = 1_000;

let nowMs = Date.now();
const subscribe = createSubscriber((update) => {
  const timer = setInterval(() => {
    nowMs = Date.now();
    update();
  }, CLOCK_TICK_MS);
  return () => clearInterval(timer);
});

export function now(): number {
  subscribe();
  return nowMs;
}
