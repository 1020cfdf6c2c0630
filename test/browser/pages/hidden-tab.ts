// Races the node's two ways of keeping time in one page, so a test can hide the tab and see
// which one the browser throttles: main-thread setTimeout (systemTimers) against the dedicated
// Worker (workerTimers, what src/lib/node/device.ts gives every node).
import { genesisState } from '$lib/core/genesis';
import { addressOf, chainIdOf } from '$lib/core/hash';
import type { Genesis } from '$lib/core/types';
import {
  cachingVerifier,
  generateSigningKey,
  webCryptoSigner,
  webCryptoVerifier,
} from '$lib/crypto/index';
import { MemoryHub, MemoryNetwork } from '$lib/net/memory-network';
import { systemClock, systemTimers, type Timers } from '$lib/node/clock';
import { FullNode } from '$lib/node/full-node';
import { workerTimers } from '$lib/node/worker-timers';
import { createMemoryLedgerStore } from '$lib/store/memory-ledger-store';

/** Counts of one race; `visibility` is every state the page was in while it ran. */
export interface RaceCounts {
  mainThread: number;
  worker: number;
  elapsedMs: number;
  visibility: DocumentVisibilityState[];
}

interface Race {
  stop(): Promise<RaceCounts>;
}

/** Watches visibility from start to stop: a race only counts if the page stayed hidden. */
function visibilityLog(): { states: DocumentVisibilityState[]; close(): void } {
  const states: DocumentVisibilityState[] = [document.visibilityState];
  const onChange = () => states.push(document.visibilityState);
  document.addEventListener('visibilitychange', onChange);
  return { states, close: () => document.removeEventListener('visibilitychange', onChange) };
}

/** A chain of `delayMs` timeouts, each scheduled by the previous one (nesting grows). */
function timeoutChain(timers: Timers, delayMs: number) {
  let count = 0;
  let cancel = () => {};
  const tick = () => {
    count += 1;
    cancel = timers.after(delayMs, tick);
  };
  cancel = timers.after(delayMs, tick);
  return { count: () => count, stop: () => cancel() };
}

/** Both kinds of timer chain, side by side, until stop(). */
function timerRace(delayMs: number): Race {
  const visibility = visibilityLog();
  const worker = workerTimers();
  const startMs = performance.now();
  const chains = {
    mainThread: timeoutChain(systemTimers, delayMs),
    worker: timeoutChain(worker, delayMs),
  };
  return {
    async stop() {
      chains.mainThread.stop();
      chains.worker.stop();
      worker.terminate();
      visibility.close();
      return {
        mainThread: chains.mainThread.count(),
        worker: chains.worker.count(),
        elapsedMs: performance.now() - startMs,
        visibility: visibility.states,
      };
    },
  };
}

/**
 * A single-validator ledger whose only clock-driven work is consensus: with `heartbeatMs`
 * set, an idle ledger commits an empty block each time the heartbeat timer fires.
 */
async function soloValidator(timers: Timers, heartbeatMs: number): Promise<FullNode> {
  const key = await generateSigningKey();
  const genesis: Genesis = {
    name: 'hidden tab',
    time: Date.now() - 60_000,
    validators: [{ publicKey: key.publicKey, power: 10 }],
    balances: [{ address: addressOf(key.publicKey), amount: 1_000 }],
    salt: crypto.getRandomValues(new Uint8Array(16)),
  };
  const chainId = chainIdOf(genesis);
  const store = createMemoryLedgerStore(chainId);
  await store.initialize(genesis, genesisState(genesis));
  const node = new FullNode(
    { ledgerName: genesis.name, timeouts: { heartbeatMs } },
    {
      store,
      // No peers: nothing arrives from outside, every block comes from this node's timers.
      createNetwork: ({ validator, blocks }) =>
        new MemoryNetwork(chainId, chainId, { hub: new MemoryHub(), blocks, validator }),
      signer: webCryptoSigner(key),
      verifier: cachingVerifier(webCryptoVerifier()),
      clock: systemClock,
      timers,
    },
  );
  await node.start();
  return node;
}

/** Two solo validators, one per kind of timer; counts the heights each commits until stop(). */
async function validatorRace(heartbeatMs: number): Promise<Race> {
  const worker = workerTimers();
  const nodes = {
    mainThread: await soloValidator(systemTimers, heartbeatMs),
    worker: await soloValidator(worker, heartbeatMs),
  };
  const visibility = visibilityLog();
  const startHeights = {
    mainThread: nodes.mainThread.status.height,
    worker: nodes.worker.status.height,
  };
  const startMs = performance.now();
  return {
    async stop() {
      const counts = {
        mainThread: nodes.mainThread.status.height - startHeights.mainThread,
        worker: nodes.worker.status.height - startHeights.worker,
        elapsedMs: performance.now() - startMs,
        visibility: visibility.states,
      };
      visibility.close();
      await Promise.all([nodes.mainThread.stop(), nodes.worker.stop()]);
      worker.terminate();
      return counts;
    },
  };
}

let race: Race | null = null;

const api = {
  visibility: () => document.visibilityState,
  startTimerRace(delayMs: number) {
    race = timerRace(delayMs);
  },
  async startValidatorRace(heartbeatMs: number) {
    race = await validatorRace(heartbeatMs);
  },
  async stopRace(): Promise<RaceCounts> {
    if (!race) throw new Error('no race is running');
    const running = race;
    race = null;
    return running.stop();
  },
};

declare global {
  interface Window {
    hiddenTab: typeof api;
  }
}

window.hiddenTab = api;
