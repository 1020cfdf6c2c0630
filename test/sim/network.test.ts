import { describe, expect, it } from 'vitest';
import { HEALTHY_LATENCY, noNetworkFaults, SimNetwork, type NetworkFaults } from './network';
import { Prng } from './prng';

function network(faults: Partial<NetworkFaults>, seed = 1): SimNetwork {
  return new SimNetwork({ ...noNetworkFaults(), ...faults }, new Prng(seed));
}

describe('SimNetwork fault model', () => {
  it('delivers exactly one copy within healthy latency when there are no faults', () => {
    const net = network({});
    for (let i = 0; i < 500; i++) {
      const delays = net.plan(0, 1, i);
      expect(delays).toHaveLength(1);
      expect(delays[0]).toBeGreaterThanOrEqual(HEALTHY_LATENCY.latencyMinMs);
      expect(delays[0]).toBeLessThanOrEqual(HEALTHY_LATENCY.latencyMaxMs);
    }
  });

  it('drops and duplicates at about the configured rates, only inside the fault window', () => {
    const net = network({ faultsEndMs: 1_000, dropProbability: 0.3, duplicateProbability: 0.2 });
    let lost = 0;
    let doubled = 0;
    const sends = 10_000;
    for (let i = 0; i < sends; i++) {
      const copies = net.plan(0, 1, 500).length;
      if (copies === 0) lost++;
      if (copies === 2) doubled++;
    }
    expect(lost / sends).toBeGreaterThan(0.27);
    expect(lost / sends).toBeLessThan(0.33);
    // Duplication applies to the messages that were not dropped.
    expect(doubled / (sends - lost)).toBeGreaterThan(0.17);
    expect(doubled / (sends - lost)).toBeLessThan(0.23);
    for (let i = 0; i < 1_000; i++) expect(net.plan(0, 1, 1_000)).toHaveLength(1);
  });

  it('reorders: jitter lets a later message overtake an earlier one', () => {
    const net = network({ faultsEndMs: 10_000, reorderJitterMaxMs: 200 });
    let overtaken = 0;
    for (let i = 0; i < 200; i++) {
      const first = i + (net.plan(0, 1, i)[0] as number);
      const second = i + 1 + (net.plan(0, 1, i + 1)[0] as number);
      if (second < first) overtaken++;
    }
    expect(overtaken).toBeGreaterThan(0);
  });

  it('holds back some messages for long delays', () => {
    const net = network({ faultsEndMs: 10_000, delaySlowProbability: 0.5, delaySlowMaxMs: 2_000 });
    const delays = Array.from({ length: 500 }, () => net.plan(0, 1, 0)[0] as number);
    expect(Math.max(...delays)).toBeGreaterThan(1_000);
    expect(Math.max(...delays)).toBeLessThanOrEqual(HEALTHY_LATENCY.latencyMaxMs + 2_000);
  });

  it('cuts links across a partition until it heals, never within a group', () => {
    const net = network({
      faultsEndMs: 0,
      partitions: [
        {
          startMs: 100,
          endMs: 300,
          groups: [
            [0, 1],
            [2, 3],
          ],
        },
      ],
    });
    expect(net.plan(0, 2, 50)).toHaveLength(1);
    expect(net.plan(0, 2, 100)).toHaveLength(0);
    expect(net.plan(3, 1, 299)).toHaveLength(0);
    expect(net.plan(0, 1, 200)).toHaveLength(1);
    expect(net.plan(2, 3, 200)).toHaveLength(1);
    expect(net.plan(0, 2, 300)).toHaveLength(1);
    expect(net.healedAtMs).toBe(300);
  });

  it('isolates a node that is in no group and always delivers to itself', () => {
    const net = network({ partitions: [{ startMs: 0, endMs: 100, groups: [[0, 1]] }] });
    expect(net.plan(4, 0, 10)).toHaveLength(0);
    expect(net.plan(4, 4, 10)).toEqual([0]);
  });

  it('is deterministic for a seed', () => {
    const faults = { faultsEndMs: 1_000, dropProbability: 0.2, reorderJitterMaxMs: 50 };
    const a = network(faults, 5);
    const b = network(faults, 5);
    for (let i = 0; i < 100; i++) expect(a.plan(0, 1, i)).toEqual(b.plan(0, 1, i));
  });
});
