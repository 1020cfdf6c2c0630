// One user action's lifecycle for a form: busy while the node works, the error if it failed.
import { untrack } from 'svelte';
import { errorMessage } from './forms';

export class Action {
  busy = $state(false);
  error: string | null = $state(null);

  /** Runs `work` unless already running; returns its result, or undefined when it failed. */
  async run<Result>(work: () => Promise<Result>): Promise<Result | undefined> {
    if (this.busy) return undefined;
    this.busy = true;
    this.error = null;
    try {
      return await work();
    } catch (error) {
      this.error = errorMessage(error);
      return undefined;
    } finally {
      this.busy = false;
    }
  }

  dismiss(): void {
    this.error = null;
  }
}

/**
 * A read from the node whose latest request wins (an older answer arriving late is dropped).
 * Safe to call from an `$effect`: it reads none of its own state synchronously.
 */
export class Query<Value> {
  value: Value | undefined = $state(undefined);
  error: string | null = $state(null);
  loading = $state(false);
  #sequence = 0;

  load(read: () => Promise<Value>, options: { keepValue?: boolean } = {}): void {
    const sequence = ++this.#sequence;
    untrack(() => {
      this.loading = true;
      if (!options.keepValue) this.value = undefined;
    });
    untrack(read).then(
      (value) => {
        if (sequence !== this.#sequence) return;
        this.value = value;
        this.error = null;
        this.loading = false;
      },
      (error: unknown) => {
        if (sequence !== this.#sequence) return;
        this.error = errorMessage(error);
        this.loading = false;
      },
    );
  }
}
