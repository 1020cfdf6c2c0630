// The vote keeper and the engine's message admission: duplicates, equivocation evidence,
// voting-power thresholds, future-round and future-height buffering with their limits.
// Signatures are fake: the engine never verifies them (the driver does); see support.ts.

import { describe, expect, test } from 'vitest';
import { engineStatus } from '../../../src/lib/consensus/engine';
import {
  EQUIVOCATION_VALUES_MAX,
  FUTURE_HEIGHT_MESSAGES_MAX,
  FUTURE_ROUNDS_MAX,
} from '../../../src/lib/consensus/params';
import {
  addVote,
  createVoteKeeper,
  hasQuorumAny,
  hasQuorumFor,
  hasSkipQuorum,
  isOneThird,
  isQuorum,
  valueKey,
} from '../../../src/lib/consensus/vote-keeper';
import type { Input } from '../../../src/lib/consensus/types';
import {
  CHAIN,
  FAKE_SIGNATURE,
  hashOf,
  inputs as i,
  makeBlock,
  makeNet,
  Script,
  vote,
} from './support';

describe('thresholds by voting power, exact integers', () => {
  test.each([
    // power, total, 2f+1?, f+1?
    [3, 4, true, true],
    [2, 4, false, true],
    [1, 4, false, false],
    [2, 3, false, true], // exactly 2/3 is not more than 2/3
    [1, 3, false, false],
    [67, 100, true, true],
    [66, 100, false, true],
    [34, 100, false, true],
    [33, 100, false, false],
    [2 ** 50, 3 * 2 ** 49, false, true], // exactly 2/3 at TOTAL_POWER_MAX scale
    [2 ** 50, 3 * 2 ** 49 - 1, true, true],
  ])('power %d of %d: 2f+1 %s, f+1 %s', (power, total, quorum, third) => {
    expect(isQuorum(power, total)).toBe(quorum);
    expect(isOneThird(power, total)).toBe(third);
  });

  test('one heavy validator can hold 2f+1 alone; many light ones cannot', () => {
    const net = makeNet([7, 1, 1, 1]); // total 10
    const heavy = net.set.validators.findIndex((v) => v.power === 7);
    const light = net.set.validators.map((_, j) => j).filter((j) => j !== heavy);
    const A = makeBlock(net, 1, 'A');
    const keeper = createVoteKeeper(net.set);
    for (const j of light) addVote(keeper, vote(net, 'prevote', j, 1, 0, A));
    expect(hasQuorumFor(keeper, 0, 'prevote', valueKey(hashOf(A)))).toBe(false);
    expect(hasQuorumAny(keeper, 0, 'prevote')).toBe(false);
    expect(hasSkipQuorum(keeper, 0)).toBe(false); // 3 of 10 is not > 1/3
    addVote(keeper, vote(net, 'precommit', heavy, 1, 0, null));
    expect(hasSkipQuorum(keeper, 0)).toBe(true);
    expect(hasQuorumFor(keeper, 0, 'precommit', 'nil')).toBe(true);
  });
});

describe('duplicates and equivocation', () => {
  test('the identical vote again is ignored and counted once', () => {
    const net = makeNet([1, 1, 1, 1]);
    const A = makeBlock(net, 1, 'A');
    const keeper = createVoteKeeper(net.set);
    expect(addVote(keeper, vote(net, 'prevote', 0, 1, 0, A)).outcome).toBe('added');
    // Same value, re-signed with another timestamp (a rebroadcast after restart): a duplicate.
    expect(addVote(keeper, vote(net, 'prevote', 0, 1, 0, A, 42)).outcome).toBe('duplicate');
    addVote(keeper, vote(net, 'prevote', 1, 1, 0, A));
    expect(keeper.rounds.get(0)?.prevote.powerAny).toBe(2);
  });

  test('a conflicting vote yields evidence with both signed votes, once; its power counts once in any-value tallies', () => {
    const net = makeNet([1, 1, 1, 1]);
    const s = new Script(net);
    const A = makeBlock(net, 1, 'A');
    const B = makeBlock(net, 1, 'B');
    s.feed(i.start(net, 1, 3));
    s.runTable([
      { input: i.vote(net, 'prevote', 0, 1, 0, A), effects: [] },
      { input: i.vote(net, 'prevote', 0, 1, 0, B), effects: ['evidence v0 prevote r0'] },
      {
        input: i.vote(net, 'prevote', 0, 1, 0, null),
        effects: [],
        note: 'evidence once per (round, type)',
      },
      {
        input: i.vote(net, 'prevote', 1, 1, 0, B),
        effects: [],
        note: 'any = v0 + v1 = 2 of 4: the equivocator counts once (3 would fire L34)',
      },
      {
        input: i.vote(net, 'precommit', 0, 1, 0, B),
        effects: [],
        note: 'other type: not a conflict',
      },
      { input: i.vote(net, 'precommit', 0, 1, 0, A), effects: ['evidence v0 precommit r0'] },
    ]);
    const evidence = s.last('evidence').evidence;
    expect(evidence.kind).toBe('duplicate-vote');
    expect(evidence.voteA.blockHash).not.toBeNull();
    expect(evidence.voteA.signature).toEqual(FAKE_SIGNATURE);
    expect(evidence.voteB.signature).toEqual(FAKE_SIGNATURE);
    expect(valueKey(evidence.voteA.blockHash)).not.toBe(valueKey(evidence.voteB.blockHash));
  });
});

describe('equivocation counts per value', () => {
  test("a node that got the other twin's vote first still sees the polka (L36)", () => {
    const net = makeNet([1, 1, 1, 1]);
    const s = new Script(net);
    const A = makeBlock(net, 1, 'A');
    const B = makeBlock(net, 1, 'B');
    s.feed(i.start(net, 1, 3));
    s.runTable([
      { input: i.proposal(net, 1, 0, B), effects: ['validate-block r0 B'] },
      { input: i.valid(1, 0, B), effects: ['sign-vote prevote r0 B'] },
      { input: (x) => x.signLastVote(), effects: ['broadcast-vote prevote r0 B v3'] },
      { input: i.vote(net, 'prevote', 0, 1, 0, A), effects: [], note: 'twin 1 of v0' },
      {
        input: i.vote(net, 'prevote', 0, 1, 0, B),
        effects: ['evidence v0 prevote r0'],
        note: 'twin 2',
      },
      {
        input: i.vote(net, 'prevote', 1, 1, 0, B),
        effects: ['sign-vote precommit r0 B'],
        note: 'B: v0 (second vote) + v1 + v3 = 3',
      },
    ]);
  });

  test("the commit uses an equivocator's precommit for the decided block", () => {
    const net = makeNet([1, 1, 1, 1]);
    const s = new Script(net);
    const A = makeBlock(net, 1, 'A');
    s.feed(i.start(net, 1, 3));
    s.runTable([
      { input: i.proposal(net, 1, 0, A), effects: ['validate-block r0 A'] },
      { input: i.valid(1, 0, A), effects: ['sign-vote prevote r0 A'] },
      { input: i.vote(net, 'precommit', 0, 1, 0, null), effects: [] },
      { input: i.vote(net, 'precommit', 0, 1, 0, A), effects: ['evidence v0 precommit r0'] },
      { input: i.vote(net, 'precommit', 1, 1, 0, A), effects: [] },
      { input: i.vote(net, 'precommit', 2, 1, 0, A), effects: ['decide A r0'] },
    ]);
    expect(s.last('decide').commit.signatures.map((sig) => sig.kind)).toEqual([
      'commit',
      'commit',
      'commit',
      'absent',
    ]);
  });

  test(`at most ${EQUIVOCATION_VALUES_MAX} values per validator are counted`, () => {
    const net = makeNet([1, 1, 1, 1]);
    const keeper = createVoteKeeper(net.set);
    const outcomes = ['A', 'B', 'C', 'D', 'E'].map((label) =>
      addVote(keeper, vote(net, 'prevote', 0, 1, 0, makeBlock(net, 1, label))),
    );
    expect(outcomes.map((o) => o.outcome)).toEqual([
      'added',
      'equivocation',
      'equivocation',
      'equivocation',
      'equivocation',
    ]);
    expect(outcomes.map((o) => (o.outcome === 'equivocation' ? o.counted : null))).toEqual([
      null,
      true,
      true,
      true,
      false,
    ]);
    expect(outcomes.filter((o) => o.outcome === 'equivocation' && o.evidence !== null).length).toBe(
      1,
    );
    expect(keeper.rounds.get(0)?.prevote.powerAny).toBe(1);
  });
});

describe('admission: chain, membership, height, round', () => {
  test('messages from outside the set or chain, and stale or far heights, are dropped', () => {
    const net = makeNet([1, 1, 1, 1]);
    const s = new Script(net);
    const A = makeBlock(net, 2, 'A');
    const stranger = { ...vote(net, 'prevote', 0, 2, 0, A), validator: 'f'.repeat(40) };
    const otherChain = { ...vote(net, 'prevote', 0, 2, 0, A), chainId: 'd'.repeat(64) };
    s.runTable([
      { input: i.vote(net, 'prevote', 0, 1, 0, null), effects: ['dropped not-started'] },
      { input: i.start(net, 2, 3), effects: ['schedule-timeout propose r0 1000'] },
      { input: { type: 'vote', vote: stranger }, effects: ['dropped not-a-validator'] },
      { input: { type: 'vote', vote: otherChain }, effects: ['dropped wrong-chain'] },
      { input: i.vote(net, 'prevote', 0, 1, 0, null), effects: ['dropped stale-height'] },
      { input: i.vote(net, 'prevote', 0, 4, 0, null), effects: ['dropped height-too-far'] },
    ]);
  });

  test(`future rounds up to +${FUTURE_ROUNDS_MAX} are kept and count when reached; beyond are dropped`, () => {
    const net = makeNet([1, 1, 1, 1]);
    const s = new Script(net);
    s.feed(i.start(net, 1, 3));
    const far = FUTURE_ROUNDS_MAX + 1;
    s.runTable([
      { input: i.vote(net, 'prevote', 0, 1, far, null), effects: ['dropped round-too-far'] },
      { input: i.vote(net, 'precommit', 0, 1, 5, null), effects: [] },
      {
        input: i.vote(net, 'precommit', 1, 1, 5, null),
        effects: ['schedule-timeout propose r5 3500'],
      },
      {
        input: i.vote(net, 'precommit', 2, 1, 5, null),
        effects: ['schedule-timeout precommit r5 2100'],
        note: 'the buffered round-5 votes count: L47',
      },
    ]);
    expect(engineStatus(s.state).round).toBe(5);
  });
});

describe('height + 1 buffering', () => {
  test('messages for the next height are buffered and replayed on start-height', () => {
    const net = makeNet([1, 1, 1, 1]);
    const s = new Script(net);
    const A1 = makeBlock(net, 1, 'A');
    const B2 = makeBlock(net, 2, 'B');
    s.feed(i.start(net, 1, 3));
    // Height 2, round 0: proposer is v1; this node is v3.
    s.runTable([
      { input: i.proposal(net, 2, 0, B2), effects: [], note: 'buffered' },
      { input: i.vote(net, 'prevote', 0, 2, 0, B2), effects: [] },
      { input: i.vote(net, 'prevote', 1, 2, 0, B2), effects: [] },
      { input: i.vote(net, 'prevote', 1, 2, 0, B2), effects: ['dropped future-height-duplicate'] },
      { input: i.proposal(net, 1, 0, A1), effects: ['validate-block r0 A'] },
      { input: i.valid(1, 0, A1), effects: ['sign-vote prevote r0 A'] },
      { input: i.vote(net, 'precommit', 0, 1, 0, A1), effects: [] },
      { input: i.vote(net, 'precommit', 1, 1, 0, A1), effects: [] },
      {
        input: i.vote(net, 'precommit', 2, 1, 0, A1),
        effects: ['decide A r0'],
      },
      {
        input: i.start(net, 2, 3),
        effects: ['schedule-timeout propose r0 1000', 'validate-block r0 B'],
        note: 'the buffered proposal is replayed',
      },
      { input: i.valid(2, 0, B2), effects: ['sign-vote prevote r0 B'] },
      {
        input: i.vote(net, 'prevote', 2, 2, 0, B2),
        effects: ['sign-vote precommit r0 B'],
        note: 'buffered prevotes counted',
      },
    ]);
  });

  test(`at most ${FUTURE_HEIGHT_MESSAGES_MAX} are kept (drop newest), rounds beyond +${FUTURE_ROUNDS_MAX} refused`, () => {
    const net = makeNet([1, 1, 1, 1]);
    const s = new Script(net);
    s.feed(i.start(net, 1, 3));
    let dropped = 0;
    for (let n = 0; n < FUTURE_HEIGHT_MESSAGES_MAX + 5; n++) {
      // Senders the engine cannot check yet (height 2's set is unknown): only the cap protects.
      const input: Input = {
        type: 'vote',
        vote: {
          chainId: CHAIN,
          height: 2,
          round: 0,
          type: 'prevote',
          blockHash: null,
          timestamp: 0,
          validator: n.toString(16).padStart(40, '0'),
          signature: FAKE_SIGNATURE,
        },
      };
      const effects = s.feed(input);
      if (effects.length > 0) {
        expect(effects).toEqual(['dropped future-height-buffer-full']);
        dropped++;
      }
    }
    expect(dropped).toBe(5);
    expect(s.feed(i.vote(net, 'prevote', 0, 2, FUTURE_ROUNDS_MAX + 1, null))).toEqual([
      'dropped round-too-far',
    ]);
    expect(s.state.futureHeight.messages.length).toBe(FUTURE_HEIGHT_MESSAGES_MAX);
  });
});
