// The latest vote seen from each validator (shown as online / last vote on the Network page).
// Keys are validator addresses (the gossip edge admits only validators' votes); beyond
// VOTE_ACTIVITY_MAX entries the least recently updated is dropped.

import type { LastVote } from './queries';
import { VOTE_ACTIVITY_MAX } from './params';

export class VoteActivity {
  readonly #latest = new Map<string, LastVote>();

  note(validator: string, vote: LastVote): void {
    this.#latest.delete(validator);
    if (this.#latest.size >= VOTE_ACTIVITY_MAX) {
      const oldest = this.#latest.keys().next().value;
      if (oldest !== undefined) this.#latest.delete(oldest);
    }
    this.#latest.set(validator, vote);
  }

  get latest(): ReadonlyMap<string, LastVote> {
    return this.#latest;
  }
}
