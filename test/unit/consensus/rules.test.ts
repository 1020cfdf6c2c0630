// Algorithm 1, rule by rule: each test is a table of inputs and exactly the effects each must
// produce (in the style of Malachite's core-driver tests). Signatures are fake: the engine
// never verifies them (the driver does before a message becomes an input); see support.ts.
//
// Setup unless said otherwise: 4 validators of power 1 (2f+1 = 3 votes, f+1 = 2). With equal
// powers the proposer of (height 1, round r) is v(r mod 4). This node is v3: it proposes only
// in round 3, so rounds 0-2 test the non-proposer's path.

import { describe, expect, test } from 'vitest';
import { engineStatus } from '../../../src/lib/consensus/engine';
import { inputs as i, makeBlock, makeNet, proposerIndex, Script, type Net } from './support';

const SELF = 3;

function setup(): {
  net: Net;
  s: Script;
  A: ReturnType<typeof makeBlock>;
  B: ReturnType<typeof makeBlock>;
} {
  const net = makeNet([1, 1, 1, 1]);
  const s = new Script(net);
  const A = makeBlock(net, 1, 'A');
  const B = makeBlock(net, 1, 'B');
  return { net, s, A, B };
}

test('the setup matches the comments: v(r mod 4) proposes round r of height 1', () => {
  const { net } = setup();
  expect([0, 1, 2, 3, 4].map((r) => proposerIndex(net, 1, r))).toEqual([0, 1, 2, 3, 0]);
});

describe('L22: proposal with polRound -1 while step = propose', () => {
  test('valid proposal -> prevote for it (after validate-block / block-validity)', () => {
    const { net, s, A } = setup();
    s.feed(i.start(net, 1, SELF));
    s.runTable([
      { input: i.proposal(net, 1, 0, A), effects: ['validate-block r0 A'] },
      { input: i.valid(1, 0, A), effects: ['sign-vote prevote r0 A'] },
      { input: (x) => x.signLastVote(), effects: ['broadcast-vote prevote r0 A v3'] },
    ]);
    expect(engineStatus(s.state).step).toBe('prevote');
  });

  test('invalid proposal -> prevote nil', () => {
    const { net, s, A } = setup();
    s.feed(i.start(net, 1, SELF));
    s.runTable([
      { input: i.proposal(net, 1, 0, A), effects: ['validate-block r0 A'] },
      { input: i.valid(1, 0, A, false), effects: ['sign-vote prevote r0 nil'] },
    ]);
  });

  test('proposal from a validator that is not the proposer of the round is dropped', () => {
    const { net, s, A } = setup();
    s.feed(i.start(net, 1, SELF));
    const forged = { ...i.proposal(net, 1, 0, A) } as Extract<
      ReturnType<typeof i.proposal>,
      { type: 'proposal' }
    >;
    forged.proposal = { ...forged.proposal, proposer: net.addresses[2]! };
    s.runTable([{ input: forged, effects: ['dropped wrong-proposer'] }]);
  });

  test('a second identical proposal does nothing', () => {
    const { net, s, A } = setup();
    s.feed(i.start(net, 1, SELF));
    s.runTable([
      { input: i.proposal(net, 1, 0, A), effects: ['validate-block r0 A'] },
      { input: i.proposal(net, 1, 0, A), effects: [] },
    ]);
  });
});

/** Drive this node (v3) to lock A in round 0, then move it to round 1 by timeout. */
function lockAInRound0(net: Net, s: Script, A: ReturnType<typeof makeBlock>): void {
  s.runTable([
    { input: i.start(net, 1, SELF), effects: ['schedule-timeout propose r0 1000'] },
    { input: i.proposal(net, 1, 0, A), effects: ['validate-block r0 A'] },
    { input: i.valid(1, 0, A), effects: ['sign-vote prevote r0 A'] },
    { input: (x) => x.signLastVote(), effects: ['broadcast-vote prevote r0 A v3'] },
    { input: i.vote(net, 'prevote', 0, 1, 0, A), effects: [] },
    {
      input: i.vote(net, 'prevote', 1, 1, 0, A),
      effects: ['sign-vote precommit r0 A'],
      note: 'L36: 2f+1 prevotes for A -> lock and precommit A',
    },
    { input: (x) => x.signLastVote(), effects: ['broadcast-vote precommit r0 A v3'] },
    { input: i.vote(net, 'precommit', 0, 1, 0, null), effects: [] },
    {
      input: i.vote(net, 'precommit', 1, 1, 0, null),
      effects: ['schedule-timeout precommit r0 600'],
    },
    { input: i.timeout('precommit', 1, 0), effects: ['schedule-timeout propose r1 1500'] },
  ]);
  expect(engineStatus(s.state)).toMatchObject({ round: 1, lockedRound: 0, validRound: 0 });
}

describe('locking (L22 / L28 conditions, L36 lock)', () => {
  test('locked on A: a new proposal B (polRound -1) gets prevote nil, A gets prevote A', () => {
    const { net, s, A, B } = setup();
    lockAInRound0(net, s, A);
    s.runTable([
      { input: i.proposal(net, 1, 1, B), effects: ['validate-block r1 B'] },
      { input: i.valid(1, 1, B), effects: ['sign-vote prevote r1 nil'], note: 'locked on A' },
    ]);

    const second = setup();
    lockAInRound0(second.net, second.s, second.A);
    second.s.runTable([
      {
        input: i.proposal(second.net, 1, 1, second.A),
        effects: ['sign-vote prevote r1 A'],
        note: 'A already validated; lockedValue = A',
      },
    ]);
  });

  test('L28: a proposal B with a newer proof-of-lock (vr = 1 > lockedRound 0) unlocks', () => {
    const { net, s, A, B } = setup();
    lockAInRound0(net, s, A);
    s.runTable([
      { input: i.timeout('propose', 1, 1), effects: ['sign-vote prevote r1 nil'] },
      { input: i.vote(net, 'prevote', 0, 1, 1, B), effects: [] },
      { input: i.vote(net, 'prevote', 1, 1, 1, B), effects: [] },
      {
        input: i.vote(net, 'prevote', 2, 1, 1, B),
        effects: ['schedule-timeout prevote r1 750'],
        note: 'L34 only: no proposal for B in round 1, so no L36',
      },
      { input: i.timeout('prevote', 1, 1), effects: ['sign-vote precommit r1 nil'] },
      { input: i.vote(net, 'precommit', 0, 1, 1, null), effects: [] },
      { input: i.vote(net, 'precommit', 1, 1, 1, null), effects: [] },
      {
        input: i.vote(net, 'precommit', 2, 1, 1, null),
        effects: ['schedule-timeout precommit r1 900'],
      },
      { input: i.timeout('precommit', 1, 1), effects: ['schedule-timeout propose r2 2000'] },
      { input: i.proposal(net, 1, 2, B, 1), effects: ['validate-block r2 B'] },
      {
        input: i.valid(1, 2, B),
        effects: ['sign-vote prevote r2 B'],
        note: 'L28: 2f+1 prevotes for B in round 1 and lockedRound 0 <= 1',
      },
    ]);
  });

  test('L28: an older proof-of-lock (vr = 0 < lockedRound 1) for another value gets nil', () => {
    const { net, s, A, B } = setup();
    // Round 0: B gets 3 prevotes but this node never sees the proposal; round 1: lock A.
    s.runTable([
      { input: i.start(net, 1, SELF), effects: ['schedule-timeout propose r0 1000'] },
      { input: i.vote(net, 'prevote', 0, 1, 0, B), effects: [] },
      { input: i.vote(net, 'prevote', 1, 1, 0, B), effects: [] },
      { input: i.vote(net, 'prevote', 2, 1, 0, B), effects: [] },
      {
        input: i.timeout('propose', 1, 0),
        effects: ['sign-vote prevote r0 nil', 'schedule-timeout prevote r0 500'],
      },
      { input: i.timeout('prevote', 1, 0), effects: ['sign-vote precommit r0 nil'] },
      { input: i.vote(net, 'precommit', 0, 1, 0, null), effects: [] },
      { input: i.vote(net, 'precommit', 1, 1, 0, null), effects: [] },
      {
        input: i.vote(net, 'precommit', 2, 1, 0, null),
        effects: ['schedule-timeout precommit r0 600'],
      },
      { input: i.timeout('precommit', 1, 0), effects: ['schedule-timeout propose r1 1500'] },
      { input: i.proposal(net, 1, 1, A), effects: ['validate-block r1 A'] },
      { input: i.valid(1, 1, A), effects: ['sign-vote prevote r1 A'] },
      { input: i.vote(net, 'prevote', 0, 1, 1, A), effects: [] },
      { input: i.vote(net, 'prevote', 1, 1, 1, A), effects: [] },
      { input: i.vote(net, 'prevote', 2, 1, 1, A), effects: ['sign-vote precommit r1 A'] },
      { input: i.vote(net, 'precommit', 0, 1, 1, null), effects: [] },
      { input: i.vote(net, 'precommit', 1, 1, 1, null), effects: [] },
      {
        input: i.vote(net, 'precommit', 2, 1, 1, null),
        effects: ['schedule-timeout precommit r1 900'],
      },
      { input: i.timeout('precommit', 1, 1), effects: ['schedule-timeout propose r2 2000'] },
      { input: i.proposal(net, 1, 2, B, 0), effects: ['validate-block r2 B'] },
      {
        input: i.valid(1, 2, B),
        effects: ['sign-vote prevote r2 nil'],
        note: 'lockedRound 1 > vr 0',
      },
    ]);
    expect(engineStatus(s.state).lockedRound).toBe(1);
  });

  test('L28 waits for the proof-of-lock: no prevote until 2f+1 prevotes of vr arrive', () => {
    const { net, s, A } = setup();
    s.runTable([
      { input: i.start(net, 1, SELF), effects: ['schedule-timeout propose r0 1000'] },
      { input: i.timeout('propose', 1, 0), effects: ['sign-vote prevote r0 nil'] },
      { input: i.vote(net, 'precommit', 0, 1, 1, null), effects: [] },
      {
        input: i.vote(net, 'precommit', 1, 1, 1, null),
        effects: ['schedule-timeout propose r1 1500'],
        note: 'L55: f+1 of round 1',
      },
      { input: i.proposal(net, 1, 1, A, 0), effects: ['validate-block r1 A'] },
      { input: i.valid(1, 1, A), effects: [], note: 'no proof-of-lock for A in round 0 yet' },
      { input: i.vote(net, 'prevote', 0, 1, 0, A), effects: [] },
      { input: i.vote(net, 'prevote', 1, 1, 0, A), effects: [] },
      {
        input: i.vote(net, 'prevote', 2, 1, 0, A),
        effects: ['sign-vote prevote r1 A'],
        note: 'L28',
      },
    ]);
  });

  test('the proposer re-proposes its validValue with polRound = validRound (L16)', () => {
    const { net, s, A } = setup();
    lockAInRound0(net, s, A);
    s.runTable([
      { input: i.timeout('propose', 1, 1), effects: ['sign-vote prevote r1 nil'] },
      { input: i.vote(net, 'precommit', 0, 1, 3, null), effects: [] },
      {
        input: i.vote(net, 'precommit', 1, 1, 3, null),
        effects: ['sign-proposal r3 A pol0', 'schedule-timeout propose r3 2500'],
        note: 'skip to round 3 where v3 proposes: no get-block, the valid value again',
      },
      {
        input: (x) => x.signLastProposal(),
        effects: ['broadcast-proposal r3 A', 'sign-vote prevote r3 A'],
      },
    ]);
  });
});

describe('L34 / L44 / L47: thresholds on any value and on nil', () => {
  test('L34: 2f+1 prevotes for different values schedule timeoutPrevote once', () => {
    const { net, s, A, B } = setup();
    s.feed(i.start(net, 1, SELF));
    s.runTable([
      { input: i.timeout('propose', 1, 0), effects: ['sign-vote prevote r0 nil'] },
      { input: i.vote(net, 'prevote', 0, 1, 0, A), effects: [] },
      { input: i.vote(net, 'prevote', 1, 1, 0, B), effects: [] },
      {
        input: i.vote(net, 'prevote', 2, 1, 0, null),
        effects: ['schedule-timeout prevote r0 500'],
      },
      {
        input: (x) => x.signLastVote(),
        effects: ['broadcast-vote prevote r0 nil v3'],
        note: 'once per round',
      },
      { input: i.timeout('prevote', 1, 0), effects: ['sign-vote precommit r0 nil'], note: 'L61' },
      { input: i.timeout('prevote', 1, 0), effects: [], note: 'step is precommit now' },
    ]);
  });

  test('L44: 2f+1 prevotes for nil -> precommit nil', () => {
    const { net, s } = setup();
    s.feed(i.start(net, 1, SELF));
    s.runTable([
      { input: i.timeout('propose', 1, 0), effects: ['sign-vote prevote r0 nil'], note: 'L57' },
      { input: i.vote(net, 'prevote', 0, 1, 0, null), effects: [] },
      { input: i.vote(net, 'prevote', 1, 1, 0, null), effects: [] },
      { input: i.vote(net, 'prevote', 2, 1, 0, null), effects: ['sign-vote precommit r0 nil'] },
    ]);
  });

  test('L47: 2f+1 precommits for anything schedule timeoutPrecommit once; L65 starts the next round', () => {
    const { net, s, A } = setup();
    s.feed(i.start(net, 1, SELF));
    s.runTable([
      { input: i.vote(net, 'precommit', 0, 1, 0, A), effects: [] },
      { input: i.vote(net, 'precommit', 1, 1, 0, null), effects: [] },
      {
        input: i.vote(net, 'precommit', 2, 1, 0, null),
        effects: ['schedule-timeout precommit r0 600'],
      },
      { input: i.vote(net, 'prevote', 2, 1, 0, null), effects: [], note: 'no second L47' },
      { input: i.timeout('precommit', 1, 1), effects: [], note: 'stale: not our round' },
      {
        input: i.timeout('precommit', 1, 0),
        effects: ['schedule-timeout propose r1 1500'],
        note: 'L65',
      },
      { input: i.vote(net, 'precommit', 0, 1, 1, null), effects: [] },
      { input: i.vote(net, 'precommit', 1, 1, 1, null), effects: [] },
      {
        input: i.vote(net, 'precommit', 2, 1, 1, null),
        effects: ['schedule-timeout precommit r1 900'],
        note: 'fires again in the next round',
      },
    ]);
  });
});

describe('L36: 2f+1 prevotes for the proposal', () => {
  test('while step = precommit only validValue/validRound change (no lock, no vote)', () => {
    const { net, s, A } = setup();
    s.feed(i.start(net, 1, SELF));
    s.runTable([
      { input: i.proposal(net, 1, 0, A), effects: ['validate-block r0 A'] },
      {
        input: i.timeout('propose', 1, 0),
        effects: ['sign-vote prevote r0 nil'],
        note: 'verdict too slow',
      },
      { input: (x) => x.signLastVote(), effects: ['broadcast-vote prevote r0 nil v3'] },
      { input: i.valid(1, 0, A), effects: [] },
      { input: i.vote(net, 'prevote', 0, 1, 0, A), effects: [] },
      { input: i.vote(net, 'prevote', 1, 1, 0, A), effects: ['schedule-timeout prevote r0 500'] },
      { input: i.timeout('prevote', 1, 0), effects: ['sign-vote precommit r0 nil'], note: 'L61' },
      { input: i.vote(net, 'prevote', 2, 1, 0, A), effects: [], note: 'L36 with step = precommit' },
    ]);
    expect(engineStatus(s.state)).toMatchObject({
      step: 'precommit',
      lockedRound: -1,
      validRound: 0,
    });
  });

  test('L36 waits for the validity verdict, then locks', () => {
    const { net, s, A } = setup();
    s.feed(i.start(net, 1, SELF));
    s.runTable([
      { input: i.timeout('propose', 1, 0), effects: ['sign-vote prevote r0 nil'] },
      { input: i.proposal(net, 1, 0, A), effects: ['validate-block r0 A'] },
      { input: i.vote(net, 'prevote', 0, 1, 0, A), effects: [] },
      { input: i.vote(net, 'prevote', 1, 1, 0, A), effects: [] },
      { input: i.vote(net, 'prevote', 2, 1, 0, A), effects: ['schedule-timeout prevote r0 500'] },
      { input: i.valid(1, 0, A), effects: ['sign-vote precommit r0 A'], note: 'L36' },
    ]);
    expect(engineStatus(s.state)).toMatchObject({ lockedRound: 0, validRound: 0 });
  });
});

describe('L49: decide', () => {
  test('2f+1 precommits for the proposal decide, with a Commit of every precommit', () => {
    const { net, s, A } = setup();
    s.feed(i.start(net, 1, SELF));
    s.runTable([
      { input: i.proposal(net, 1, 0, A), effects: ['validate-block r0 A'] },
      { input: i.valid(1, 0, A), effects: ['sign-vote prevote r0 A'] },
      { input: i.vote(net, 'precommit', 0, 1, 0, A), effects: [] },
      { input: i.vote(net, 'precommit', 2, 1, 0, null), effects: [] },
      {
        input: i.vote(net, 'precommit', 1, 1, 0, A),
        effects: ['schedule-timeout precommit r0 600'],
      },
      { input: i.vote(net, 'precommit', 3, 1, 0, A), effects: ['decide A r0'] },
      { input: i.timeout('precommit', 1, 0), effects: [], note: 'decided: timers are stale' },
    ]);
    const decide = s.last('decide');
    expect(decide.commit.signatures.map((sig) => sig.kind)).toEqual([
      'commit',
      'commit',
      'nil',
      'commit',
    ]);
    expect(decide.commit).toMatchObject({ height: 1, round: 0 });
    expect(engineStatus(s.state)).toMatchObject({ decided: true, step: 'commit' });
  });

  test('decides in an earlier round while in a later one, and counts a vote for another block as absent', () => {
    const { net, s, A, B } = setup();
    s.feed(i.start(net, 1, SELF));
    s.runTable([
      { input: i.vote(net, 'prevote', 0, 1, 2, null), effects: [] },
      {
        input: i.vote(net, 'prevote', 1, 1, 2, null),
        effects: ['schedule-timeout propose r2 2000'],
        note: 'L55',
      },
      {
        input: i.proposal(net, 1, 1, A),
        effects: [],
        note: 'round 1 is past: kept, not validated yet',
      },
      { input: i.vote(net, 'precommit', 0, 1, 1, A), effects: [] },
      { input: i.vote(net, 'precommit', 1, 1, 1, A), effects: [] },
      { input: i.vote(net, 'precommit', 3, 1, 1, B), effects: [] },
      {
        input: i.vote(net, 'precommit', 2, 1, 1, A),
        effects: ['validate-block r1 A'],
        note: 'L49 needs valid(v): ask',
      },
      { input: i.valid(1, 1, A), effects: ['decide A r1'] },
    ]);
    expect(s.last('decide').commit.signatures.map((sig) => sig.kind)).toEqual([
      'commit',
      'commit',
      'commit',
      'absent',
    ]);
  });

  test('no decision without the block; an invalid block is never decided', () => {
    const { net, s, A } = setup();
    s.feed(i.start(net, 1, SELF));
    s.runTable([
      { input: i.vote(net, 'precommit', 0, 1, 0, A), effects: [] },
      { input: i.vote(net, 'precommit', 1, 1, 0, A), effects: [] },
      {
        input: i.vote(net, 'precommit', 2, 1, 0, A),
        effects: ['schedule-timeout precommit r0 600'],
      },
      { input: i.proposal(net, 1, 0, A), effects: ['validate-block r0 A'] },
      {
        input: i.valid(1, 0, A, false),
        effects: ['sign-vote prevote r0 nil'],
        note: 'L22 with invalid A',
      },
    ]);
    expect(engineStatus(s.state).decided).toBe(false);
  });
});

describe('L55: round skip on f+1 of a higher round', () => {
  test('one validator is not enough; a second validator of the round is; its two votes count once', () => {
    const { net, s } = setup();
    s.feed(i.start(net, 1, SELF));
    s.runTable([
      { input: i.vote(net, 'prevote', 0, 1, 2, null), effects: [] },
      {
        input: i.vote(net, 'precommit', 0, 1, 2, null),
        effects: [],
        note: 'same sender: still 1/4',
      },
      {
        input: i.vote(net, 'precommit', 1, 1, 2, null),
        effects: ['schedule-timeout propose r2 2000'],
        note: '2/4 > 1/3: StartRound(2)',
      },
    ]);
    expect(engineStatus(s.state).round).toBe(2);
  });

  test('skipping into a round where we propose asks for a block', () => {
    const { net, s } = setup();
    s.feed(i.start(net, 1, SELF));
    s.runTable([
      { input: i.vote(net, 'prevote', 0, 1, 3, null), effects: [] },
      {
        input: i.vote(net, 'prevote', 1, 1, 3, null),
        effects: ['get-block r3', 'schedule-timeout propose r3 2500'],
      },
    ]);
  });
});

describe('L57 / L61 / L65: timeouts', () => {
  test('each timeout acts only in its own (height, round, step)', () => {
    const { net, s } = setup();
    s.feed(i.start(net, 1, SELF));
    s.runTable([
      { input: i.timeout('prevote', 1, 0), effects: [], note: 'step is propose' },
      { input: i.timeout('propose', 2, 0), effects: [], note: 'other height' },
      { input: i.timeout('propose', 1, 0), effects: ['sign-vote prevote r0 nil'], note: 'L57' },
      { input: i.timeout('propose', 1, 0), effects: [], note: 'step is prevote now' },
      { input: i.timeout('prevote', 1, 0), effects: ['sign-vote precommit r0 nil'], note: 'L61' },
      {
        input: i.timeout('precommit', 1, 0),
        effects: ['schedule-timeout propose r1 1500'],
        note: 'L65',
      },
      { input: i.timeout('precommit', 1, 0), effects: [], note: 'round 0 is over' },
    ]);
  });

  test('timeouts grow with the round: init + round * delta', () => {
    const { net, s, A } = setup();
    s.feed(i.start(net, 1, SELF));
    s.runTable([
      { input: i.vote(net, 'prevote', 0, 1, 6, null), effects: [] },
      {
        input: i.vote(net, 'prevote', 1, 1, 6, null),
        effects: ['schedule-timeout propose r6 4000'],
      },
      { input: i.timeout('propose', 1, 6), effects: ['sign-vote prevote r6 nil'] },
      { input: i.vote(net, 'prevote', 2, 1, 6, A), effects: ['schedule-timeout prevote r6 2000'] },
      { input: i.vote(net, 'precommit', 0, 1, 6, null), effects: [] },
      { input: i.vote(net, 'precommit', 1, 1, 6, null), effects: [] },
      {
        input: i.vote(net, 'precommit', 2, 1, 6, null),
        effects: ['schedule-timeout precommit r6 2400'],
      },
    ]);
  });
});
