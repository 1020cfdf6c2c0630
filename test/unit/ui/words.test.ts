// The UI's words: errors as sentences, transactions as phrases with names, device names.
import { describe, expect, test } from 'vitest';
import { asSentence, describeError, describeProblem } from '../../../src/lib/ui/errors';
import { suggestedDeviceName } from '../../../src/lib/ui/device-name';
import { connectionLabel, describeAction } from '../../../src/lib/ui/words';

const who = (address: string) =>
  address === 'a'.repeat(40) ? 'Anna' : `Device ${address.slice(0, 6)}`;

describe('errors in words', () => {
  test('a refused transaction reads as its reason, the code only in the details', () => {
    const error = Object.assign(new Error('record-not-found: no such key'), {
      name: 'TxRejectedError',
      code: 'record-not-found',
    });
    const described = describeError(error);
    expect(described.sentence).toBe('There is no record with this key.');
    expect(described.detail).toContain('record-not-found');
  });
  test('an unknown exception never shows its text as the sentence', () => {
    const described = describeError(
      new TypeError("Cannot read properties of undefined (reading 'x')"),
    );
    expect(described.sentence).toMatch(/^Something went wrong\./);
    expect(described.detail).toContain('Cannot read properties');
  });
  test('invite errors are already sentences; lower-case text is made one', () => {
    const error = Object.assign(new Error('This invite link is empty.'), { name: 'InviteError' });
    expect(describeError(error)).toEqual({ sentence: 'This invite link is empty.', detail: null });
    expect(asSentence('the invite link is damaged')).toBe('The invite link is damaged.');
  });
  test('node problems read as sentences', () => {
    expect(describeProblem({ code: 'storage-full', message: 'quota' }).sentence).toMatch(
      /^This browser has no room left/,
    );
  });
});

describe('what happened, with names', () => {
  test.each([
    [{ kind: 'transfer', to: 'a'.repeat(40), amount: 1500 }, 'Send 1,500 to Anna'],
    [{ kind: 'put', key: 'k' }, 'Save record “k”'],
    [{ kind: 'delete', key: 'k' }, 'Delete record “k”'],
    [
      { kind: 'validator-propose', address: 'a'.repeat(40), power: 10 },
      'Let Anna confirm changes (validator)',
    ],
    [
      { kind: 'validator-propose', address: 'a'.repeat(40), power: 0 },
      'Stop Anna from confirming changes',
    ],
    [{ kind: 'validator-approve', proposalId: 'p' }, 'Approve a new validator'],
  ] as const)('%o', (action, words) => {
    expect(describeAction(action, who)).toBe(words);
  });
  test('an approval names the device when a join request told which', () => {
    expect(
      describeAction({ kind: 'validator-approve', proposalId: 'p' }, who, () => 'a'.repeat(40)),
    ).toBe('Approve Anna as a validator');
  });
  test('connection words', () => {
    expect(connectionLabel({ online: false, peerCount: 0 })).toBe('Offline');
    expect(connectionLabel({ online: true, peerCount: 0 })).toBe('Online, no other device');
    expect(connectionLabel({ online: true, peerCount: 2 })).toBe('2 devices connected');
  });
  test('a suggested name for this device, from its browser', () => {
    expect(
      suggestedDeviceName(
        'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36',
      ),
    ).toBe('Chrome on Android phone');
    expect(suggestedDeviceName('Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15) Firefox/128.0')).toBe(
      'Firefox on Mac',
    );
  });
});
