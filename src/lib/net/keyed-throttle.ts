// Fires `fire(key)` at most once per `intervalMs` for each key: a call inside the interval is
// deferred to its end, and any number of such calls fire once then (trailing edge), so the last
// news is never lost and a flood costs one firing per interval. Used for peers' sync statuses:
// a peer can send status frames as fast as it likes, and each one became a node event (the
// peer list re-rendered, a catch-up considered). State is kept per key in use; forget(key) drops
// it (the peer left), stop() cancels what is pending.

export interface ThrottleTimers {
  after(delayMs: number, callback: () => void): () => void;
  nowMs(): number;
}

export const systemThrottleTimers: ThrottleTimers = {
  after(delayMs, callback) {
    const timer = setTimeout(callback, delayMs);
    return () => clearTimeout(timer);
  },
  nowMs: () => performance.now(),
};

export class KeyedThrottle {
  /** Key -> when it last fired. */
  readonly #firedAtMs = new Map<string, number>();
  /** Key -> the cancel of its deferred firing. */
  readonly #pending = new Map<string, () => void>();

  constructor(
    private readonly intervalMs: number,
    private readonly fire: (key: string) => void,
    private readonly timers: ThrottleTimers = systemThrottleTimers,
  ) {}

  call(key: string): void {
    if (this.#pending.has(key)) return;
    const nowMs = this.timers.nowMs();
    const firedAtMs = this.#firedAtMs.get(key);
    if (firedAtMs === undefined || nowMs - firedAtMs >= this.intervalMs) {
      this.#firedAtMs.set(key, nowMs);
      this.fire(key);
      return;
    }
    const cancel = this.timers.after(this.intervalMs - (nowMs - firedAtMs), () => {
      this.#pending.delete(key);
      this.#firedAtMs.set(key, this.timers.nowMs());
      this.fire(key);
    });
    this.#pending.set(key, cancel);
  }

  forget(key: string): void {
    this.#pending.get(key)?.();
    this.#pending.delete(key);
    this.#firedAtMs.delete(key);
  }

  stop(): void {
    for (const cancel of this.#pending.values()) cancel();
    this.#pending.clear();
    this.#firedAtMs.clear();
  }
}
