// One user action's lifecycle for a form: busy while the node works, the error if it failed
// (in words, see errors.ts), and a short note after it worked that clears itself.
import { describeError, type Described } from './errors';

/** How long a "done" note stays under a form. */
export const ACTION_NOTE_MS = 6_000;

export class Action {
  busy = $state(false);
  error: Described | null = $state(null);
  /** What the last successful run did, for a moment (cleared after ACTION_NOTE_MS). */
  note: string | null = $state(null);
  #noteTimer: ReturnType<typeof setTimeout> | null = null;

  /** Runs `work` unless already running; returns its result, or undefined when it failed. */
  async run<Result>(work: () => Promise<Result>): Promise<Result | undefined> {
    if (this.busy) return undefined;
    this.busy = true;
    this.error = null;
    this.clearNote();
    try {
      return await work();
    } catch (error) {
      this.error = describeError(error);
      return undefined;
    } finally {
      this.busy = false;
    }
  }

  /** Shows `text` under the form for a few seconds. */
  done(text: string): void {
    this.clearNote();
    this.note = text;
    this.#noteTimer = setTimeout(() => (this.note = null), ACTION_NOTE_MS);
  }

  clearNote(): void {
    if (this.#noteTimer !== null) clearTimeout(this.#noteTimer);
    this.#noteTimer = null;
    this.note = null;
  }

  dismiss(): void {
    this.error = null;
  }
}
