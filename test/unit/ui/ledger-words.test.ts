// The warning before a ledger is removed from this device: the ledger stops on every device
// when this one held a third or more of the votes, and it says so first; what is lost and that
// the device key stays are always said.
import { describe, expect, test } from 'vitest';
import type { LedgerRemoval } from '../../../src/lib/node/api';
import {
  removalWarning,
  shareWords,
  stopsWithout,
  unusableRelaysSentence,
} from '../../../src/lib/ui/ledger-words';

function removal(validator: LedgerRemoval['validator'], unconfirmed = 0): LedgerRemoval {
  return { chainId: 'c'.repeat(64), name: 'Home', height: 12, validator, unconfirmed };
}

describe('removing a ledger', () => {
  test.each([
    [{ power: 10, totalPower: 10 }, true],
    [{ power: 10, totalPower: 25 }, true],
    [{ power: 1, totalPower: 3 }, true], // exactly a third: the rest hold 2/3, not more
    [{ power: 1, totalPower: 4 }, false],
    [{ power: 0, totalPower: 4 }, false],
  ])('stopsWithout(%o) = %s', (validator, stops) => {
    expect(stopsWithout(validator)).toBe(stops);
  });

  test('the only validator: the ledger stops, said first', () => {
    const warning = removalWarning('Home', removal({ power: 10, totalPower: 10 }));
    expect(warning.stopsLedger).toBe(true);
    expect(warning.sentences[0]).toContain('the only validator of “Home”');
    expect(warning.sentences[0]).toContain('no device can confirm changes');
  });

  test('a third or more of the votes: the ledger stops on every device', () => {
    const warning = removalWarning('Home', removal({ power: 10, totalPower: 25 }));
    expect(warning.stopsLedger).toBe(true);
    expect(warning.sentences[0]).toContain('40% of the votes');
    expect(warning.sentences[0]).toContain('stops confirming changes on every device');
  });

  test('less than a third: the others go on', () => {
    const warning = removalWarning('Home', removal({ power: 1, totalPower: 10 }));
    expect(warning.stopsLedger).toBe(false);
    expect(warning.sentences[0]).toContain('The others go on confirming changes without it');
  });

  test('what is lost and what stays, and unconfirmed changes, in sentences', () => {
    const warning = removalWarning('Home', removal(null, 2));
    expect(warning.stopsLedger).toBe(false);
    expect(warning.sentences).toEqual([
      expect.stringContaining('deletes this device’s copy of “Home” (12 blocks)'),
      expect.stringContaining('2 changes you made here are not confirmed yet'),
      expect.stringContaining('keeps its device key'),
    ]);
    for (const sentence of warning.sentences) expect(sentence).toMatch(/^[A-Z0-9].*\.$/s);
  });

  test('an unreadable ledger: the rule is said in general', () => {
    const warning = removalWarning('Home', null);
    expect(warning.stopsLedger).toBe(false);
    expect(warning.sentences[0]).toContain('a third or more of the votes');
  });

  test('shares and dropped addresses in words', () => {
    expect(shareWords(1, 300)).toBe('less than 1%');
    expect(shareWords(1, 3)).toBe('33%');
    expect(unusableRelaysSentence(0)).toBeNull();
    expect(unusableRelaysSentence(1)).toContain('a network address this app cannot use');
    expect(unusableRelaysSentence(2)).toContain('2 network addresses');
  });
});
