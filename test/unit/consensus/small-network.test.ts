// A few engines wired together in-process (a tiny deterministic network, not the simulator):
// messages are delivered in a seeded random order, timers fire in deadline order when the
// network is idle. Checks that the rules compose: every live node decides the same block at
// every height, with a crashed proposer too. Signatures are fake: the engine never verifies
// them (the driver does); see support.ts.

import { describe, expect, test } from 'vitest';
import { createEngine, step, type EngineState } from '../../../src/lib/consensus/engine';
import type { Effect, Input } from '../../../src/lib/consensus/types';
import { toHex } from '../../../src/lib/core/bytes';
import {
  CHAIN,
  FAKE_SIGNATURE,
  hashOf,
  makeBlock,
  makeNet,
  TEST_TIMEOUTS,
  type Net,
} from './support';

/** xorshift32: a seedable PRNG, so a failing order can be replayed from its seed. */
function prng(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

interface Timer {
  at: number;
  node: number;
  input: Input;
}

function runNetwork(options: {
  net: Net;
  seed: number;
  heights: number;
  crashed: Set<number>;
  /** Probability that one gossip delivery is lost. */
  loss?: number;
}) {
  const { net, seed, heights, crashed } = options;
  const loss = options.loss ?? 0;
  const random = prng(seed);
  const n = net.addresses.length;
  const engines: EngineState[] = [];
  const decided: Array<Map<number, string>> = [];
  const pending: Array<{ node: number; input: Input }> = [];
  const timers: Timer[] = [];
  const evidence: Effect[] = [];
  let now = 0;

  function perform(node: number, effect: Effect): void {
    const local = (input: Input): void => {
      pending.push({ node, input });
    };
    const gossip = (input: Input) => {
      for (let other = 0; other < n; other++) {
        if (other !== node && random() >= loss) pending.push({ node: other, input });
      }
    };
    switch (effect.type) {
      case 'get-block':
        return local({
          type: 'block-to-propose',
          height: effect.height,
          round: effect.round,
          block: makeBlock(net, effect.height, `n${node}r${effect.round}`),
        });
      case 'sign-proposal':
        return local({
          type: 'proposal-signed',
          proposal: { ...effect.proposal, signature: FAKE_SIGNATURE },
          block: effect.block,
        });
      case 'sign-vote':
        return local({
          type: 'vote-signed',
          vote: { ...effect.vote, timestamp: now, signature: FAKE_SIGNATURE },
        });
      case 'broadcast-proposal':
        return gossip({ type: 'proposal', proposal: effect.proposal, block: effect.block });
      case 'broadcast-vote':
        return gossip({ type: 'vote', vote: effect.vote });
      case 'validate-block':
        return local({
          type: 'block-validity',
          height: effect.height,
          round: effect.round,
          blockHash: hashOf(effect.block),
          valid: true,
        });
      case 'schedule-timeout':
        timers.push({
          at: now + effect.durationMs,
          node,
          input: { type: 'timeout', kind: effect.kind, height: effect.height, round: effect.round },
        });
        return;
      case 'schedule-rebroadcast':
        timers.push({
          at: now + effect.durationMs,
          node,
          input: { type: 'rebroadcast-due', height: effect.height },
        });
        return;
      case 'schedule-heartbeat':
        return;
      case 'decide': {
        const height = effect.block.header.height;
        expect(decided[node]!.has(height), `node ${node} decided height ${height} twice`).toBe(
          false,
        );
        decided[node]!.set(height, toHex(hashOf(effect.block)));
        if (height < heights) {
          local({
            type: 'start-height',
            height: height + 1,
            validators: net.set,
            self: net.addresses[node]!,
            hasWork: true,
          });
        }
        return;
      }
      case 'evidence':
        evidence.push(effect);
        return;
      case 'dropped':
        return;
    }
  }

  // Every engine starts height 1 before any message flows (a brand-new engine drops messages).
  for (let node = 0; node < n; node++) {
    decided.push(new Map());
    const start = step(
      createEngine({ chainId: CHAIN, timeouts: { ...TEST_TIMEOUTS, rebroadcastMs: 700 } }),
      {
        type: 'start-height',
        height: 1,
        validators: net.set,
        self: net.addresses[node]!,
        hasWork: true,
      },
    );
    engines.push(start.state);
    if (!crashed.has(node)) for (const effect of start.effects) perform(node, effect);
  }

  const live = [...Array(n).keys()].filter((node) => !crashed.has(node));
  const done = () => live.every((node) => decided[node]!.size === heights);
  for (let deliveries = 0; deliveries < 20_000 && !done(); deliveries++) {
    let next: { node: number; input: Input } | undefined;
    if (pending.length > 0) {
      next = pending.splice(Math.floor(random() * pending.length), 1)[0];
    } else {
      timers.sort((a, b) => a.at - b.at || a.node - b.node);
      const timer = timers.shift();
      if (timer === undefined) break;
      now = Math.max(now, timer.at);
      next = timer;
    }
    if (next === undefined || crashed.has(next.node)) continue;
    const result = step(engines[next.node]!, next.input);
    engines[next.node] = result.state;
    for (const effect of result.effects) perform(next.node, effect);
  }
  return { decided, live, evidence, engines };
}

describe('a small network of engines', () => {
  test.each([1, 2, 3, 4, 5])(
    '4 equal validators, seed %d: all decide the same 4 blocks',
    (seed) => {
      const net = makeNet([1, 1, 1, 1]);
      const { decided, evidence } = runNetwork({ net, seed, heights: 4, crashed: new Set() });
      for (let height = 1; height <= 4; height++) {
        const values = new Set(decided.map((d) => d.get(height)));
        expect(values.size, `height ${height}`).toBe(1);
        expect([...values][0]).toBeDefined();
      }
      expect(evidence).toEqual([]);
    },
  );

  test.each([11, 12, 13])(
    'one of 4 crashed (it proposes some rounds), seed %d: the others still agree',
    (seed) => {
      const net = makeNet([1, 1, 1, 1]);
      const { decided, live } = runNetwork({ net, seed, heights: 4, crashed: new Set([1]) });
      for (let height = 1; height <= 4; height++) {
        const values = new Set(live.map((node) => decided[node]!.get(height)));
        expect(values.size, `height ${height}`).toBe(1);
        expect([...values][0]).toBeDefined();
      }
    },
  );

  test('unequal powers: the heavy validator plus one light one (> 2/3) decide without the rest', () => {
    const net = makeNet([5, 1, 1, 1]); // total 8: 5 + 1 = 6 > 16/3
    const heavy = net.set.validators.findIndex((v) => v.power === 5);
    const crashed = new Set([0, 1, 2, 3].filter((j) => j !== heavy).slice(0, 2));
    const { decided, live } = runNetwork({ net, seed: 7, heights: 3, crashed });
    for (const node of live) expect(decided[node]!.size).toBe(3);
  });

  test.each([21, 22, 23, 24, 25, 26])(
    '20%% of gossip lost, seed %d: never two different blocks at a height',
    (seed) => {
      // Liveness under loss also needs block sync (a node that lost a proposal cannot decide
      // it; the driver fetches decided blocks): this checks safety only.
      const net = makeNet([1, 1, 1, 1]);
      const { decided } = runNetwork({ net, seed, heights: 3, crashed: new Set(), loss: 0.2 });
      for (let height = 1; height <= 3; height++) {
        const values = new Set(decided.map((d) => d.get(height)).filter((v) => v !== undefined));
        expect(values.size, `height ${height}`).toBeLessThanOrEqual(1);
      }
      expect(decided.some((d) => d.size > 0)).toBe(true);
    },
  );
});
