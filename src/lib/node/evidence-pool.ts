// Evidence of equivocation waiting to go into a block. Everything here is judged by the core's
// own rule (evidenceError, the rule block validation applies), so the pool never holds — and a
// proposer never proposes — an item that would get its block refused:
// - `add` refuses an item the next block could not carry;
// - `prune` runs after every committed height and drops what the new state would refuse (aged
//   past EVIDENCE_AGE_MAX_HEIGHTS, from before a validator-set change) and what a block carried;
// - `forProposal` re-checks against the state it is given and skips duplicates of one pair.
// Signatures are verified before `add` (at the gossip edge, or by the engine for own detection).
//
// Bound: EVIDENCE_POOL_MAX items; beyond it the oldest is dropped.

import { evidenceError, evidenceIdentity } from '../core/validate';
import type { LedgerState } from '../core/state';
import type { Evidence } from '../core/types';
import { BLOCK_EVIDENCE_MAX } from '../core/params';
import { EVIDENCE_POOL_MAX } from './params';

export class EvidencePool {
  readonly #items = new Map<string, Evidence>();
  readonly #itemsMax: number;
  /** Told of every item the pool takes (the simulator's evidence invariant listens). */
  onAdded: ((evidence: Evidence) => void) | null = null;

  constructor(itemsMax = EVIDENCE_POOL_MAX) {
    this.#itemsMax = itemsMax;
  }

  get size(): number {
    return this.#items.size;
  }

  has(evidence: Evidence): boolean {
    return this.#items.has(evidenceIdentity(evidence));
  }

  /** Keep `evidence` if the next block on `state` could carry it; true if it is new. */
  add(state: LedgerState, evidence: Evidence): boolean {
    if (evidenceError(state, evidence) !== null) return false;
    const key = evidenceIdentity(evidence);
    if (this.#items.has(key)) return false;
    if (this.#items.size >= this.#itemsMax) {
      const oldest = this.#items.keys().next().value;
      if (oldest !== undefined) this.#items.delete(oldest);
    }
    this.#items.set(key, evidence);
    this.onAdded?.(evidence);
    return true;
  }

  /** After a commit: drop what `carried` included and what `state` would no longer accept. */
  prune(state: LedgerState, carried: readonly Evidence[] = []): void {
    for (const item of carried) this.#items.delete(evidenceIdentity(item));
    for (const [key, item] of this.#items) {
      if (evidenceError(state, item) !== null) this.#items.delete(key);
    }
  }

  /** Up to BLOCK_EVIDENCE_MAX items the next block on `state` may carry, oldest first. */
  forProposal(state: LedgerState): Evidence[] {
    const picked: Evidence[] = [];
    for (const item of this.#items.values()) {
      if (picked.length >= BLOCK_EVIDENCE_MAX) break;
      if (evidenceError(state, item) === null) picked.push(item);
    }
    return picked;
  }

  /** Everything held (for rebroadcast). */
  items(): Evidence[] {
    return [...this.#items.values()];
  }

  /** Whether some item could go into the next block on `state`. */
  hasIncludable(state: LedgerState): boolean {
    for (const item of this.#items.values()) if (evidenceError(state, item) === null) return true;
    return false;
  }
}
