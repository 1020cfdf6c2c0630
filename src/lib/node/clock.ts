// Time for the node, behind two tiny interfaces: every part reads time and sets timers only
// through these, so tests and the simulator run the node on a manual (virtual) clock, and a
// hidden tab runs its timers in a Worker (where browsers do not throttle them).

export interface Clock {
  /** Wall clock, ms since epoch (vote timestamps, block times, outbox entries). */
  nowMs(): number;
  /** A monotonic clock in ms for measuring durations (slicing long work); any origin. */
  monotonicMs(): number;
}

export interface Timers {
  /** Call `callback` once after `delayMs`; returns a function that cancels it. */
  after(delayMs: number, callback: () => void): () => void;
}

export const systemClock: Clock = {
  nowMs: () => Date.now(),
  monotonicMs: () => performance.now(),
};

export const systemTimers: Timers = {
  after(delayMs, callback) {
    const handle = setTimeout(callback, delayMs);
    return () => clearTimeout(handle);
  },
};

interface ManualTimer {
  dueMs: number;
  seq: number;
  callback: () => void;
}

/**
 * A clock and timers that move only when told to (tests): `advance(ms)` runs every timer that
 * falls due, in due order, with the clock set to each one's due time. Time stands still while
 * a callback runs, as it does for a simulator event.
 */
export class ManualClock implements Clock, Timers {
  #nowMs: number;
  #seq = 0;
  readonly #timers = new Set<ManualTimer>();

  constructor(startMs = 0) {
    this.#nowMs = startMs;
  }

  nowMs(): number {
    return this.#nowMs;
  }

  monotonicMs(): number {
    return this.#nowMs;
  }

  /** Timers waiting to fire. */
  get pending(): number {
    return this.#timers.size;
  }

  after(delayMs: number, callback: () => void): () => void {
    const timer: ManualTimer = {
      dueMs: this.#nowMs + Math.max(0, delayMs),
      seq: this.#seq++,
      callback,
    };
    this.#timers.add(timer);
    return () => this.#timers.delete(timer);
  }

  /** Move the clock forward by `ms`, firing due timers in order (and ones they set, if due). */
  advance(ms: number): void {
    const targetMs = this.#nowMs + ms;
    for (;;) {
      let next: ManualTimer | null = null;
      for (const timer of this.#timers) {
        if (timer.dueMs > targetMs) continue;
        if (
          next === null ||
          timer.dueMs < next.dueMs ||
          (timer.dueMs === next.dueMs && timer.seq < next.seq)
        ) {
          next = timer;
        }
      }
      if (next === null) break;
      this.#timers.delete(next);
      this.#nowMs = next.dueMs;
      next.callback();
    }
    this.#nowMs = targetMs;
  }
}
