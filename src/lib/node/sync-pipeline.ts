// Pieces of the node's range-sync pipeline (catch-up.ts): verifying a fetched batch's
// signatures ahead of importing its blocks, and yielding the main thread between blocks.
//
// Signatures do not depend on the state, but WHICH signatures a block must carry does: its
// commit is checked against the validator set of its height, known for certain only once the
// blocks before it are applied. So the checks are started speculatively against the current
// set, and the in-order pass asks for the exact checks of each block through
// `VerifyAhead.verifier`: a check registered ahead with the same public key, message and
// signature is answered by that verification; any other (the set changed, a block the
// speculation got wrong) is verified there and then. A verdict depends only on those bytes, so
// speculation can make sync faster, never accept or reject anything differently.
//
// Commit first: a batch's checks are started block by block, in order. A block's commit is
// verified (and judged: more than 2/3 of the current set's power, for this block's hash) before
// anything else of it and before the next block's commit; its txs' signatures only once its
// commit passed. A commit that fails stops the speculation, so a peer serving a forged batch
// costs one commit's worth of verification, not the whole batch's signatures.
import { blockSignatureChecks } from '../core/block';
import { decodeBlock, decodeCommit } from '../core/encoding';
import { blockHash, bytesEqual } from '../core/hash';
import { txSignBytes, type SignatureCheck, type Verifier } from '../core/signing';
import type { LedgerState } from '../core/state';
import type { Block, Commit } from '../core/types';
import type { EncodedBlock } from '../net/network';
import { commitSignatureChecks, judgeCommit } from './commit-check';
import type { SignatureBatchVerifier } from './verify';
import type { Clock } from './clock';
import { SYNC_SLICE_MS, SYNC_VERIFY_AHEAD_CHECKS_MAX } from './params';

interface Entry extends SignatureCheck {
  /** Null while registered but not started (its block's commit has not passed yet). */
  verdict: Promise<boolean> | null;
}

function sameCheck(a: SignatureCheck, b: SignatureCheck): boolean {
  return (
    bytesEqual(a.signature, b.signature) &&
    bytesEqual(a.publicKey, b.publicKey) &&
    bytesEqual(a.message, b.message)
  );
}

/**
 * A cheap lookup key: the signature's first four bytes (its R point, as random as a hash).
 * Equal keys are told apart by sameCheck, so a collision costs a comparison, never a verdict.
 */
function signatureKey(signature: Uint8Array): number {
  return (
    ((signature[0] ?? 0) |
      ((signature[1] ?? 0) << 8) |
      ((signature[2] ?? 0) << 16) |
      ((signature[3] ?? 0) << 24)) >>>
    0
  );
}

/** One block's checks, as far as they can be known ahead (see speculativeChecks). */
export interface BlockChecks {
  /** Its commit's precommit signatures. */
  commit: SignatureCheck[];
  /** Whether the commit finalises the block, given the verdicts of `commit` in order. */
  judge(verdicts: readonly boolean[]): boolean;
  /** Everything else: its txs' signatures (and lastCommit's, for the first block). */
  rest: SignatureCheck[];
}

export class VerifyAhead {
  readonly #inner: Verifier;
  readonly #batch: SignatureBatchVerifier | null;
  /** By signatureKey; entries under one key compare signature, key and message. */
  readonly #entries = new Map<number, Entry[]>();
  #count = 0;
  /** Checks waiting for this turn's call to the batch verifier. */
  readonly #queued: {
    entry: Entry;
    resolve(verdict: boolean): void;
    reject(error: unknown): void;
  }[] = [];
  /** Commit checks that failed ahead (speculation stopped there). */
  #stopped = false;
  readonly verifier: Verifier;

  /** `batch` (a Worker pool) verifies what is started ahead; `inner` everything else. */
  constructor(inner: Verifier, batch: SignatureBatchVerifier | null = null) {
    this.#inner = inner;
    this.#batch = batch;
    this.verifier = {
      verify: (publicKey, message, signature) =>
        this.#lookup({ publicKey, message, signature }) ??
        this.#inner.verify(publicKey, message, signature),
    };
  }

  /** Whether a commit verified ahead failed, which stopped the speculation for the batch. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** Starts each check not started yet, up to SYNC_VERIFY_AHEAD_CHECKS_MAX in all. */
  start(checks: readonly SignatureCheck[]): void {
    this.#run(this.#register(checks));
  }

  /**
   * Starts the checks of consecutive blocks commit first: each block's commit once the previous
   * block's commit passed (the first once `after` resolves true: the batch before it), and its
   * other checks once its own commit passed. Checks not started (after a failed commit) are
   * verified on demand if the in-order pass asks for them. Resolves whether every commit passed.
   */
  startInOrder(
    blocks: readonly BlockChecks[],
    after: Promise<boolean> = Promise.resolve(true),
  ): Promise<boolean> {
    let previous = after;
    for (const block of blocks) {
      const commit = this.#register(block.commit);
      const rest = this.#register(block.rest);
      const passed = previous
        .then(async (ok) => {
          if (!ok) return false;
          // Checks beyond the cap were not registered: those verify on demand.
          if (commit.length < block.commit.length) return false;
          return block.judge(await Promise.all(this.#run(commit)));
        })
        .catch(() => false);
      void passed.then((ok) => {
        if (ok) this.#run(rest);
        else this.#stopped = true;
      });
      previous = passed;
    }
    return previous;
  }

  /** Registers each check not registered yet (within the cap); returns the entries, in order. */
  #register(checks: readonly SignatureCheck[]): Entry[] {
    const entries: Entry[] = [];
    for (const check of checks) {
      const existing = this.#find(check);
      if (existing) {
        entries.push(existing);
        continue;
      }
      if (this.#count >= SYNC_VERIFY_AHEAD_CHECKS_MAX) break;
      const entry: Entry = {
        publicKey: check.publicKey,
        message: check.message,
        signature: check.signature,
        verdict: null,
      };
      const key = signatureKey(check.signature);
      const list = this.#entries.get(key) ?? [];
      list.push(entry);
      this.#entries.set(key, list);
      this.#count += 1;
      entries.push(entry);
    }
    return entries;
  }

  /**
   * Starts the entries not started yet; their verdicts. With a batch verifier, entries started
   * in one turn of the event loop go to it in one call (a block's txs and the next block's
   * commit become ready together): one message to the pool, not one per block and kind.
   */
  #run(entries: readonly Entry[]): Promise<boolean>[] {
    const fresh = [...new Set(entries)].filter((entry) => entry.verdict === null);
    for (const entry of fresh) {
      if (this.#batch === null) {
        entry.verdict = this.#inner.verify(entry.publicKey, entry.message, entry.signature);
      } else {
        entry.verdict = new Promise<boolean>((resolve, reject) =>
          this.#queued.push({ entry, resolve, reject }),
        );
        if (this.#queued.length === 1) queueMicrotask(() => this.#flush());
      }
      // Awaited (or dropped) later; a verifier error then counts against the block there.
      entry.verdict.catch(() => undefined);
    }
    return entries.map((entry) => entry.verdict as Promise<boolean>);
  }

  /** Sends what was queued this turn to the batch verifier in one call. */
  #flush(): void {
    const queued = this.#queued.splice(0);
    if (queued.length === 0 || this.#batch === null) return;
    let batch: Promise<boolean[]>;
    try {
      batch = this.#batch.verifyBatch(queued.map(({ entry }) => entry));
    } catch (error) {
      batch = Promise.reject(error as Error);
    }
    batch.then(
      (verdicts) => queued.forEach(({ resolve }, i) => resolve(verdicts[i] === true)),
      (error: unknown) => queued.forEach(({ reject }) => reject(error)),
    );
  }

  #find(check: SignatureCheck): Entry | undefined {
    return this.#entries
      .get(signatureKey(check.signature))
      ?.find((entry) => sameCheck(entry, check));
  }

  /**
   * The verdict of a registered check, started now if it was waiting for its commit: the
   * in-order pass asks for a block's checks only after it judged the commit itself, often a
   * few microtasks before the speculation does; its checks of one block are asked together,
   * so they still reach the pool in one call.
   */
  #lookup(check: SignatureCheck): Promise<boolean> | undefined {
    const entry = this.#find(check);
    if (!entry) return undefined;
    return entry.verdict ?? (this.#run([entry])[0] as Promise<boolean>);
  }
}

/**
 * The checks of consecutive blocks as far as they can be known on `state`: every commit against
 * the current set (judged for this block's hash and height), every tx exactly, and the whole of
 * the first block exactly when it is the next one.
 */
export function speculativeChecks(
  state: LedgerState,
  blocks: readonly { block: Block; commit: Commit }[],
  /** Whether blocks[0] starts the batch (else the previous block's commit covers its lastCommit). */
  first = true,
): BlockChecks[] {
  return blocks.map(({ block, commit }, index) => {
    const i = first ? index : index + 1;
    const rest: SignatureCheck[] = [];
    if (i === 0 && block.header.height === state.height + 1) {
      rest.push(...blockSignatureChecks(state, block));
    } else {
      for (const tx of block.txs) {
        rest.push({ publicKey: tx.from, message: txSignBytes(tx), signature: tx.signature });
      }
      // After the first block, its lastCommit is the previous block's commit (listed already).
      if (i === 0 && block.lastCommit) {
        rest.push(
          ...commitSignatureChecks(state.chainId, state.validators, block.lastCommit).checks,
        );
      }
    }
    const checks = commitSignatureChecks(state.chainId, state.validators, commit);
    const validators = state.validators;
    return {
      commit: checks.checks,
      judge: (verdicts) =>
        judgeCommit(validators, commit, block.header.height, blockHash(block), checks, verdicts).ok,
      rest,
    };
  });
}

/** The one channel every yield posts through: opening a MessageChannel per yield costs more. */
let yieldChannel: MessageChannel | null = null;
/** Resolvers of pending yields, in post order (one message each); at most one per caller. */
const yieldWaiters: (() => void)[] = [];

/**
 * Lets the event loop run (input, rendering, network) before the caller continues. A message
 * round trip, not a timer: background tabs clamp timers to 1 s or more.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    if (!yieldChannel) {
      yieldChannel = new MessageChannel();
      yieldChannel.port1.onmessage = () => yieldWaiters.shift()?.();
      // Node (tests): an idle port must not keep the process alive.
      (yieldChannel.port1 as MessagePort & { unref?: () => void }).unref?.();
    }
    yieldWaiters.push(resolve);
    yieldChannel.port2.postMessage(null);
  });
}

export interface DecodedBlock {
  block: Block;
  commit: Commit;
  /** The block's canonical bytes as received (stored as they are). */
  bytes: Uint8Array;
}

/** A fetched batch decoded, with its signature checks started. */
export interface PreparedBatch {
  /** The prefix that decodes. */
  blocks: DecodedBlock[];
  /** Why the block after that prefix does not decode. */
  reason?: string;
  ahead: VerifyAhead;
  /** Whether every commit of the batch passed ahead (the next batch's speculation waits on it). */
  commitsPassed: Promise<boolean>;
}

/**
 * Decodes a fetched batch (yielding every SYNC_SLICE_MS) and starts its speculative signature
 * checks on `state()` as it is by then. Runs outside the node's queue, while earlier batches
 * are still being applied, so it must not modify anything.
 */
export async function prepareBatch(
  encoded: readonly EncodedBlock[],
  state: () => LedgerState,
  ahead: VerifyAhead,
  clock: Clock,
  /** The batch before it, fetched ahead from the same peer: its commits must pass first. */
  after: Promise<boolean> = Promise.resolve(true),
): Promise<PreparedBatch> {
  const blocks: DecodedBlock[] = [];
  const checks: BlockChecks[] = [];
  let reason: string | undefined;
  let sliceStartMs = clock.monotonicMs();
  for (const item of encoded) {
    if (clock.monotonicMs() - sliceStartMs > SYNC_SLICE_MS) {
      await yieldToEventLoop();
      sliceStartMs = clock.monotonicMs();
    }
    let decoded: DecodedBlock;
    try {
      decoded = {
        block: decodeBlock(item.block),
        commit: decodeCommit(item.commit),
        bytes: item.block,
      };
    } catch (error) {
      reason = (error as Error).name;
      break;
    }
    checks.push(...speculativeChecks(state(), [decoded], blocks.length === 0));
    blocks.push(decoded);
  }
  // A block that does not decode ends the batch: nothing after it is worth verifying.
  const commitsPassed = ahead.startInOrder(checks, after).then((ok) => ok && reason === undefined);
  return reason === undefined
    ? { blocks, ahead, commitsPassed }
    : { blocks, reason, ahead, commitsPassed };
}
