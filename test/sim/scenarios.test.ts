// Focused simulations: each forces one situation and checks what the invariants promise about
// it. Every failure message carries the seed.

import { describe, expect, it } from 'vitest';
import { runSeed, type RunResult } from './simulation';
import { reproduceCommand } from './cli-args';
import { describeFailure } from './summary';

function explain(result: RunResult, command: string): string {
  return describeFailure({ seed: result.seed, command, violations: result.violations });
}

describe('simulated scenarios', () => {
  it('regains liveness after a partition that left no side with a quorum heals', async () => {
    for (const seed of [1, 2, 3]) {
      const result = await runSeed({
        validators: 4,
        byzantine: 0,
        seed,
        faults: ['partition'],
        heights: 3,
        adjustPlan(plan) {
          // 2 | 2: neither side has > 2/3, so nothing can commit until the heal at 4 s.
          plan.network.partitions = [
            {
              startMs: 0,
              endMs: 4_000,
              groups: [
                [0, 1],
                [2, 3],
              ],
            },
          ];
          plan.network.faultsEndMs = 4_000;
          plan.healedAtMs = 4_000;
        },
      });
      expect(
        result.ok,
        explain(result, `the partition scenario of test/sim/scenarios.test.ts, seed ${seed}`),
      ).toBe(true);
      expect(result.stats.partitioned).toBeGreaterThan(0);
      expect(result.heightsCommitted).toBeGreaterThanOrEqual(3);
      // Height 1 could not be decided in round 0: the partition outlived its timeouts.
      expect(result.decidedRounds[0]).toBeGreaterThan(0);
    }
  });

  it('turns twins (one key on two nodes) into evidence that gets committed', async () => {
    let evidenceCommitted = 0;
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const result = await runSeed({
        validators: 4,
        byzantine: 1,
        seed,
        faults: ['twins'],
        heights: 5,
      });
      const command = reproduceCommand(
        {
          validators: 4,
          byzantine: 1,
          seedFrom: seed,
          seedTo: seed,
          faults: ['twins'],
          heights: 5,
          json: false,
          verbose: false,
        },
        seed,
      );
      expect(result.ok, explain(result, command)).toBe(true);
      expect(result.byzantine.map(([, behaviour]) => behaviour)).toEqual(['twins']);
      evidenceCommitted += result.stats.evidenceCommitted;
    }
    expect(evidenceCommitted).toBeGreaterThan(0);
  });

  it('never double-signs across crash-restarts, even restarts in the middle of a height', async () => {
    let restartsMidHeight = 0;
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const result = await runSeed({
        validators: 4,
        byzantine: 0,
        seed,
        faults: ['crash', 'drop'],
        heights: 4,
        adjustPlan(plan) {
          // Crash every validator several times, 50-400 ms apart: mid-round, between a
          // signature and its delivery.
          plan.crashes = [];
          for (let i = 0; i < 12; i++) {
            const atMs = 100 + i * 250 + ((seed * 37 * (i + 1)) % 200);
            plan.crashes.push({
              node: (seed + i) % 4,
              atMs,
              restartAtMs: atMs + 50 + ((seed * i) % 350),
            });
          }
          plan.network.faultsEndMs = 3_600;
          plan.healedAtMs = Math.max(...plan.crashes.map((c) => c.restartAtMs), 3_600);
        },
      });
      expect(
        result.ok,
        explain(result, `the crash scenario of test/sim/scenarios.test.ts, seed ${seed}`),
      ).toBe(true);
      expect(result.stats.crashes).toBe(12);
      restartsMidHeight += result.stats.restartsMidHeight;
    }
    // Validators did restart at heights they had already signed at (what could double-sign).
    expect(restartsMidHeight).toBeGreaterThan(0);
  });

  it('negative control: two nodes signing with one key, counted as honest, are reported', async () => {
    const result = await runSeed({
      validators: 4,
      byzantine: 1,
      seed: 1,
      faults: ['twins'],
      heights: 6,
      twinsCountAsHonest: true,
    });
    expect(result.ok).toBe(false);
    expect(result.violations.map((v) => v.kind)).toContain('double-sign');
    expect(result.violations[0]?.detail).toMatch(
      /signed (proposal|prevote|precommit) at height \d+/,
    );
  });
});
