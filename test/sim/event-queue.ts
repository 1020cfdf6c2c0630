// The simulator's only notion of time: a priority queue of events ordered by (virtual time,
// insertion sequence). Equal times pop in insertion order, so a run is fully determined by
// the seed and never by heap internals.

export interface Scheduled<T> {
  timeMs: number;
  seq: number;
  event: T;
}

/** Far more than any run needs; a run that hits it has a runaway feedback loop (a bug). */
export const EVENT_QUEUE_LENGTH_MAX = 2_000_000;

export class EventQueueOverflowError extends Error {
  constructor(length: number) {
    super(`event queue exceeded ${length} pending events`);
    this.name = 'EventQueueOverflowError';
  }
}

export class EventQueue<T> {
  private readonly heap: Scheduled<T>[] = [];
  private nextSeq = 0;
  private nowMs = 0;

  /** The time of the last popped event (the virtual clock). */
  get now(): number {
    return this.nowMs;
  }

  get length(): number {
    return this.heap.length;
  }

  /** Schedules `event` at absolute virtual time `timeMs` (never in the past). */
  push(timeMs: number, event: T): void {
    if (!Number.isFinite(timeMs)) throw new RangeError(`bad event time ${timeMs}`);
    if (this.heap.length >= EVENT_QUEUE_LENGTH_MAX) {
      throw new EventQueueOverflowError(EVENT_QUEUE_LENGTH_MAX);
    }
    const item: Scheduled<T> = { timeMs: Math.max(timeMs, this.nowMs), seq: this.nextSeq++, event };
    this.heap.push(item);
    this.siftUp(this.heap.length - 1);
  }

  /** Schedules `event` `delayMs` after the current virtual time. */
  after(delayMs: number, event: T): void {
    this.push(this.nowMs + Math.max(0, delayMs), event);
  }

  peekTime(): number | undefined {
    return this.heap[0]?.timeMs;
  }

  /** Removes the earliest event and advances the clock to its time. */
  pop(): Scheduled<T> | undefined {
    const top = this.heap[0];
    if (top === undefined) return undefined;
    const last = this.heap.pop() as Scheduled<T>;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      this.siftDown(0);
    }
    this.nowMs = top.timeMs;
    return top;
  }

  private less(i: number, j: number): boolean {
    const a = this.heap[i] as Scheduled<T>;
    const b = this.heap[j] as Scheduled<T>;
    return a.timeMs < b.timeMs || (a.timeMs === b.timeMs && a.seq < b.seq);
  }

  private swap(i: number, j: number): void {
    const tmp = this.heap[i] as Scheduled<T>;
    this.heap[i] = this.heap[j] as Scheduled<T>;
    this.heap[j] = tmp;
  }

  private siftUp(index: number): void {
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(index: number): void {
    let i = index;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < this.heap.length && this.less(left, smallest)) smallest = left;
      if (right < this.heap.length && this.less(right, smallest)) smallest = right;
      if (smallest === i) return;
      this.swap(i, smallest);
      i = smallest;
    }
  }
}
