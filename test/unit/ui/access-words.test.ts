// Private and public ledgers in words: what approving a request gives (loud past a third of the
// votes), that a removal is final and makes a new key, this device's standing, and when an ask
// to join is granted (so "waiting for approval" goes away) or hopeless.
import { describe, expect, test } from 'vitest';
import type { AccessStatus, NodeStatus } from '../../../src/lib/node/api';
import {
  approvalGives,
  approvalWarning,
  askGranted,
  askHopeless,
  epochSentence,
  memberRemovalWarning,
  requestsHeadline,
  standingSentence,
  votesLaterSentence,
  waitingSentence,
  writeBlockedSentence,
} from '../../../src/lib/ui/access-words';

function access(standing: AccessStatus['standing']): AccessStatus {
  return { standing, epoch: 0, members: 2, admission: 'any-validator' };
}

describe('a join request', () => {
  test('a member reads and writes, and does not vote', () => {
    expect(approvalGives({ grants: 'member', shareAfter: 0 })).toContain('read and write');
    expect(approvalWarning({ grants: 'member', shareAfter: 0 })).toBeNull();
  });

  test.each([
    [0.25, false],
    [1 / 3, false], // exactly a third: the others still hold two thirds
    [0.4, true],
  ])('a validator with %d of the votes: loud = %s', (shareAfter, loud) => {
    expect(approvalGives({ grants: 'validator', shareAfter })).toContain(
      `${Math.round(shareAfter * 100)}% of all votes`,
    );
    expect(approvalWarning({ grants: 'validator', shareAfter }) !== null).toBe(loud);
  });

  test('asking to vote on a private ledger: let in first, the vote asked after', () => {
    expect(votesLaterSentence({ asks: 'validator', grants: 'member' })).toContain(
      'once it is a member',
    );
    expect(votesLaterSentence({ asks: 'member', grants: 'member' })).toBeNull();
    expect(votesLaterSentence({ asks: 'validator', grants: 'validator' })).toBeNull();
  });

  test('several requests are counted', () => {
    expect(requestsHeadline(1)).toBe('1 device asks to join');
    expect(requestsHeadline(3)).toBe('3 devices ask to join');
  });
});

describe('members', () => {
  test('removing one is final at a block and makes a new key; invites made before stop', () => {
    const text = memberRemovalWarning('Home', false).join(' ');
    expect(text).toContain('final at the block that confirms it');
    expect(text).toContain('new key');
    expect(text).toContain('Invites made before that stop working');
    expect(text).toContain('more than two thirds');
    expect(memberRemovalWarning('Home', true)[0]).toContain('This device leaves “Home” for good');
  });

  test('the epoch: the first key, then how often it changed', () => {
    expect(epochSentence(0)).toContain('first key');
    expect(epochSentence(1)).toContain('changed once');
    expect(epochSentence(3)).toContain('changed 3 times');
    expect(epochSentence(3)).toContain('no longer work: make a new one');
  });
});

describe('this device', () => {
  test('removed at a block, no key, leaving, invited; a member needs no sentence', () => {
    expect(standingSentence('removed', 'Home', 42)?.sentence).toBe(
      'This device was removed from “Home” at block 42; it can no longer read new blocks or write.',
    );
    expect(standingSentence('no-key', 'Home', 42)?.sentence).toContain(
      'it can no longer read new blocks or write',
    );
    expect(standingSentence('leaving', 'Home', 42)?.tone).toBe('warn');
    expect(standingSentence('invited', 'Home', 42)?.tone).toBe('info');
    expect(standingSentence('member', 'Home', 42)).toBeNull();
  });

  const status = (role: NodeStatus['role'], a: AccessStatus | null) => ({ role, access: a });

  test.each([
    // [asked for, role, access, granted]
    ['member', 'observer', access('invited'), false],
    ['member', 'observer', access('member'), true],
    ['member', 'catching-up', access('member'), true],
    ['validator', 'observer', access('member'), false],
    ['validator', 'standby', access('member'), true],
    ['validator', 'observer', null, false],
    ['validator', 'validator', null, true],
  ] as const)('asked %s, %s: granted = %s', (role, nodeRole, a, granted) => {
    expect(askGranted({ role }, status(nodeRole, a))).toBe(granted);
  });

  test('writing: a public ledger or a member may; an invitee not yet; a removed device no more', () => {
    expect(writeBlockedSentence(null)).toBeNull();
    expect(writeBlockedSentence(access('member'))).toBeNull();
    expect(writeBlockedSentence(access('leaving'))).toBeNull();
    expect(writeBlockedSentence(access('invited'))).toContain('once a validator lets it in');
    expect(writeBlockedSentence(access('removed'))).toContain('can no longer write');
  });

  test('a removed device, or one without a key, waits for nothing', () => {
    expect(askHopeless({ access: access('removed') })).toBe(true);
    expect(askHopeless({ access: access('no-key') })).toBe(true);
    expect(askHopeless({ access: access('invited') })).toBe(false);
    expect(askHopeless({ access: null })).toBe(false);
    expect(waitingSentence({ role: 'member' }, 'Home')).toMatch(/^Waiting for approval/);
  });
});
