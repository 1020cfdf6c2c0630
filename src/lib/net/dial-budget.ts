// How many dials to discovered peers a node makes: at most `concurrentMax` at once and `rate`
// over time (DISCOVERY_DIALS_CONCURRENT_MAX, DISCOVERY_DIAL_RATE). Announcements are free to
// make, so without a budget a flood of announced peers would make a tab open connections (and
// fill its connection slots) as fast as they arrive. Configured relays and bootstrap peers are
// dialled outside this budget.
import { TokenBucket, type RateLimit } from './rate-limit';

/** When all concurrent dials are taken, ask again after this (a dial takes about as long). */
const BUSY_RETRY_MS = 1_000;

export interface DialBudgetLimits {
  concurrentMax: number;
  rate: RateLimit;
}

export class DialBudget {
  private running = 0;
  private readonly bucket: TokenBucket;

  constructor(
    private readonly limits: DialBudgetLimits,
    nowMs: () => number = Date.now,
  ) {
    this.bucket = new TokenBucket(limits.rate, nowMs);
  }

  /** A dial may start now (call `release` when it ends), or ask again in `retryMs`. */
  acquire(): { release(): void } | { retryMs: number } {
    if (this.running >= this.limits.concurrentMax) return { retryMs: BUSY_RETRY_MS };
    if (!this.bucket.take()) return { retryMs: Math.max(1, this.bucket.waitMs()) };
    this.running += 1;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.running -= 1;
      },
    };
  }

  get inFlight(): number {
    return this.running;
  }
}
