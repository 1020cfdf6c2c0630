// Pieces of the node's range-sync pipeline (catch-up.ts): verifying a fetched batch's
// signatures ahead of importing its blocks, and yielding the main thread between blocks.
//
// Signatures do not depend on the state, but WHICH signatures a block must carry does: its
// commit is checked against the validator set of its height, known for certain only once the
// blocks before it are applied. So the checks are started speculatively for the whole batch
// against the current set, and the in-order pass asks for the exact checks of each block
// through `VerifyAhead.verifier`: a check started ahead with the same public key, message and
// signature is answered by that verification; any other (the set changed, a block the
// speculation got wrong) is verified there and then. A verdict depends only on those bytes, so
// speculation can make sync faster, never accept or reject anything differently.
import { blockSignatureChecks } from '../core/block';
import { decodeBlock, decodeCommit } from '../core/encoding';
import { bytesEqual } from '../core/hash';
import { txSignBytes, type SignatureCheck, type Verifier } from '../core/signing';
import type { LedgerState } from '../core/state';
import type { Block, Commit } from '../core/types';
import type { EncodedBlock } from '../net/network';
import { commitSignatureChecks } from './commit-check';
import type { SignatureBatchVerifier } from './verify';
import type { Clock } from './clock';
import { SYNC_SLICE_MS, SYNC_VERIFY_AHEAD_CHECKS_MAX } from './params';

interface Started extends SignatureCheck {
  verdict: Promise<boolean>;
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

export class VerifyAhead {
  readonly #inner: Verifier;
  readonly #batch: SignatureBatchVerifier | null;
  /** By signatureKey; entries under one key compare signature, key and message. */
  readonly #started = new Map<number, Started[]>();
  #count = 0;
  readonly verifier: Verifier;

  /** `batch` (a Worker pool) verifies what is started ahead; `inner` everything else. */
  constructor(inner: Verifier, batch: SignatureBatchVerifier | null = null) {
    this.#inner = inner;
    this.#batch = batch;
    this.verifier = {
      verify: (publicKey, message, signature) =>
        this.#find({ publicKey, message, signature }) ??
        this.#inner.verify(publicKey, message, signature),
    };
  }

  /** Starts each check not started yet, up to SYNC_VERIFY_AHEAD_CHECKS_MAX in all. */
  start(checks: readonly SignatureCheck[]): void {
    const fresh: SignatureCheck[] = [];
    const listed = new Map<number, SignatureCheck[]>();
    for (const check of checks) {
      if (this.#count + fresh.length >= SYNC_VERIFY_AHEAD_CHECKS_MAX) break;
      if (this.#find(check)) continue;
      const key = signatureKey(check.signature);
      const same = listed.get(key) ?? [];
      if (same.some((other) => sameCheck(other, check))) continue;
      same.push(check);
      listed.set(key, same);
      fresh.push(check);
    }
    this.#count += fresh.length;
    const batch = this.#batch?.verifyBatch(fresh);
    fresh.forEach((check, i) => {
      const verdict = batch
        ? batch.then((verdicts) => verdicts[i] === true)
        : this.#inner.verify(check.publicKey, check.message, check.signature);
      // Awaited (or dropped) later; a verifier error then counts against the block there.
      verdict.catch(() => undefined);
      const key = signatureKey(check.signature);
      const list = this.#started.get(key) ?? [];
      list.push({
        publicKey: check.publicKey,
        message: check.message,
        signature: check.signature,
        verdict,
      });
      this.#started.set(key, list);
    });
  }

  #find(check: SignatureCheck): Promise<boolean> | undefined {
    return this.#started
      .get(signatureKey(check.signature))
      ?.find((entry) => sameCheck(entry, check))?.verdict;
  }
}

/**
 * The checks of consecutive blocks as far as they can be known on `state`: every tx exactly,
 * every commit (and the first block's lastCommit) against the current set, and the whole of the
 * first block exactly when it is the next one.
 */
export function speculativeChecks(
  state: LedgerState,
  blocks: readonly { block: Block; commit: Commit }[],
  /** Whether blocks[0] starts the batch (else the previous block's commit covers its lastCommit). */
  first = true,
): SignatureCheck[] {
  const checks: SignatureCheck[] = [];
  blocks.forEach(({ block, commit }, index) => {
    const i = first ? index : index + 1;
    if (i === 0 && block.header.height === state.height + 1) {
      checks.push(...blockSignatureChecks(state, block));
    } else {
      for (const tx of block.txs) {
        checks.push({ publicKey: tx.from, message: txSignBytes(tx), signature: tx.signature });
      }
      // After the first block, its lastCommit is the previous block's commit (listed already).
      if (i === 0 && block.lastCommit) {
        checks.push(
          ...commitSignatureChecks(state.chainId, state.validators, block.lastCommit).checks,
        );
      }
    }
    checks.push(...commitSignatureChecks(state.chainId, state.validators, commit).checks);
  });
  return checks;
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
): Promise<PreparedBatch> {
  const blocks: DecodedBlock[] = [];
  const checks: SignatureCheck[] = [];
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
  ahead.start(checks);
  return reason === undefined ? { blocks, ahead } : { blocks, reason, ahead };
}
