// The fault vocabulary of the simulator (`--faults`) and how a seed turns a fault mix into a
// concrete plan: which validators are byzantine and how, which nodes crash when, and the
// network's fault parameters. Everything is drawn from the seed, so the plan is reproducible.

import type { NetworkFaults, Partition } from './network';
import type { Prng } from './prng';

export const NETWORK_FAULTS = ['drop', 'delay', 'duplicate', 'reorder', 'partition'] as const;
export const NODE_FAULTS = ['crash'] as const;
export const BYZANTINE_FAULTS = [
  'equivocate',
  'double-vote',
  'amnesia',
  'silent',
  'invalid-proposal',
  'garbage',
  'future',
  'twins',
  'evidence-poison',
  'bad-time',
  'lying-clock',
  'dead-power',
  'approve-escalation',
  'replay-failed',
] as const;
export const ALL_FAULTS = [...NETWORK_FAULTS, ...NODE_FAULTS, ...BYZANTINE_FAULTS] as const;

export type NetworkFaultKind = (typeof NETWORK_FAULTS)[number];
export type ByzantineBehaviour = (typeof BYZANTINE_FAULTS)[number];
export type FaultKind = (typeof ALL_FAULTS)[number];

export function isFaultKind(name: string): name is FaultKind {
  return (ALL_FAULTS as readonly string[]).includes(name);
}

export function isByzantineFault(kind: FaultKind): kind is ByzantineBehaviour {
  return (BYZANTINE_FAULTS as readonly string[]).includes(kind);
}

/** Timing of the fault window, virtual ms. */
export const FAULT_WINDOW_MIN_MS = 1_000;
export const FAULT_WINDOW_MAX_MS = 5_000;

export interface CrashPlan {
  node: number;
  atMs: number;
  restartAtMs: number;
}

export interface FaultPlan {
  /** The faults this seed exercises (the CLI list, or the seed's random mix). */
  kinds: FaultKind[];
  /** Byzantine behaviour per validator index (absent = honest). */
  byzantine: Map<number, ByzantineBehaviour>;
  network: NetworkFaults;
  crashes: CrashPlan[];
  /** When every fault has healed (network, partitions, crashed nodes restarted). */
  healedAtMs: number;
}

/**
 * The seed's fault mix: the requested list, or (without `--faults`) a random subset of all
 * faults in which byzantine behaviours appear only if there are byzantine validators.
 */
export function chooseFaultKinds(
  requested: readonly FaultKind[] | null,
  byzantineCount: number,
  prng: Prng,
): FaultKind[] {
  if (requested !== null) return [...requested];
  const kinds = ALL_FAULTS.filter((kind) => {
    if (isByzantineFault(kind) && byzantineCount === 0) return false;
    return prng.chance(0.5);
  });
  if (byzantineCount > 0 && !kinds.some(isByzantineFault)) kinds.push(prng.pick(BYZANTINE_FAULTS));
  return kinds;
}

export interface PlanOptions {
  validators: number;
  byzantine: number;
  kinds: readonly FaultKind[];
}

/** Node indices: validators are nodes 0..N-1; a twin runs as an extra node N, N+1, ... */
export function planFaults(options: PlanOptions, prng: Prng): FaultPlan {
  const { validators, byzantine, kinds } = options;
  const has = (kind: FaultKind) => kinds.includes(kind);
  const faultsEndMs = prng.int(FAULT_WINDOW_MIN_MS, FAULT_WINDOW_MAX_MS);

  // Byzantine validators: a random F of them; behaviours dealt round-robin from the mix so
  // every selected behaviour shows up when F allows.
  const behaviours = prng.shuffle(BYZANTINE_FAULTS.filter((kind) => has(kind)));
  const byzantineMap = new Map<number, ByzantineBehaviour>();
  if (byzantine > 0 && behaviours.length > 0) {
    const chosen = prng.shuffle([...Array(validators).keys()]).slice(0, byzantine);
    chosen.forEach((validator, i) => {
      byzantineMap.set(validator, behaviours[i % behaviours.length] as ByzantineBehaviour);
    });
  }

  const twinCount = [...byzantineMap.values()].filter((b) => b === 'twins').length;
  const nodeCount = validators + twinCount;
  const network: NetworkFaults = {
    faultsEndMs,
    dropProbability: has('drop') ? 0.05 + prng.float() * 0.25 : 0,
    duplicateProbability: has('duplicate') ? 0.05 + prng.float() * 0.25 : 0,
    delaySlowProbability: has('delay') ? 0.1 + prng.float() * 0.3 : 0,
    delaySlowMaxMs: has('delay') ? prng.int(200, 2_000) : 0,
    reorderJitterMaxMs: has('reorder') ? prng.int(20, 300) : 0,
    partitions: has('partition') ? planPartitions(nodeCount, faultsEndMs, prng) : [],
  };

  // Crashes hit honest validators only: a byzantine node's memory is not worth modelling, and
  // the no-double-sign-across-crashes invariant is about honest ones.
  const honest = [...Array(validators).keys()].filter((v) => !byzantineMap.has(v));
  const crashes: CrashPlan[] = [];
  if (has('crash') && honest.length > 0) {
    const count = prng.int(1, Math.min(3, honest.length));
    for (let i = 0; i < count; i++) {
      const atMs = prng.int(0, faultsEndMs - 200);
      const restartAtMs = Math.min(faultsEndMs, atMs + prng.int(100, 3_000));
      crashes.push({ node: prng.pick(honest), atMs, restartAtMs });
    }
  }

  const healedAtMs = Math.max(
    faultsEndMs + network.delaySlowMaxMs + network.reorderJitterMaxMs,
    ...network.partitions.map((p) => p.endMs),
    ...crashes.map((c) => c.restartAtMs),
  );
  return { kinds: [...kinds], byzantine: byzantineMap, network, crashes, healedAtMs };
}

function planPartitions(nodes: number, faultsEndMs: number, prng: Prng): Partition[] {
  const partitions: Partition[] = [];
  const count = prng.int(1, 2);
  for (let i = 0; i < count; i++) {
    const startMs = prng.int(0, Math.max(0, faultsEndMs - 500));
    const endMs = Math.min(faultsEndMs, startMs + prng.int(500, 5_000));
    const order = prng.shuffle([...Array(nodes).keys()]);
    const cut = prng.int(1, Math.max(1, nodes - 1));
    partitions.push({ startMs, endMs, groups: [order.slice(0, cut), order.slice(cut)] });
  }
  return partitions;
}
