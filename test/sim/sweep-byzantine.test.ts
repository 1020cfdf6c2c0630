// Sweep, part 2: each byzantine behaviour on its own (f of n validators), with message loss and
// reordering, then random mixes again (other seeds than part 1).
import { describe, expect, it } from 'vitest';
import { BYZANTINE_FAULTS } from './faults';
import { maxByzantine, sweep, type Mix } from './sweep';

const PER_BEHAVIOUR = 40;

describe('simulation sweep: byzantine behaviours', () => {
  it(`keeps every invariant over ${PER_BEHAVIOUR} seeds of each behaviour and 100 random mixes`, async () => {
    const mixes: Mix[] = [
      ...BYZANTINE_FAULTS.map((behaviour): Mix => ({
        name: behaviour,
        seeds: PER_BEHAVIOUR,
        faults: [behaviour, 'drop', 'reorder'],
        byzantine: maxByzantine,
      })),
      { name: 'random mix', seeds: 100, faults: null, byzantine: maxByzantine },
    ];
    const seeds = await sweep(mixes, 10_001);
    expect(seeds).toBe(BYZANTINE_FAULTS.length * PER_BEHAVIOUR + 100);
  });
});
