// Token buckets: `burst` events at once, then `perSecond` on average. One bucket, or one per key
// (a peer, an author) in a table of at most `keysMax` keys whose least recently used key is
// forgotten first (a forgotten key starts again with a full bucket, so the table's bound is
// also how many distinct keys an attacker must cycle through to reset one: keep it large).

export interface RateLimit {
  /** Events allowed at once. */
  burst: number;
  /** Sustained events per second. */
  perSecond: number;
}

export class TokenBucket {
  private tokens: number;
  private updatedMs: number;

  constructor(
    private readonly limit: RateLimit,
    private readonly nowMs: () => number = Date.now,
  ) {
    this.tokens = limit.burst;
    this.updatedMs = nowMs();
  }

  /** Takes one token if there is one. */
  take(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Milliseconds until a token is available (0 if one is). */
  waitMs(): number {
    this.refill();
    if (this.tokens >= 1) return 0;
    return Math.ceil(((1 - this.tokens) / this.limit.perSecond) * 1_000);
  }

  private refill(): void {
    const nowMs = this.nowMs();
    const elapsedS = Math.max(0, nowMs - this.updatedMs) / 1_000;
    this.tokens = Math.min(this.limit.burst, this.tokens + elapsedS * this.limit.perSecond);
    this.updatedMs = nowMs;
  }
}

export class KeyedRateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly limit: RateLimit,
    private readonly keysMax: number,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /** Takes one token from `key`'s bucket if there is one. */
  take(key: string): boolean {
    let bucket = this.buckets.get(key);
    if (bucket) {
      this.buckets.delete(key);
    } else {
      bucket = new TokenBucket(this.limit, this.nowMs);
      if (this.buckets.size >= this.keysMax) {
        const oldest = this.buckets.keys().next().value;
        if (oldest !== undefined) this.buckets.delete(oldest);
      }
    }
    this.buckets.set(key, bucket);
    return bucket.take();
  }
}
