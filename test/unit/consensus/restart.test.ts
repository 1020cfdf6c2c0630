// A validator that restarts mid-height: it resumes after the last round it signed in and keeps
// its lock (restartPoint -> 'start-height' { round, lock }), so it neither double-signs nor
// prevotes against its own precommit, and a lone validator still decides. Signatures are fake:
// the engine never verifies them (the driver does); see support.ts.

import { describe, expect, test } from 'vitest';
import {
  createEngine,
  EngineAssertionError,
  engineStatus,
  step,
} from '../../../src/lib/consensus/engine';
import { restartPoint } from '../../../src/lib/consensus/signer-guard';
import type { Effect, Input } from '../../../src/lib/consensus/types';
import { toHex } from '../../../src/lib/core/bytes';
import type { Signer } from '../../../src/lib/core/signing';
import type { Block } from '../../../src/lib/core/types';
import { createMemorySignerStateStore } from '../../../src/lib/node/memory-signer-state';
import { createSignerGuard, type SignerGuard } from '../../../src/lib/node/signer-guard';
import {
  CHAIN,
  hashOf,
  inputs as i,
  makeBlock,
  makeNet,
  Script,
  TEST_TIMEOUTS,
  type Net,
} from './support';

describe("'start-height' with a round and a lock", () => {
  test('the restored lock refuses another block and accepts the locked one', () => {
    const net = makeNet([1, 1, 1, 1]);
    const A = makeBlock(net, 1, 'A');
    const B = makeBlock(net, 1, 'B');
    const lock = { round: 1, blockHash: hashOf(A) };
    const s = new Script(net);
    s.runTable([
      {
        input: { ...i.start(net, 1, 3), round: 2, lock } as Input,
        effects: ['schedule-timeout propose r2 2000'],
      },
      { input: i.proposal(net, 1, 2, B), effects: ['validate-block r2 B'] },
      { input: i.valid(1, 2, B), effects: ['sign-vote prevote r2 nil'], note: 'locked on A' },
    ]);
    expect(engineStatus(s.state)).toMatchObject({ round: 2, lockedRound: 1 });

    const t = new Script(net);
    t.runTable([
      {
        input: { ...i.start(net, 1, 3), round: 2, lock } as Input,
        effects: ['schedule-timeout propose r2 2000'],
      },
      { input: i.proposal(net, 1, 2, A), effects: ['validate-block r2 A'] },
      { input: i.valid(1, 2, A), effects: ['sign-vote prevote r2 A'] },
    ]);
  });

  test('a restarted proposer holding its locked block proposes it again (polRound -1)', () => {
    const net = makeNet([1, 1, 1, 1]);
    const A = makeBlock(net, 1, 'A');
    const s = new Script(net);
    s.runTable([
      {
        input: {
          ...i.start(net, 1, 3),
          round: 3,
          lock: { round: 1, blockHash: hashOf(A), block: A },
        } as Input,
        effects: ['sign-proposal r3 A pol-1', 'schedule-timeout propose r3 2500'],
      },
      {
        input: (x) => x.signLastProposal(),
        effects: ['broadcast-proposal r3 A', 'sign-vote prevote r3 A'],
        note: 'L22: lockedValue = A',
      },
    ]);
  });

  test('a lock from a later round than the start round is a driver bug', () => {
    const net = makeNet([1, 1, 1, 1]);
    const A = makeBlock(net, 1, 'A');
    const engine = createEngine({ chainId: CHAIN });
    const input = {
      ...i.start(net, 1, 3),
      round: 1,
      lock: { round: 2, blockHash: hashOf(A) },
    } as Input;
    expect(() => step(engine, input)).toThrow(EngineAssertionError);
  });
});

/** A minimal driver: signs through the guard, answers get-block and validation, logs decisions. */
class Driver {
  engine = createEngine({ chainId: CHAIN, timeouts: TEST_TIMEOUTS });
  readonly decided: Block[] = [];
  readonly refused: string[] = [];
  /** Stop (simulate a crash) right after the guard persisted a precommit for a block. */
  crashAfterPrecommit = false;
  crashed = false;
  private readonly queue: Input[] = [];
  private readonly signer: Signer = {
    publicKey: new Uint8Array(32),
    sign: async () => new Uint8Array(64).fill(7),
  };

  constructor(
    readonly net: Net,
    readonly guard: SignerGuard,
    readonly blockLabel: string,
  ) {}

  async run(first: Input): Promise<void> {
    this.queue.push(first);
    for (let n = 0; n < 1000 && !this.crashed; n++) {
      const input = this.queue.shift();
      if (input === undefined) return;
      const { state, effects } = step(this.engine, input);
      this.engine = state;
      for (const effect of effects) await this.perform(effect);
    }
  }

  private async perform(effect: Effect): Promise<void> {
    if (this.crashed) return;
    switch (effect.type) {
      case 'get-block':
        this.queue.push({
          type: 'block-to-propose',
          height: effect.height,
          round: effect.round,
          block: makeBlock(this.net, effect.height, this.blockLabel),
        });
        return;
      case 'sign-proposal':
        try {
          const proposal = await this.guard.signProposal(effect.proposal, this.signer);
          this.queue.push({ type: 'proposal-signed', proposal, block: effect.block });
        } catch (error) {
          this.refused.push(String(error));
        }
        return;
      case 'sign-vote': {
        const hash = effect.vote.blockHash;
        const block = hash === null ? undefined : this.engine.blocks.get(toHex(hash));
        try {
          const vote = await this.guard.signVote(effect.vote, this.signer, 1, block);
          if (this.crashAfterPrecommit && vote.type === 'precommit' && hash !== null) {
            this.crashed = true;
            return;
          }
          this.queue.push({ type: 'vote-signed', vote });
        } catch (error) {
          this.refused.push(String(error));
        }
        return;
      }
      case 'validate-block':
        this.queue.push({
          type: 'block-validity',
          height: effect.height,
          round: effect.round,
          blockHash: hashOf(effect.block),
          valid: true,
        });
        return;
      case 'decide':
        this.decided.push(effect.block);
        return;
      default:
        return;
    }
  }
}

test('a lone validator that crashed after precommitting A restarts, keeps signing safely and decides A', async () => {
  const net = makeNet([5]);
  const store = createMemorySignerStateStore();
  const start: Input = {
    type: 'start-height',
    height: 1,
    validators: net.set,
    self: net.addresses[0]!,
    hasWork: true,
  };

  const first = new Driver(net, createSignerGuard(store), 'A');
  first.crashAfterPrecommit = true;
  await first.run(start);
  expect(first.crashed).toBe(true);
  expect(first.decided).toEqual([]);
  expect(store.durable).toMatchObject({ height: 1, round: 0, step: 2, lock: { round: 0 } });

  // Restart: a fresh engine and guard over the same durable store. The mempool now would build
  // a different block (B); the lock makes the validator propose and decide A, in round 1.
  const guard = createSignerGuard(store);
  const resume = restartPoint(await guard.last(), 1, true);
  expect(resume.round).toBe(1);
  expect(resume.lock?.block).toBeDefined();
  const second = new Driver(net, guard, 'B');
  await second.run({ ...start, round: resume.round, lock: resume.lock });
  expect(second.refused).toEqual([]);
  expect(second.decided.map((b) => toHex(hashOf(b)))).toEqual([
    toHex(hashOf(makeBlock(net, 1, 'A'))),
  ]);
});

test('without the lock, the same restart would decide a different block than the one precommitted', async () => {
  // Why the lock matters: the restarted engine, unlocked, proposes and decides B although its
  // durable state says it precommitted A. With other validators this is how forks happen.
  const net = makeNet([5]);
  const store = createMemorySignerStateStore();
  const start: Input = {
    type: 'start-height',
    height: 1,
    validators: net.set,
    self: net.addresses[0]!,
    hasWork: true,
  };
  const first = new Driver(net, createSignerGuard(store), 'A');
  first.crashAfterPrecommit = true;
  await first.run(start);
  const guard = createSignerGuard(store);
  const second = new Driver(net, guard, 'B');
  await second.run({ ...start, round: restartPoint(await guard.last(), 1, true).round });
  expect(second.decided.map((b) => toHex(hashOf(b)))).toEqual([
    toHex(hashOf(makeBlock(net, 1, 'B'))),
  ]);
});
