// Time for the node, behind two tiny interfaces so tests can run the node on a fake clock and
// a hidden tab can run its timers in a Worker (where browsers do not throttle them).

export interface Clock {
  /** Wall clock, ms since epoch (vote timestamps, block times). */
  nowMs(): number;
}

export interface Timers {
  /** Call `callback` once after `delayMs`; returns a function that cancels it. */
  after(delayMs: number, callback: () => void): () => void;
}

export const systemClock: Clock = { nowMs: () => Date.now() };

export const systemTimers: Timers = {
  after(delayMs, callback) {
    const handle = setTimeout(callback, delayMs);
    return () => clearTimeout(handle);
  },
};
