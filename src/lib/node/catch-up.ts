// Catch-up: when a peer shows this node is behind (its status, a decided block ahead of the next
// height, or a validator's signed vote for a later height), fetch the missing blocks by range
// sync and commit them through the block importer. One sync at a time; a target raised
// meanwhile is picked up when it ends. Syncs start at most once per CATCH_UP_RETRY_MS, so
// claims of being ahead (true or forged) cost this node at most one attempt per interval.
//
// The sync pipeline (sync-pipeline.ts) decodes each fetched batch and starts its signature
// checks as soon as it arrives, while earlier batches are still being imported; a long sync
// verifies on the node's Worker pool when it has one.

import type { Verifier } from '../core/signing';
import type { LedgerState } from '../core/state';
import type { EncodedBlock, Network } from '../net/network';
import type { ImportResult } from './block-importer';
import type { Clock, Timers } from './clock';
import { CATCH_UP_RETRY_MS, SYNC_POOL_BLOCKS_MIN } from './params';
import { prepareBatch, VerifyAhead, type DecodedBlock, type PreparedBatch } from './sync-pipeline';
import type { SignatureBatchVerifier } from './verify';

export interface CatchUpComponents {
  state(): LedgerState;
  network(): Network;
  verifier: Verifier;
  clock: Clock;
  timers: Timers;
  /** Import decoded blocks inside the serial queue, then start the next height. */
  importBlocks(blocks: readonly DecodedBlock[], verifier: Verifier): Promise<ImportResult>;
  /** A pool that verifies in bulk off the main thread, for a long sync (absent: none). */
  openVerifyPool?: () => (SignatureBatchVerifier & { close(): void }) | null;
  /** Syncing started or stopped. */
  changed(): void;
  /**
   * False once this device was removed from a private ledger (its keyring misses the newest
   * key): no peer serves it anything newer, so asking every second would only cost both sides.
   */
  mayRead?(): boolean;
}

/**
 * Whose fault a rejected synced block is: the peer's if the block does not decode, does not
 * follow, conflicts with a committed one or is not finalised by its commit (the network then
 * penalises the peer); this node's if its store or its verifier failed (the peer is only
 * skipped for this sync).
 */
export function faultOf(reason: string): 'peer' | 'local' {
  if (reason.startsWith('commit-') || reason.startsWith('invalid-block-')) return 'peer';
  if (reason === 'height-gap' || reason === 'conflicting-block') return 'peer';
  if (reason.startsWith('decode-')) return 'peer';
  return 'local';
}

export class CatchUp {
  readonly #c: CatchUpComponents;
  #syncing = false;
  #target = 0;
  #running = true;
  #cancelRetry: (() => void) | null = null;
  #lastAttemptMs = -Infinity;
  /** Fetched batches being decoded and verified ahead (dropped with the batch). */
  readonly #prepared = new WeakMap<readonly EncodedBlock[], Promise<PreparedBatch>>();
  /**
   * The last batch prepared: the height after it, and whether its commits all passed ahead. A
   * batch fetched ahead right after it starts its checks only then, so a peer that forged a
   * batch does not also get the batch after it verified (a retry from another peer, which
   * starts lower, does not wait).
   */
  #lastPrepared: { nextHeight: number; commitsPassed: Promise<boolean> } | null = null;

  constructor(components: CatchUpComponents) {
    this.#c = components;
  }

  get syncing(): boolean {
    return this.#syncing;
  }

  get target(): number {
    return this.#target;
  }

  stop(): void {
    this.#running = false;
    this.#cancelRetry?.();
  }

  /** A peer claims height `target`: sync up to it unless already there or syncing. */
  request(target: number): void {
    if (target <= this.#c.state().height) return;
    this.#target = Math.max(this.#target, target);
    this.#kick();
  }

  #kick(): void {
    if (this.#syncing || !this.#running || this.#cancelRetry !== null) return;
    if (this.#c.mayRead?.() === false) return;
    if (this.#target <= this.#c.state().height) return;
    const waitMs = this.#lastAttemptMs + CATCH_UP_RETRY_MS - this.#c.clock.monotonicMs();
    if (waitMs > 0) {
      this.#cancelRetry = this.#c.timers.after(waitMs, () => {
        this.#cancelRetry = null;
        this.#kick();
      });
      return;
    }
    this.#lastAttemptMs = this.#c.clock.monotonicMs();
    this.#syncing = true;
    this.#lastPrepared = null;
    const from = this.#c.state().height + 1;
    // Workers pay off over many blocks only; a short catch-up verifies on the main thread.
    const pool =
      this.#target - from + 1 >= SYNC_POOL_BLOCKS_MIN ? (this.#c.openVerifyPool?.() ?? null) : null;
    this.#c.changed();
    void this.#c
      .network()
      .syncRange(from, this.#target, {
        verify: async (block) => {
          const result = await this.#importBatch([block], pool);
          return result.committed === 1
            ? { ok: true }
            : { ok: false, reason: result.reason ?? 'invalid-block' };
        },
        prepare: (blocks) => void this.#prepare(blocks, pool),
        verifyBatch: async (blocks) => {
          const result = await this.#importBatch(blocks, pool);
          return result.reason === undefined
            ? { verified: result.committed }
            : { verified: result.committed, reason: result.reason, fault: faultOf(result.reason) };
        },
      })
      .catch(() => undefined)
      .finally(() => {
        pool?.close();
        this.#syncing = false;
        // No block came: the target was only a claim (a forged far-ahead block, or a peer that
        // left). Forget it rather than retry forever; a real one returns with the next peer
        // status or decided block.
        if (this.#c.state().height < from) this.#target = this.#c.state().height;
        this.#c.changed();
        this.#kick();
      });
  }

  async #importBatch(
    encoded: readonly EncodedBlock[],
    pool: SignatureBatchVerifier | null,
  ): Promise<ImportResult> {
    const { blocks, ahead, reason } = await this.#prepare(encoded, pool);
    const result = await this.#c.importBlocks(blocks, ahead.verifier);
    // A block that did not decode ends the batch where decoding stopped.
    if (result.reason === undefined && reason !== undefined) {
      return { ...result, reason: `decode-${reason}` };
    }
    return result;
  }

  /**
   * Decode a fetched batch and start its signature checks, once per batch: the sync driver
   * calls this when the batch arrives (while earlier ones are still imported), and the import
   * picks the result up, or prepares the batch itself if it was not.
   */
  #prepare(
    encoded: readonly EncodedBlock[],
    pool: SignatureBatchVerifier | null,
  ): Promise<PreparedBatch> {
    let prepared = this.#prepared.get(encoded);
    if (!prepared) {
      const ahead = new VerifyAhead(this.#c.verifier, pool);
      const first = encoded[0]?.height ?? 0;
      const last = this.#lastPrepared;
      const after = last !== null && last.nextHeight === first ? last.commitsPassed : undefined;
      prepared = prepareBatch(encoded, () => this.#c.state(), ahead, this.#c.clock, after);
      this.#prepared.set(encoded, prepared);
      this.#lastPrepared = {
        nextHeight: first + encoded.length,
        commitsPassed: prepared.then((batch) => batch.commitsPassed).catch(() => false),
      };
    }
    return prepared;
  }
}
