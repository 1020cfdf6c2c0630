// Group commit: requests that arrive while a batch is being processed wait, and go together in
// the next batch. N quick submits then cost one storage transaction instead of N, and a lone
// request is processed at once (it never waits for company).
//
// Batches run one at a time, in arrival order; each request settles with its own outcome, so
// one bad request does not fail the others in its batch (unless `process` itself throws).

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

interface Waiting<Req, Res> {
  request: Req;
  resolve: (value: Res) => void;
  reject: (error: unknown) => void;
}

export class GroupCommit<Req, Res> {
  readonly #process: (requests: readonly Req[]) => Promise<Outcome<Res>[]>;
  readonly #batchMax: number;
  readonly #waitingMax: number;
  #waiting: Waiting<Req, Res>[] = [];
  #draining = false;

  /**
   * `process` gets at most `batchMax` requests and returns one outcome per request, in order.
   * At most `waitingMax` requests wait; more are refused with GroupCommitFullError.
   */
  constructor(
    process: (requests: readonly Req[]) => Promise<Outcome<Res>[]>,
    limits: { batchMax: number; waitingMax: number },
  ) {
    this.#process = process;
    this.#batchMax = limits.batchMax;
    this.#waitingMax = limits.waitingMax;
  }

  get waiting(): number {
    return this.#waiting.length;
  }

  submit(request: Req): Promise<Res> {
    if (this.#waiting.length >= this.#waitingMax) {
      return Promise.reject(new GroupCommitFullError(this.#waitingMax));
    }
    const settled = new Promise<Res>((resolve, reject) => {
      this.#waiting.push({ request, resolve, reject });
    });
    void this.#drain();
    return settled;
  }

  async #drain(): Promise<void> {
    if (this.#draining) return;
    this.#draining = true;
    try {
      while (this.#waiting.length > 0) {
        const batch = this.#waiting.splice(0, this.#batchMax);
        let outcomes: Outcome<Res>[];
        try {
          outcomes = await this.#process(batch.map((item) => item.request));
        } catch (error) {
          for (const item of batch) item.reject(error);
          continue;
        }
        batch.forEach((item, i) => {
          const outcome = outcomes[i];
          if (outcome === undefined) item.reject(new Error('group commit: no outcome'));
          else if (outcome.ok) item.resolve(outcome.value);
          else item.reject(outcome.error);
        });
      }
    } finally {
      this.#draining = false;
    }
  }
}

export class GroupCommitFullError extends Error {
  override name = 'GroupCommitFullError';
  readonly code = 'submit-queue-full';
  constructor(readonly waitingMax: number) {
    super(`${waitingMax} submits are already waiting`);
  }
}
