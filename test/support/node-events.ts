// Waiting on a FullNode's events in Node tests: the first event a predicate maps to a value, with
// a deadline that names the height reached (what a timed-out test most needs to say).
import type { NodeEvent } from '../../src/lib/node/api';
import type { FullNode } from '../../src/lib/node/full-node';

export function waitFor<T>(
  node: FullNode,
  predicate: (event: NodeEvent) => T | undefined,
  timeoutMs = 20_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`timed out at height ${node.status.height}`));
    }, timeoutMs);
    const stop = node.subscribe((event) => {
      const value = predicate(event);
      if (value !== undefined) {
        clearTimeout(timer);
        stop();
        resolve(value);
      }
    });
  });
}

/** The height at which this device's tx `hash` committed (its activity entry says so). */
export const committedAt = (hash: string) => (event: NodeEvent) =>
  event.type === 'activity' && event.entry.hash === hash && event.entry.status === 'committed'
    ? (event.entry.height as number)
    : undefined;

/** Consensus timeouts for in-process test ledgers: blocks in a few hundred ms, no heartbeat. */
export const FAST_TIMEOUTS = {
  proposeMs: 300,
  proposeDeltaMs: 100,
  prevoteMs: 150,
  prevoteDeltaMs: 50,
  precommitMs: 150,
  precommitDeltaMs: 50,
  heartbeatMs: 0,
  rebroadcastMs: 500,
};

/** Polls `check` until it holds; throws naming `what` after `timeoutMs`. */
export async function until(check: () => boolean, what: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
