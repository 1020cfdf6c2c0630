// Transactions waiting for a block. Pure bookkeeping (no IO, no clock): the node checks each
// transaction with the core (`checkTx`, signature verified) before `add`, and calls `update`
// after every committed block.
//
// Order: per sender by nonce, contiguous from the account's next nonce; across senders by the
// arrival of each sender's oldest waiting transaction, so one busy sender cannot starve others.
//
// Bounds and eviction: at most `txsMax` transactions and `bytesMax` encoded bytes in total, and
// at most `perSenderMax` per sender. When full, a newcomer is admitted only if its sender has
// fewer waiting transactions than the sender with the most; that sender's highest nonce is
// evicted (the one least likely to be committed soon). Otherwise the newcomer is refused.

import type { Address, Tx } from '../core/types';

export interface MempoolLimits {
  txsMax: number;
  bytesMax: number;
  perSenderMax: number;
}

export const MEMPOOL_LIMITS_DEFAULT: MempoolLimits = {
  txsMax: 5_000,
  bytesMax: 8 * 1024 * 1024,
  // Two full submit batches of a device (group commit, 128 each): a device back online with a
  // queued outbox, or a busy one, is not held to a trickle by its own earlier txs.
  perSenderMax: 256,
};

export interface MempoolEntry {
  tx: Tx;
  /** Lowercase hex tx hash: the dedup key. */
  hash: string;
  sender: Address;
  sizeBytes: number;
  /** Monotonic arrival counter, for fair ordering across senders. */
  arrival: number;
}

export type AddOutcome =
  | { added: true; evicted: MempoolEntry | null }
  | {
      added: false;
      reason: 'duplicate' | 'nonce-too-low' | 'nonce-taken' | 'full' | 'too-far-ahead';
    };

export class Mempool {
  readonly #limits: MempoolLimits;
  readonly #byHash = new Map<string, MempoolEntry>();
  /** Per sender: nonce -> entry. */
  readonly #bySender = new Map<Address, Map<number, MempoolEntry>>();
  #bytes = 0;
  #arrivals = 0;

  constructor(limits: MempoolLimits = MEMPOOL_LIMITS_DEFAULT) {
    this.#limits = limits;
  }

  get size(): number {
    return this.#byHash.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  has(hash: string): boolean {
    return this.#byHash.has(hash);
  }

  /**
   * Admit a transaction the core accepted. `accountNonce` is the sender's next nonce in the
   * committed state; transactions may run ahead of it by up to `perSenderMax`.
   */
  add(entry: Omit<MempoolEntry, 'arrival'>, accountNonce: number): AddOutcome {
    if (this.#byHash.has(entry.hash)) return { added: false, reason: 'duplicate' };
    const nonce = entry.tx.nonce;
    if (nonce < accountNonce) return { added: false, reason: 'nonce-too-low' };
    if (nonce >= accountNonce + this.#limits.perSenderMax) {
      return { added: false, reason: 'too-far-ahead' };
    }
    const senderTxs = this.#bySender.get(entry.sender);
    if (senderTxs?.has(nonce)) return { added: false, reason: 'nonce-taken' };

    let evicted: MempoolEntry | null = null;
    const wouldOverflow = () =>
      this.#byHash.size + 1 > this.#limits.txsMax ||
      this.#bytes + entry.sizeBytes > this.#limits.bytesMax;
    while (wouldOverflow()) {
      const victim = this.#evictionCandidate(entry.sender);
      if (victim === null) return { added: false, reason: 'full' };
      this.#remove(victim);
      evicted = victim;
    }

    const stored: MempoolEntry = { ...entry, arrival: this.#arrivals++ };
    this.#byHash.set(stored.hash, stored);
    const map = senderTxs ?? new Map<number, MempoolEntry>();
    map.set(nonce, stored);
    this.#bySender.set(stored.sender, map);
    this.#bytes += stored.sizeBytes;
    return { added: true, evicted };
  }

  /** Whether some sender's next nonce is waiting: a block proposed now would carry a tx. */
  hasReady(nextNonce: (sender: Address) => number): boolean {
    for (const [sender, byNonce] of this.#bySender) {
      if (byNonce.has(nextNonce(sender))) return true;
    }
    return false;
  }

  /**
   * Transactions for the next block: per sender only a contiguous run of nonces starting at
   * the sender's next nonce, senders interleaved by arrival, within the count and byte bounds.
   */
  reap(nextNonce: (sender: Address) => number, txsMax: number, bytesMax: number): Tx[] {
    const runs: MempoolEntry[][] = [];
    for (const [sender, byNonce] of this.#bySender) {
      const run: MempoolEntry[] = [];
      for (let nonce = nextNonce(sender); byNonce.has(nonce); nonce++) {
        run.push(byNonce.get(nonce) as MempoolEntry);
      }
      if (run.length > 0) runs.push(run);
    }
    runs.sort((a, b) => (a[0] as MempoolEntry).arrival - (b[0] as MempoolEntry).arrival);

    const picked: Tx[] = [];
    let bytes = 0;
    for (let depth = 0; picked.length < txsMax; depth++) {
      let any = false;
      for (const run of runs) {
        const entry = run[depth];
        if (entry === undefined) continue;
        any = true;
        if (picked.length >= txsMax || bytes + entry.sizeBytes > bytesMax) {
          run.length = depth; // a sender's later nonces cannot go without this one
          continue;
        }
        picked.push(entry.tx);
        bytes += entry.sizeBytes;
      }
      if (!any) break;
    }
    return picked;
  }

  /**
   * After a committed block: drop committed transactions and every transaction whose nonce the
   * sender has already used. Returns the dropped entries that were not in the block (stale).
   */
  update(
    committedHashes: Iterable<string>,
    nextNonce: (sender: Address) => number,
  ): MempoolEntry[] {
    for (const hash of committedHashes) {
      const entry = this.#byHash.get(hash);
      if (entry) this.#remove(entry);
    }
    const stale: MempoolEntry[] = [];
    for (const [sender, byNonce] of this.#bySender) {
      const next = nextNonce(sender);
      for (const entry of [...byNonce.values()]) {
        if (entry.tx.nonce < next) {
          this.#remove(entry);
          stale.push(entry);
        }
      }
    }
    return stale;
  }

  /** Remove one transaction (e.g. it failed re-checking); returns whether it was present. */
  removeByHash(hash: string): boolean {
    const entry = this.#byHash.get(hash);
    if (!entry) return false;
    this.#remove(entry);
    return true;
  }

  entries(): IterableIterator<MempoolEntry> {
    return this.#byHash.values();
  }

  #evictionCandidate(newcomer: Address): MempoolEntry | null {
    const newcomerCount = this.#bySender.get(newcomer)?.size ?? 0;
    let busiest: Map<number, MempoolEntry> | null = null;
    for (const byNonce of this.#bySender.values()) {
      if (busiest === null || byNonce.size > busiest.size) busiest = byNonce;
    }
    if (busiest === null || busiest.size <= newcomerCount + 1) return null;
    const highestNonce = Math.max(...busiest.keys());
    return busiest.get(highestNonce) ?? null;
  }

  #remove(entry: MempoolEntry): void {
    this.#byHash.delete(entry.hash);
    const byNonce = this.#bySender.get(entry.sender);
    byNonce?.delete(entry.tx.nonce);
    if (byNonce?.size === 0) this.#bySender.delete(entry.sender);
    this.#bytes -= entry.sizeBytes;
  }
}
