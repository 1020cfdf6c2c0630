// The invariant checker: every simulated node reports what it signs and commits, and the
// checker asserts, at every step:
//   agreement    no two different blocks committed at one height by honest nodes
//   validity     every committed block passes core validation (against a reference ledger)
//   state-root   every honest node's state root after height h equals the reference one
//   double-sign  no honest validator signs two different things at one (height, round, step),
//                across crashes included
//   time         a committed block's time is never ahead of the honest clocks (BFT time: no
//                proposer or lying clock moves it)
//   replay       no transaction is committed twice (a failed one included, then replayed)
// and at the end of a run:
//   evidence     every equivocation an honest node detected is committed in a block's evidence
//   liveness     after the last fault heals, every honest node commits the next heights in time

import { toHex } from '../../src/lib/core/bytes';
import { txHash } from '../../src/lib/core/hash';
import { EVIDENCE_AGE_MAX_HEIGHTS } from '../../src/lib/core/params';
import type { Block, Evidence, Hash } from '../../src/lib/core/types';

export type ViolationKind =
  | 'agreement'
  | 'validity'
  | 'state-root'
  | 'double-sign'
  | 'time'
  | 'replay'
  | 'evidence'
  | 'liveness'
  | 'driver-error';

export interface Violation {
  kind: ViolationKind;
  /** Virtual time at which it was detected. */
  timeMs: number;
  detail: string;
}

/** The independent judge of validity: a ledger that validates and applies each height once. */
export interface ReferenceLedger {
  /** Validates `block` as the next height and applies it, returning the state root after it. */
  commitNext(
    block: Block,
  ): Promise<{ ok: true; stateRoot: Hash } | { ok: false; rule: string; detail: string }>;
}

export type SignKind = 'proposal' | 'prevote' | 'precommit';

export interface SignRecord {
  node: number;
  validator: string;
  height: number;
  round: number;
  kind: SignKind;
  blockHash: Hash | null;
}

interface CommittedHeight {
  blockHash: string;
  firstNode: number;
  stateRoot: string | null;
  round: number;
}

interface HeldEvidence {
  key: string;
  height: number;
  expiredReported: boolean;
  detectedAtMs: number;
  holders: Set<number>;
  committedAtHeight: number | null;
}

/** Violations recorded per run; a broken run stops early, so this is only a safety net. */
export const VIOLATIONS_PER_RUN_MAX = 100;
/** How far a committed block's time may be ahead of the honest clocks (precommits stamp at least 1 ms after their block). */
export const BLOCK_TIME_AHEAD_MAX_MS = 1_000;

export function evidenceKey(evidence: Evidence): string {
  const vote = evidence.voteA;
  return `${vote.validator}/${vote.height}/${vote.round}/${vote.type}`;
}

function hashHex(hash: Hash | null): string {
  return hash === null ? 'nil' : toHex(hash);
}

export class InvariantChecker {
  readonly violations: Violation[] = [];
  private readonly committed = new Map<number, CommittedHeight>();
  private readonly signatures = new Map<string, { hash: string; node: number }>();
  private readonly evidence = new Map<string, HeldEvidence>();
  private referenceHeight = 0;
  /** Hashes of every committed tx (bounded by the run: a few thousand). */
  private readonly committedTxs = new Set<string>();
  /** Equivocations honest nodes saw but that every holder lost by crashing (not a violation). */
  evidenceLostToCrashes = 0;

  constructor(
    private readonly reference: ReferenceLedger,
    private readonly now: () => number,
    /** The honest nodes' wall clock (ms since epoch). */
    private readonly wallClockMs: () => number = () => Number.POSITIVE_INFINITY,
  ) {}

  get ok(): boolean {
    return this.violations.length === 0;
  }

  /** Highest height the reference ledger has accepted. */
  get height(): number {
    return this.referenceHeight;
  }

  /** Decided round of each committed height (1-based heights), for rounds-per-height stats. */
  decidedRounds(): number[] {
    const rounds: number[] = [];
    for (let h = 1; h <= this.referenceHeight; h++) rounds.push(this.committed.get(h)?.round ?? 0);
    return rounds;
  }

  report(kind: ViolationKind, detail: string): void {
    if (this.violations.length >= VIOLATIONS_PER_RUN_MAX) return;
    this.violations.push({ kind, timeMs: this.now(), detail });
  }

  /** An honest validator's signature is about to leave its node. */
  onSigned(record: SignRecord): void {
    const key = `${record.validator}/${record.height}/${record.round}/${record.kind}`;
    const hash = hashHex(record.blockHash);
    const previous = this.signatures.get(key);
    if (previous === undefined) {
      this.signatures.set(key, { hash, node: record.node });
    } else if (previous.hash !== hash) {
      this.report(
        'double-sign',
        `honest validator ${record.validator.slice(0, 8)} signed ${record.kind} at height ` +
          `${record.height} round ${record.round} for ${previous.hash.slice(0, 12)} ` +
          `(node ${previous.node}) and ${hash.slice(0, 12)} (node ${record.node})`,
      );
    }
  }

  /**
   * An honest node committed `block` at `height` (decided in `round`) and its state root is
   * now `stateRoot`.
   */
  async onCommit(
    node: number,
    height: number,
    round: number,
    block: Block,
    blockHash: Hash,
    stateRoot: Hash,
  ): Promise<void> {
    const hex = toHex(blockHash);
    let entry = this.committed.get(height);
    if (entry === undefined) {
      if (height !== this.referenceHeight + 1) {
        this.report(
          'validity',
          `node ${node} committed height ${height} before anyone committed ${this.referenceHeight + 1}`,
        );
        return;
      }
      entry = { blockHash: hex, firstNode: node, stateRoot: null, round };
      this.committed.set(height, entry);
      const verdict = await this.reference.commitNext(block);
      if (!verdict.ok) {
        this.report(
          'validity',
          `height ${height} block ${hex.slice(0, 12)} committed by node ${node} fails ` +
            `core validation: ${verdict.rule} (${verdict.detail})`,
        );
        return;
      }
      this.referenceHeight = height;
      entry.stateRoot = toHex(verdict.stateRoot);
      for (const tx of block.txs) {
        const key = toHex(txHash(tx));
        if (this.committedTxs.has(key)) {
          this.report('replay', `height ${height} commits tx ${key.slice(0, 12)} again`);
        }
        this.committedTxs.add(key);
      }
      const aheadMs = block.header.time - this.wallClockMs();
      if (aheadMs > BLOCK_TIME_AHEAD_MAX_MS) {
        this.report(
          'time',
          `height ${height} committed with time ${block.header.time}, ${aheadMs} ms ahead of the honest clocks`,
        );
      }
      for (const evidence of block.evidence) this.onEvidenceCommitted(evidence, height);
      for (const held of this.evidence.values()) if (held.holders.size > 0) this.checkExpiry(held);
    } else if (entry.blockHash !== hex) {
      this.report(
        'agreement',
        `height ${height}: node ${entry.firstNode} committed ${entry.blockHash.slice(0, 12)} ` +
          `but node ${node} committed ${hex.slice(0, 12)}`,
      );
      return;
    }
    const root = toHex(stateRoot);
    if (entry.stateRoot !== null && entry.stateRoot !== root) {
      this.report(
        'state-root',
        `height ${height}: node ${node} has state root ${root.slice(0, 12)}, ` +
          `reference ${entry.stateRoot.slice(0, 12)}`,
      );
    }
  }

  /** An honest node holds evidence of an equivocation (detected itself or received). */
  onEvidenceHeld(node: number, evidence: Evidence): void {
    const key = evidenceKey(evidence);
    let held = this.evidence.get(key);
    if (held === undefined) {
      held = {
        key,
        height: evidence.voteA.height,
        expiredReported: false,
        detectedAtMs: this.now(),
        holders: new Set(),
        committedAtHeight: null,
      };
      this.evidence.set(key, held);
    }
    held.holders.add(node);
    this.checkExpiry(held);
  }

  /**
   * The core accepts evidence of height h only up to block h + EVIDENCE_AGE_MAX_HEIGHTS - 1
   * (evidenceSetForHeight): once the reference ledger is past that without it, it can never be
   * committed. (The simulator never changes the validator set, the other limit.)
   */
  private checkExpiry(held: HeldEvidence): void {
    if (held.committedAtHeight !== null || held.expiredReported) return;
    if (held.height + EVIDENCE_AGE_MAX_HEIGHTS - 1 > this.referenceHeight) return;
    held.expiredReported = true;
    this.report(
      'evidence',
      `equivocation ${held.key} (detected at ${held.detectedAtMs} ms) expired uncommitted: ` +
        `block ${held.height + EVIDENCE_AGE_MAX_HEIGHTS - 1} was committed without it, the ` +
        `last block that could carry it`,
    );
  }

  private onEvidenceCommitted(evidence: Evidence, height: number): void {
    const key = evidenceKey(evidence);
    const held = this.evidence.get(key);
    if (held === undefined) {
      this.evidence.set(key, {
        key,
        height: evidence.voteA.height,
        expiredReported: false,
        detectedAtMs: this.now(),
        holders: new Set(),
        committedAtHeight: height,
      });
    } else if (held.committedAtHeight === null) {
      held.committedAtHeight = height;
    }
  }

  /** A node crashed: its in-memory evidence pool is gone. */
  onCrash(node: number): void {
    for (const held of this.evidence.values()) {
      if (held.committedAtHeight !== null || !held.holders.delete(node)) continue;
      if (held.holders.size === 0) this.evidenceLostToCrashes++;
    }
  }

  /** Uncommitted evidence some live honest node still holds. */
  pendingEvidence(): Array<{ key: string; detectedAtMs: number }> {
    return [...this.evidence.values()]
      .filter(
        (held) => held.committedAtHeight === null && held.holders.size > 0 && !held.expiredReported,
      )
      .map(({ key, detectedAtMs }) => ({ key, detectedAtMs }));
  }

  committedEvidenceCount(): number {
    return [...this.evidence.values()].filter((held) => held.committedAtHeight !== null).length;
  }

  /**
   * End of run: evidence held by a live honest node must be committed once it has been known
   * for `boundMs` of healthy network (counted from max(detection, heal)).
   */
  checkEvidenceAtEnd(healedAtMs: number, boundMs: number): void {
    const nowMs = this.now();
    for (const pending of this.pendingEvidence()) {
      const deadlineMs = Math.max(pending.detectedAtMs, healedAtMs) + boundMs;
      if (deadlineMs <= nowMs) {
        this.report(
          'evidence',
          `equivocation ${pending.key} detected at ${pending.detectedAtMs} ms is not committed ` +
            `by ${nowMs} ms (deadline ${deadlineMs} ms)`,
        );
      }
    }
  }
}
