// The block importer: the only code that verifies and commits decided blocks, whichever way
// they came — decided by this node's consensus, a peer's decided-block gossip, another tab of
// this profile, or range sync — as Lodestar sends every block through one import path.
//
// For each block, in order, on top of the blocks before it: its commit must finalise it (more
// than 2/3 of the signing set's power precommitted its hash, every signature valid), every
// signature in it must verify, and every rule of validateBlock must hold; then the core executes
// it and the changes are applied to the in-memory head so the next block is checked on top.
// Blocks are persisted IMPORT_PERSIST_BLOCKS_MAX at a time in one store write (a single block
// is a batch of one), and each persisted batch goes through the after-commit step. If a write
// fails, the head is reloaded from the store, which holds everything before that batch.

import { applyBlock, applyChanges } from '../core/apply';
import { blockSignatureChecks } from '../core/block';
import { bytesEqual } from '../core/bytes';
import { blockHash } from '../core/hash';
import type { Verifier } from '../core/signing';
import type { Block, Commit } from '../core/types';
import { validateBlock } from '../core/validate';
import type { BlockToApply, LedgerStore } from '../store/types';
import type { Clock } from './clock';
import { commitSignatureChecks, judgeCommit } from './commit-check';
import type { LedgerHead } from './ledger-head';
import type { RecordLoader } from './record-loader';
import { IMPORT_PERSIST_BLOCKS_MAX, SYNC_SLICE_MS } from './params';
import { verifyAll } from './verify';

export type ImportSource = 'consensus' | 'gossip' | 'tab' | 'sync';

export interface ImportCandidate {
  block: Block;
  commit: Commit;
  /** The block's canonical bytes as received (stored as they are), if the caller has them. */
  bytes?: Uint8Array;
}

export interface ImportResult {
  /** How many candidates (a prefix) are committed now, whether by this call or before it. */
  committed: number;
  /** Why the candidate after that prefix is not. */
  reason?: string;
}

/** What one persisted batch hands to the after-commit step. */
export interface CommittedBatch {
  entries: BlockToApply[];
  source: ImportSource;
}

export interface BlockImporterComponents {
  head: LedgerHead;
  store: LedgerStore;
  /** Reads the records a block touches before it executes. */
  records: RecordLoader;
  verifier: Verifier;
  clock: Clock;
  /**
   * A private ledger's keyring learns (and saves) the keys the batch's rotations carry, before
   * the batch is written: a committed rotation is never one the keyring missed, and the next
   * sync request already asks with the new epoch.
   */
  learnKeys?(entries: readonly BlockToApply[]): Promise<void>;
  /** Everything that follows a persisted batch (after-commit.ts). */
  afterCommit(batch: CommittedBatch): void;
  problem(code: string, message: string): void;
  /** Lets the page handle input between slices of a long import. */
  yieldNow(): Promise<void>;
}

export class BlockImporter {
  readonly #c: BlockImporterComponents;

  constructor(components: BlockImporterComponents) {
    this.#c = components;
  }

  /**
   * Verify and commit `candidates` (consecutive heights) in order. Must run inside the node's
   * serial queue. `verifier` overrides the node's for this call (range sync's verify-ahead).
   */
  async import(
    candidates: readonly ImportCandidate[],
    source: ImportSource,
    verifier: Verifier = this.#c.verifier,
  ): Promise<ImportResult> {
    const { head, store } = this.#c;
    let committed = 0;
    // Blocks this node has already (another tab or gossip got there first) must be the same.
    for (const { block } of candidates) {
      const height = block.header.height;
      if (height > head.state.height) break;
      const stored = await store.block(height);
      if (stored === null || !bytesEqual(stored.hash, blockHash(block))) {
        return { committed, reason: 'conflicting-block' };
      }
      committed += 1;
    }
    const pending: BlockToApply[] = [];
    let reason: string | undefined;
    let sliceStartMs = this.#c.clock.monotonicMs();
    for (const candidate of candidates.slice(committed)) {
      // A verifier that throws (a broken Worker) stops the batch like an invalid block: the
      // blocks checked before it are valid and still persisted below.
      const checked = await this.#check(candidate, verifier).catch((error: unknown) => ({
        ok: false as const,
        reason: (error as Error).name,
      }));
      if (!checked.ok) {
        reason = checked.reason;
        break;
      }
      pending.push(checked.entry);
      applyChanges(head.state, checked.entry.changes);
      if (pending.length >= IMPORT_PERSIST_BLOCKS_MAX) {
        if (!(await this.#persist(pending.splice(0), source))) {
          return { committed, reason: 'store' };
        }
        committed += IMPORT_PERSIST_BLOCKS_MAX;
      }
      if (this.#c.clock.monotonicMs() - sliceStartMs > SYNC_SLICE_MS) {
        await this.#c.yieldNow();
        sliceStartMs = this.#c.clock.monotonicMs();
      }
    }
    if (pending.length > 0) {
      const count = pending.length;
      if (!(await this.#persist(pending, source))) return { committed, reason: 'store' };
      committed += count;
    }
    return reason === undefined ? { committed } : { committed, reason };
  }

  /** Every check of one block on the current head; the entry to persist if it passes. */
  async #check(
    { block, commit, bytes }: ImportCandidate,
    verifier: Verifier,
  ): Promise<{ ok: true; entry: BlockToApply } | { ok: false; reason: string }> {
    const state = this.#c.head.state;
    const height = block.header.height;
    if (height !== state.height + 1) return { ok: false, reason: 'height-gap' };
    const checks = commitSignatureChecks(state.chainId, state.validators, commit);
    const commitVerdict = judgeCommit(
      state.validators,
      commit,
      height,
      blockHash(block),
      checks,
      await verifyAll(verifier, checks.checks),
    );
    if (!commitVerdict.ok) return { ok: false, reason: commitVerdict.reason };
    const verdicts = await verifyAll(verifier, blockSignatureChecks(state, block));
    const validation = validateBlock(state, block, verdicts);
    if (!validation.ok) {
      // More than 2/3 of the power precommitted a block that breaks a rule: more than a third
      // is faulty. Halt loudly rather than follow it.
      this.#c.problem('invalid-committed-block', `${validation.rule}: ${validation.detail}`);
      return { ok: false, reason: `invalid-block-${validation.rule}` };
    }
    await this.#c.records.load(block.txs);
    const { changes, results } = applyBlock(state, block, verdicts);
    const entry: BlockToApply = { block, commit, changes, results };
    if (bytes !== undefined) entry.encoded = bytes;
    return { ok: true, entry };
  }

  /** One store write; on failure the head goes back to what the store holds. */
  async #persist(entries: BlockToApply[], source: ImportSource): Promise<boolean> {
    const { store, head } = this.#c;
    try {
      await this.#c.learnKeys?.(entries);
      await store.applyBlocks(entries, { durability: source === 'sync' ? 'relaxed' : 'strict' });
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'store';
      this.#c.problem(code, (error as Error).message);
      await head.reload();
      return false;
    }
    head.seenCommit = (entries[entries.length - 1] as BlockToApply).commit;
    this.#c.afterCommit({ entries, source });
    this.#c.records.trim();
    return true;
  }
}
