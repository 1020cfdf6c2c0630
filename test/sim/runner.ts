// Runs a range of seeds, a few at a time. Runs share nothing (each has its own queue, network,
// verifier cache and nodes), so interleaving them cannot change any run's outcome; it only
// overlaps WebCrypto's thread-pool work with the next run's JavaScript.

import type { FaultKind } from './faults';
import { runSeed, type RunOptions, type RunResult } from './simulation';

/** Seeds in flight at once (libuv's default thread pool has 4 threads). */
export const CONCURRENT_RUNS = 4;

export interface RangeOptions {
  validators: number;
  byzantine: number;
  seedFrom: number;
  seedTo: number;
  faults: FaultKind[] | null;
  heights: number;
  debug?: boolean;
}

export async function runSeeds(
  options: RangeOptions,
  onResult: (result: RunResult) => void = () => {},
  extra: Partial<RunOptions> = {},
): Promise<RunResult[]> {
  const results: RunResult[] = [];
  let next = options.seedFrom;
  async function worker(): Promise<void> {
    while (next <= options.seedTo) {
      const seed = next++;
      const result = await runSeed({
        validators: options.validators,
        byzantine: options.byzantine,
        seed,
        faults: options.faults,
        heights: options.heights,
        debug: options.debug === true,
        ...extra,
      });
      results.push(result);
      onResult(result);
    }
  }
  await Promise.all(Array.from({ length: CONCURRENT_RUNS }, worker));
  return results.sort((a, b) => a.seed - b.seed);
}
