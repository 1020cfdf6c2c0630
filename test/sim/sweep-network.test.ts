// Sweep, part 1: honest validators under every network fault and crashes, then random mixes of
// every fault (byzantine ones included, up to f = floor((n - 1) / 3)).
import { describe, expect, it } from 'vitest';
import { maxByzantine, NETWORK_AND_CRASH, sweep } from './sweep';

describe('simulation sweep: network, crashes, random mixes', () => {
  it('keeps every invariant over 500 seeds', async () => {
    const seeds = await sweep(
      [
        { name: 'network+crash', seeds: 200, faults: NETWORK_AND_CRASH, byzantine: () => 0 },
        { name: 'random mix', seeds: 300, faults: null, byzantine: maxByzantine },
      ],
      1,
    );
    expect(seeds).toBe(500);
  });
});
