// The in-memory network's fault model. For each message it decides, from the seeded PRNG,
// how many copies arrive and after what delays: none (dropped, or cut by a partition), one,
// or two (duplicated); delays vary, so messages overtake each other (reordering). Every
// fault is confined to the fault window; once it closes the network is healthy (fixed small
// latency, no loss), which is what the liveness invariant measures from.

import type { Prng } from './prng';

export type NodeIndex = number;

export interface Partition {
  startMs: number;
  /** The partition heals at this time. */
  endMs: number;
  /** Nodes in different groups cannot reach each other; a node in no group is isolated. */
  groups: NodeIndex[][];
}

export interface NetworkFaults {
  /** Faults apply to messages sent before this time; afterwards the network is healthy. */
  faultsEndMs: number;
  dropProbability: number;
  duplicateProbability: number;
  /** Probability that a message is held back by up to `delaySlowMaxMs` ('delay' fault). */
  delaySlowProbability: number;
  delaySlowMaxMs: number;
  /** Extra uniform jitter up to this many ms on every message ('reorder' fault). */
  reorderJitterMaxMs: number;
  partitions: Partition[];
}

export interface LatencyParams {
  /** Healthy one-way latency range. */
  latencyMinMs: number;
  latencyMaxMs: number;
}

export const HEALTHY_LATENCY: LatencyParams = { latencyMinMs: 2, latencyMaxMs: 10 };

export function noNetworkFaults(): NetworkFaults {
  return {
    faultsEndMs: 0,
    dropProbability: 0,
    duplicateProbability: 0,
    delaySlowProbability: 0,
    delaySlowMaxMs: 0,
    reorderJitterMaxMs: 0,
    partitions: [],
  };
}

export interface NetworkStats {
  sent: number;
  dropped: number;
  partitioned: number;
  duplicated: number;
  delayed: number;
}

export class SimNetwork {
  readonly stats: NetworkStats = { sent: 0, dropped: 0, partitioned: 0, duplicated: 0, delayed: 0 };

  constructor(
    private readonly faults: NetworkFaults,
    private readonly prng: Prng,
    private readonly latency: LatencyParams = HEALTHY_LATENCY,
  ) {}

  /** Whether `from` and `to` are on opposite sides of a partition at `nowMs`. */
  isCut(from: NodeIndex, to: NodeIndex, nowMs: number): boolean {
    if (from === to) return false;
    for (const partition of this.faults.partitions) {
      if (nowMs < partition.startMs || nowMs >= partition.endMs) continue;
      const groupOf = (node: NodeIndex) => partition.groups.findIndex((g) => g.includes(node));
      const a = groupOf(from);
      if (a === -1 || a !== groupOf(to)) return true;
    }
    return false;
  }

  /** The time at which every network fault (including partitions) has healed. */
  get healedAtMs(): number {
    return Math.max(this.faults.faultsEndMs, ...this.faults.partitions.map((p) => p.endMs));
  }

  /**
   * Delivery delays for one message sent at `nowMs`: [] = lost, [d] = delivered after d ms,
   * [d1, d2] = duplicated. A node's message to itself always arrives, after 0 ms.
   */
  plan(from: NodeIndex, to: NodeIndex, nowMs: number): number[] {
    this.stats.sent++;
    if (from === to) return [0];
    if (this.isCut(from, to, nowMs)) {
      this.stats.partitioned++;
      return [];
    }
    const faulty = nowMs < this.faults.faultsEndMs;
    if (faulty && this.prng.chance(this.faults.dropProbability)) {
      this.stats.dropped++;
      return [];
    }
    const copies = faulty && this.prng.chance(this.faults.duplicateProbability) ? 2 : 1;
    if (copies === 2) this.stats.duplicated++;
    const delays: number[] = [];
    for (let i = 0; i < copies; i++) delays.push(this.delay(faulty));
    return delays;
  }

  /** A healthy one-way delay (clients, sync replies): latency only, no fault. */
  healthyDelay(): number {
    return this.prng.int(this.latency.latencyMinMs, this.latency.latencyMaxMs);
  }

  private delay(faulty: boolean): number {
    let delayMs = this.prng.int(this.latency.latencyMinMs, this.latency.latencyMaxMs);
    if (!faulty) return delayMs;
    if (this.faults.reorderJitterMaxMs > 0) {
      delayMs += this.prng.int(0, this.faults.reorderJitterMaxMs);
    }
    if (this.faults.delaySlowMaxMs > 0 && this.prng.chance(this.faults.delaySlowProbability)) {
      this.stats.delayed++;
      delayMs += this.prng.int(0, this.faults.delaySlowMaxMs);
    }
    return delayMs;
  }
}
