// The node's serial queue: every task that reads and changes the engine, the committed state or
// the mempool runs here, one at a time, in arrival order, so none of them sees another half
// done. Network callbacks never enqueue directly: they go through the inbox (inbox.ts), whose
// per-type bounds decide what is dropped under load; what reaches this queue is bounded by
// construction (one inbox drain at a time, engine timers, submits, sync batches).
//
// Bound: at most `tasksMax` tasks wait. Beyond it `enqueue` throws QueueFullError and the task
// never runs (a bug or an unforeseen flood: loud, counted, and the node keeps going).

export class QueueFullError extends Error {
  override readonly name = 'QueueFullError';
  constructor(readonly tasksMax: number) {
    super(`the node's serial queue is full (${tasksMax} tasks)`);
  }
}

export class QueueClosedError extends Error {
  override readonly name = 'QueueClosedError';
  constructor() {
    super('the node is stopped');
  }
}

interface Waiting {
  task: () => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export class SerialQueue {
  readonly #tasksMax: number;
  readonly #waiting: Waiting[] = [];
  #running = false;
  #closed = false;
  #refused = 0;
  #idleWaiters: (() => void)[] = [];

  constructor(tasksMax: number) {
    this.#tasksMax = tasksMax;
  }

  /** Tasks waiting (not counting the one running). */
  get size(): number {
    return this.#waiting.length;
  }

  /** Tasks refused because the queue was full, since it was made. */
  get refused(): number {
    return this.#refused;
  }

  /** Run `task` after every task enqueued before it; settles with the task's outcome. */
  enqueue<T>(task: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new QueueClosedError());
    if (this.#waiting.length >= this.#tasksMax) {
      this.#refused += 1;
      return Promise.reject(new QueueFullError(this.#tasksMax));
    }
    return new Promise<T>((resolve, reject) => {
      this.#waiting.push({ task, resolve: resolve as (value: unknown) => void, reject });
      if (!this.#running) void this.#drain();
    });
  }

  /** Resolves once no task is running or waiting. */
  idle(): Promise<void> {
    if (!this.#running && this.#waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * Refuse new tasks and drop the waiting ones (they reject with QueueClosedError); resolves once
   * the running task, if any, has finished.
   */
  close(): Promise<void> {
    this.#closed = true;
    for (const waiting of this.#waiting.splice(0)) waiting.reject(new QueueClosedError());
    return this.idle();
  }

  async #drain(): Promise<void> {
    this.#running = true;
    try {
      for (let next = this.#waiting.shift(); next; next = this.#waiting.shift()) {
        try {
          next.resolve(await next.task());
        } catch (error) {
          next.reject(error);
        }
      }
    } finally {
      this.#running = false;
      for (const resolve of this.#idleWaiters.splice(0)) resolve();
    }
  }
}
