// The UI's input checks and plot geometry: pure functions the pages render.
import { describe, expect, test } from 'vitest';
import {
  checkCreateLedger,
  checkInvite,
  checkRecord,
  checkTransfer,
} from '../../../src/lib/ui/forms';
import { blockIntervals, series } from '../../../src/lib/ui/chart';
import { syncFraction } from '../../../src/lib/ui/format';
import { txReason } from '../../../src/lib/ui/reasons';
import { RECORD_KEY_BYTES_MAX } from '../../../src/lib/core/params';

const me = 'a'.repeat(40);
const other = 'B'.repeat(40);

describe('transfer form', () => {
  test('accepts a 40-hex address (any case) and a positive whole amount', () => {
    expect(checkTransfer(` ${other} `, ' 25 ', me)).toEqual({
      ok: true,
      value: { to: 'b'.repeat(40), amount: 25 },
    });
  });
  test.each([
    ['', '5', 'to', 'Enter an address.'],
    ['xyz', '5', 'to', 'An address is 40 hexadecimal characters.'],
    [me, '5', 'to', 'This is your own address.'],
    [other, '', 'amount', 'Enter an amount.'],
    [other, '1.5', 'amount', 'The amount is a whole number, like 25.'],
    [other, '-3', 'amount', 'The amount must be more than zero.'],
    [other, '-5', 'amount', 'The amount must be more than zero.'],
    [other, '0', 'amount', 'The amount must be more than zero.'],
    [other, '9'.repeat(20), 'amount', 'The amount is too large.'],
  ])('to=%j amount=%j is refused on %s', (to, amount, field, message) => {
    const checked = checkTransfer(to, amount, me);
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.errors[field as 'to' | 'amount']).toBe(message);
  });
});

describe('record form', () => {
  test('needs a key within the protocol limit, counted in UTF-8 bytes', () => {
    expect(checkRecord('k', '').ok).toBe(true);
    expect(checkRecord('', 'v').ok).toBe(false);
    expect(checkRecord('é'.repeat(RECORD_KEY_BYTES_MAX / 2), 'v').ok).toBe(true);
    expect(checkRecord('é'.repeat(RECORD_KEY_BYTES_MAX / 2 + 1), 'v').ok).toBe(false);
  });
});

describe('create-ledger form', () => {
  test('puts this device first, skips blank rows, normalises addresses', () => {
    const checked = checkCreateLedger(' Home ', me, '100', [
      { address: other, amount: '7' },
      { address: '', amount: '' },
    ]);
    expect(checked).toEqual({
      ok: true,
      value: {
        name: 'Home',
        balances: [
          { address: me, amount: 100 },
          { address: 'b'.repeat(40), amount: 7 },
        ],
      },
    });
  });
  test('a zero or empty own balance adds no genesis balance', () => {
    const checked = checkCreateLedger('Home', me, '0', []);
    expect(checked.ok && checked.value.balances).toEqual([]);
  });
  test('names the failing fields: empty name, duplicate address, bad amount', () => {
    const checked = checkCreateLedger('', me, '5', [
      { address: me, amount: '1' },
      { address: other, amount: 'x' },
    ]);
    expect(checked.ok).toBe(false);
    if (!checked.ok) {
      expect(checked.errors).toEqual({
        name: 'Give the ledger a name.',
        'row-0-address': 'This address is already listed.',
        'row-1-amount': 'The amount is a whole number, like 25.',
      });
    }
  });
  test('an invite link must not be empty', () => {
    expect(checkInvite('  ').ok).toBe(false);
    expect(checkInvite(' https://x/join#abc ')).toEqual({ ok: true, value: 'https://x/join#abc' });
  });
});

describe('plot geometry', () => {
  const block = (height: number, time: number, txCount = 0) => ({
    height,
    time,
    txCount,
    hash: String(height),
    proposer: me,
  });
  test('intervals between consecutive heights only, oldest first', () => {
    const newestFirst = [block(5, 5_000), block(4, 3_500), block(2, 1_000), block(1, 0)];
    expect(blockIntervals(newestFirst)).toEqual([
      { height: 2, ms: 1_000 },
      { height: 5, ms: 1_500 },
    ]);
  });
  test('points span the inner box; the maximum touches the top', () => {
    const size = { width: 100, height: 50, padding: 5 };
    const plotted = series(
      [
        { x: 1, y: 0, label: 'a' },
        { x: 2, y: 10, label: 'b' },
      ],
      size,
    );
    expect(plotted.points.map(({ x, y }) => [x, y])).toEqual([
      [5, 45],
      [95, 5],
    ]);
    expect(plotted.path).toBe('M5 45 L95 5');
    expect(series([{ x: 1, y: 3, label: 'only' }], size).path).toBe('');
  });
});

test('sync progress is a clamped fraction', () => {
  expect(syncFraction({ fromHeight: 10, currentHeight: 15, targetHeight: 20 })).toBe(0.5);
  expect(syncFraction({ fromHeight: 10, currentHeight: 25, targetHeight: 20 })).toBe(1);
  expect(syncFraction({ fromHeight: 20, currentHeight: 20, targetHeight: 20 })).toBe(1);
});

test('every rejection code has words, unknown codes still say something', () => {
  expect(txReason('insufficient-balance')).toBe('The balance is too low for this transfer.');
  expect(txReason('some-new-code')).toBe('The ledger refused it.');
});
