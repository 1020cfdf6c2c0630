import { EVIDENCE_AGE_MAX_HEIGHTS } from '../../src/lib/core/params';
import { describe, expect, it } from 'vitest';
import type { Block, Evidence, Hash, Vote } from '../../src/lib/core/types';
import { InvariantChecker, type ReferenceLedger } from './invariants';

const hash = (byte: number): Hash => new Uint8Array(32).fill(byte);
const block = (evidence: Evidence[] = []) =>
  ({ header: { time: 0 }, txs: [], evidence }) as unknown as Block;

/** A reference that accepts every block and returns root = [height]. */
function acceptingReference(): ReferenceLedger & { height: number } {
  return {
    height: 0,
    async commitNext() {
      this.height++;
      return { ok: true as const, stateRoot: hash(this.height) };
    },
  };
}

function vote(height: number, blockByte: number | null): Vote {
  return {
    chainId: 'c',
    height,
    round: 0,
    type: 'prevote',
    blockHash: blockByte === null ? null : hash(blockByte),
    timestamp: 0,
    validator: 'v1',
    signature: new Uint8Array(64),
  };
}

const evidenceAt = (height: number): Evidence => ({
  kind: 'duplicate-vote',
  voteA: vote(height, 1),
  voteB: vote(height, null),
});

describe('InvariantChecker', () => {
  it('accepts honest nodes that agree block by block', async () => {
    const checker = new InvariantChecker(acceptingReference(), () => 0);
    for (const node of [0, 1, 2]) await checker.onCommit(node, 1, 0, block(), hash(10), hash(1));
    for (const node of [0, 1, 2]) await checker.onCommit(node, 2, 1, block(), hash(20), hash(2));
    expect(checker.violations).toEqual([]);
    expect(checker.height).toBe(2);
    expect(checker.decidedRounds()).toEqual([0, 1]);
  });

  it('reports agreement when two honest nodes commit different blocks at one height', async () => {
    const checker = new InvariantChecker(acceptingReference(), () => 7);
    await checker.onCommit(0, 1, 0, block(), hash(10), hash(1));
    await checker.onCommit(1, 1, 0, block(), hash(11), hash(1));
    expect(checker.violations).toHaveLength(1);
    expect(checker.violations[0]).toMatchObject({ kind: 'agreement', timeMs: 7 });
  });

  it('reports a state root that differs from the reference', async () => {
    const checker = new InvariantChecker(acceptingReference(), () => 0);
    await checker.onCommit(0, 1, 0, block(), hash(10), hash(1));
    await checker.onCommit(1, 1, 0, block(), hash(10), hash(99));
    expect(checker.violations.map((v) => v.kind)).toEqual(['state-root']);
  });

  it('reports validity when the reference ledger rejects a committed block', async () => {
    const reference: ReferenceLedger = {
      async commitNext() {
        return { ok: false as const, rule: 'state-root', detail: 'x' };
      },
    };
    const checker = new InvariantChecker(reference, () => 0);
    await checker.onCommit(0, 1, 0, block(), hash(10), hash(1));
    expect(checker.violations[0]).toMatchObject({ kind: 'validity' });
    expect(checker.violations[0]?.detail).toContain('state-root');
  });

  it('reports an honest double-sign (same height, round and step, different blocks)', () => {
    const checker = new InvariantChecker(acceptingReference(), () => 0);
    const record = { node: 0, validator: 'v1', height: 3, round: 1, kind: 'prevote' as const };
    checker.onSigned({ ...record, blockHash: hash(5) });
    checker.onSigned({ ...record, blockHash: hash(5) }); // the same vote again is fine
    checker.onSigned({ ...record, round: 2, blockHash: null }); // another round is fine
    expect(checker.violations).toEqual([]);
    checker.onSigned({ ...record, node: 4, blockHash: null });
    expect(checker.violations.map((v) => v.kind)).toEqual(['double-sign']);
  });

  it('tracks evidence until committed and reports evidence that expires uncommitted', async () => {
    const checker = new InvariantChecker(acceptingReference(), () => 0);
    checker.onEvidenceHeld(0, evidenceAt(1));
    checker.onEvidenceHeld(0, evidenceAt(2));
    expect(checker.pendingEvidence()).toHaveLength(2);
    await checker.onCommit(0, 1, 0, block(), hash(10), hash(1));
    await checker.onCommit(0, 2, 0, block([evidenceAt(1)]), hash(20), hash(2));
    expect(checker.committedEvidenceCount()).toBe(1);
    expect(checker.violations).toEqual([]);
    // Evidence of height 2 fits in blocks 2 .. 2 + EVIDENCE_AGE_MAX_HEIGHTS - 1.
    const lastCarrier = 2 + EVIDENCE_AGE_MAX_HEIGHTS - 1;
    for (let height = 3; height < lastCarrier; height++) {
      await checker.onCommit(0, height, 0, block(), hash(height + 100), hash(height));
    }
    expect(checker.violations).toEqual([]);
    await checker.onCommit(0, lastCarrier, 0, block(), hash(lastCarrier + 100), hash(lastCarrier));
    expect(checker.violations.map((v) => v.kind)).toEqual(['evidence']);
    expect(checker.violations[0]?.detail).toContain('expired');
  });

  it('does not require evidence whose every holder crashed', async () => {
    const checker = new InvariantChecker(acceptingReference(), () => 0);
    checker.onEvidenceHeld(2, evidenceAt(1));
    checker.onCrash(2);
    expect(checker.pendingEvidence()).toEqual([]);
    expect(checker.evidenceLostToCrashes).toBe(1);
    for (let h = 1; h <= 3; h++) await checker.onCommit(0, h, 0, block(), hash(h), hash(h));
    expect(checker.violations).toEqual([]);
  });
});
