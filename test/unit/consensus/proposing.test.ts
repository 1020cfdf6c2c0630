// The proposer's path and the engine's own messages: get-block / block-to-propose, signing
// round trips, single-validator commit, waiting for work and the heartbeat, vote
// re-broadcast, and observers. Signatures are fake: the engine never verifies them (the driver
// does); see support.ts.

import { describe, expect, test } from 'vitest';
import { engineStatus } from '../../../src/lib/consensus/engine';
import { inputs as i, makeBlock, makeNet, Script, TEST_TIMEOUTS } from './support';

describe('single validator', () => {
  test('commits alone: its own votes reach 2f+1 at once, no timeouts involved', () => {
    const net = makeNet([5]);
    const s = new Script(net);
    const A = makeBlock(net, 1, 'A');
    s.runTable([
      { input: i.start(net, 1, 0), effects: ['get-block r0', 'schedule-timeout propose r0 1000'] },
      {
        input: { type: 'block-to-propose', height: 1, round: 0, block: A },
        effects: ['sign-proposal r0 A pol-1'],
      },
      {
        input: (x) => x.signLastProposal(),
        effects: ['broadcast-proposal r0 A', 'sign-vote prevote r0 A'],
        note: 'own block: valid by construction, no validate-block',
      },
      {
        input: (x) => x.signLastVote(),
        effects: ['broadcast-vote prevote r0 A v0', 'sign-vote precommit r0 A'],
      },
      {
        input: (x) => x.signLastVote(),
        effects: ['broadcast-vote precommit r0 A v0', 'decide A r0'],
      },
    ]);
    const decide = s.last('decide');
    expect(decide.block).toBe(A);
    expect(decide.commit.signatures).toEqual([
      { kind: 'commit', timestamp: 1_700_000_000_999, signature: expect.any(Uint8Array) },
    ]);
  });

  test('consecutive heights', () => {
    const net = makeNet([5]);
    const s = new Script(net);
    for (let height = 1; height <= 3; height++) {
      const block = makeBlock(net, height, 'A');
      s.feed(i.start(net, height, 0));
      s.feed({ type: 'block-to-propose', height, round: 0, block });
      s.signLastProposal();
      s.signLastVote();
      expect(s.signLastVote()).toContain('decide A r0');
    }
  });

  test('with nothing to do it waits for work; the heartbeat proposes an empty block', () => {
    const net = makeNet([5]);
    const s = new Script(net);
    s.runTable([
      { input: i.start(net, 1, 0, false), effects: ['schedule-heartbeat h1 30000'] },
      { input: { type: 'heartbeat-due', height: 7 }, effects: [], note: 'stale heartbeat' },
      {
        input: { type: 'heartbeat-due', height: 1 },
        effects: ['get-block r0', 'schedule-timeout propose r0 1000'],
      },
      { input: { type: 'work-available' }, effects: [], note: 'already proposing' },
    ]);
    const t = new Script(net);
    t.runTable([
      { input: i.start(net, 1, 0, false), effects: ['schedule-heartbeat h1 30000'] },
      {
        input: { type: 'work-available' },
        effects: ['get-block r0', 'schedule-timeout propose r0 1000'],
      },
    ]);
    expect(engineStatus(t.state).waitingForWork).toBe(false);
  });

  test('heartbeat 0 = never: no heartbeat is scheduled', () => {
    const net = makeNet([5]);
    const s = new Script(net, { timeouts: { ...TEST_TIMEOUTS, heartbeatMs: 0 } });
    s.runTable([
      { input: i.start(net, 1, 0, false), effects: [] },
      {
        input: { type: 'work-available' },
        effects: ['get-block r0', 'schedule-timeout propose r0 1000'],
      },
    ]);
  });
});

describe('waiting for work with several validators', () => {
  test('a non-proposer starts its propose timeout only when work arrives, but votes on a proposal at once', () => {
    const net = makeNet([1, 1, 1, 1]);
    const A = makeBlock(net, 1, 'A');
    const s = new Script(net);
    s.runTable([
      { input: i.start(net, 1, 3, false), effects: ['schedule-heartbeat h1 30000'] },
      { input: { type: 'work-available' }, effects: ['schedule-timeout propose r0 1000'] },
    ]);
    const t = new Script(net);
    t.runTable([
      { input: i.start(net, 1, 3, false), effects: ['schedule-heartbeat h1 30000'] },
      { input: i.proposal(net, 1, 0, A), effects: ['validate-block r0 A'] },
      { input: i.valid(1, 0, A), effects: ['sign-vote prevote r0 A'] },
    ]);
  });

  test('only round 0 waits: a later round proposes even without work', () => {
    const net = makeNet([1, 1, 1, 1]);
    const s = new Script(net);
    s.runTable([
      { input: i.start(net, 1, 1, false), effects: ['schedule-heartbeat h1 30000'] },
      { input: i.vote(net, 'prevote', 2, 1, 1, null), effects: [] },
      {
        input: i.vote(net, 'prevote', 3, 1, 1, null),
        effects: ['get-block r1', 'schedule-timeout propose r1 1500'],
        note: 'v1 proposes round 1',
      },
    ]);
  });
});

describe('own messages', () => {
  test('a block that arrives after its round is over is not proposed', () => {
    const net = makeNet([1, 1, 1, 1]);
    const A = makeBlock(net, 1, 'A');
    const s = new Script(net);
    s.runTable([
      { input: i.start(net, 1, 0), effects: ['get-block r0', 'schedule-timeout propose r0 1000'] },
      {
        input: i.timeout('propose', 1, 0),
        effects: ['sign-vote prevote r0 nil'],
        note: 'L57: the driver never delivered the block',
      },
      { input: i.vote(net, 'prevote', 1, 1, 1, null), effects: [] },
      {
        input: i.vote(net, 'prevote', 2, 1, 1, null),
        effects: ['schedule-timeout propose r1 1500'],
      },
      {
        input: { type: 'block-to-propose', height: 1, round: 0, block: A },
        effects: ['dropped stale-block-to-propose'],
      },
    ]);
  });

  test('a signed vote the engine did not ask for is dropped', () => {
    const net = makeNet([1, 1, 1, 1]);
    const s = new Script(net);
    s.feed(i.start(net, 1, 3));
    const forged = i.vote(net, 'prevote', 3, 1, 0, null);
    if (forged.type !== 'vote') throw new Error('unreachable');
    expect(s.feed({ type: 'vote-signed', vote: forged.vote })).toEqual([
      'dropped unexpected-signed-vote',
    ]);
  });

  test('rebroadcast re-emits the latest signed prevote and precommit of the height, then re-schedules', () => {
    const net = makeNet([1, 1, 1, 1]);
    const s = new Script(net, { timeouts: { ...TEST_TIMEOUTS, rebroadcastMs: 2000 } });
    s.runTable([
      {
        input: i.start(net, 1, 3),
        effects: ['schedule-rebroadcast h1 2000', 'schedule-timeout propose r0 1000'],
      },
      { input: { type: 'rebroadcast-due', height: 1 }, effects: ['schedule-rebroadcast h1 2000'] },
      { input: i.timeout('propose', 1, 0), effects: ['sign-vote prevote r0 nil'] },
      { input: (x) => x.signLastVote(), effects: ['broadcast-vote prevote r0 nil v3'] },
      { input: i.vote(net, 'prevote', 0, 1, 0, null), effects: [] },
      { input: i.vote(net, 'prevote', 1, 1, 0, null), effects: ['sign-vote precommit r0 nil'] },
      { input: (x) => x.signLastVote(), effects: ['broadcast-vote precommit r0 nil v3'] },
      {
        input: { type: 'rebroadcast-due', height: 1 },
        effects: [
          'broadcast-vote prevote r0 nil v3',
          'broadcast-vote precommit r0 nil v3',
          'schedule-rebroadcast h1 2000',
        ],
      },
      { input: { type: 'rebroadcast-due', height: 0 }, effects: [], note: 'stale timer' },
    ]);
  });
  test('after deciding, the next height also re-broadcasts our precommit for the decided block', () => {
    const net = makeNet([5]);
    const A = makeBlock(net, 1, 'A');
    const s = new Script(net, { timeouts: { ...TEST_TIMEOUTS, rebroadcastMs: 2000 } });
    s.feed(i.start(net, 1, 0));
    s.feed({ type: 'block-to-propose', height: 1, round: 0, block: A });
    s.signLastProposal();
    s.signLastVote();
    expect(s.signLastVote()).toContain('decide A r0');
    s.runTable([
      {
        input: i.start(net, 2, 0, false),
        effects: ['schedule-rebroadcast h2 2000', 'schedule-heartbeat h2 30000'],
      },
      {
        input: { type: 'rebroadcast-due', height: 2 },
        effects: ['broadcast-vote precommit r0 A v0', 'schedule-rebroadcast h2 2000'],
        note: "height 1's precommit, for peers still deciding it",
      },
    ]);
    expect(s.last('broadcast-vote').vote.height).toBe(1);
  });
});

describe('observers', () => {
  test('an observer validates, follows the rounds and decides, but never signs', () => {
    const net = makeNet([1, 1, 1, 1]);
    const A = makeBlock(net, 1, 'A');
    const s = new Script(net, { timeouts: { ...TEST_TIMEOUTS, rebroadcastMs: 2000 } });
    s.runTable([
      { input: i.start(net, 1, null), effects: ['schedule-timeout propose r0 1000'] },
      { input: i.proposal(net, 1, 0, A), effects: ['validate-block r0 A'] },
      { input: i.valid(1, 0, A), effects: [] },
      { input: i.vote(net, 'prevote', 0, 1, 0, A), effects: [] },
      { input: i.vote(net, 'prevote', 1, 1, 0, A), effects: [] },
      { input: i.vote(net, 'prevote', 2, 1, 0, A), effects: [] },
      { input: i.vote(net, 'precommit', 0, 1, 0, A), effects: [] },
      { input: i.vote(net, 'precommit', 1, 1, 0, A), effects: [] },
      { input: i.vote(net, 'precommit', 2, 1, 0, A), effects: ['decide A r0'] },
      { input: { type: 'rebroadcast-due', height: 1 }, effects: [] },
    ]);
    expect(engineStatus(s.state).lockedRound).toBe(0);
  });

  test('a self address outside the set is an observer too', () => {
    const net = makeNet([1, 1, 1, 1]);
    const s = new Script(net);
    const effects = s.feed({
      type: 'start-height',
      height: 1,
      validators: net.set,
      self: 'e'.repeat(40),
      hasWork: true,
    });
    expect(effects).toEqual(['schedule-timeout propose r0 1000']);
    expect(s.feed(i.timeout('propose', 1, 0))).toEqual([]);
  });
});

test('the engine state is plain data: structuredClone snapshots it and replays identically', () => {
  const net = makeNet([1, 1, 1, 1]);
  const A = makeBlock(net, 1, 'A');
  const s = new Script(net);
  s.feed(i.start(net, 1, 3));
  s.feed(i.proposal(net, 1, 0, A));
  const snapshot = structuredClone(s.state);
  const first = [s.feed(i.valid(1, 0, A)), s.feed(i.vote(net, 'prevote', 0, 1, 0, A))];
  s.state = snapshot;
  const second = [s.feed(i.valid(1, 0, A)), s.feed(i.vote(net, 'prevote', 0, 1, 0, A))];
  expect(second).toEqual(first);
});
