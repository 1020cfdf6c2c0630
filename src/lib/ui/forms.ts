// Input checks for the forms, so the user gets a message next to the field before anything is
// signed. These are only shape checks (the node and the ledger decide what is valid); the limits
// come from the protocol's params so the messages match what the ledger would reject.
import {
  AMOUNT_MAX,
  LEDGER_NAME_BYTES_MAX,
  RECORD_KEY_BYTES_MAX,
  RECORD_VALUE_BYTES_MAX,
} from '$lib/core/params';

export type FieldErrors<Field extends string> = Partial<Record<Field, string>>;
export type Checked<Value, Field extends string> =
  { ok: true; value: Value } | { ok: false; errors: FieldErrors<Field> };

const ADDRESS_PATTERN = /^[0-9a-f]{40}$/;
const utf8 = new TextEncoder();

export function addressError(text: string): string | null {
  const address = text.trim().toLowerCase();
  if (address === '') return 'Enter an address.';
  if (!ADDRESS_PATTERN.test(address)) return 'An address is 40 hexadecimal characters.';
  return null;
}

export function amountError(text: string): string | null {
  const trimmed = text.trim();
  if (trimmed === '') return 'Enter an amount.';
  if (/^-\s*\d+([.,]\d*)?$/.test(trimmed)) return 'The amount must be more than zero.';
  if (!/^\d+$/.test(trimmed)) return 'The amount is a whole number, like 25.';
  const amount = Number(trimmed);
  if (amount <= 0) return 'The amount must be more than zero.';
  if (amount > AMOUNT_MAX) return 'The amount is too large.';
  return null;
}

export function checkTransfer(
  toText: string,
  amountText: string,
  ownAddress: string,
): Checked<{ to: string; amount: number }, 'to' | 'amount'> {
  const errors: FieldErrors<'to' | 'amount'> = {};
  const to = toText.trim().toLowerCase();
  const toProblem = addressError(to) ?? (to === ownAddress ? 'This is your own address.' : null);
  if (toProblem) errors.to = toProblem;
  const amountProblem = amountError(amountText);
  if (amountProblem) errors.amount = amountProblem;
  if (errors.to || errors.amount) return { ok: false, errors };
  return { ok: true, value: { to, amount: Number(amountText.trim()) } };
}

export function recordKeyError(key: string): string | null {
  if (key === '') return 'Enter a key.';
  if (utf8.encode(key).length > RECORD_KEY_BYTES_MAX)
    return `A key is at most ${RECORD_KEY_BYTES_MAX} bytes.`;
  return null;
}

export function checkRecord(
  key: string,
  value: string,
): Checked<{ key: string; value: string }, 'key' | 'value'> {
  const errors: FieldErrors<'key' | 'value'> = {};
  const keyProblem = recordKeyError(key);
  if (keyProblem) errors.key = keyProblem;
  if (utf8.encode(value).length > RECORD_VALUE_BYTES_MAX)
    errors.value = `A value is at most ${RECORD_VALUE_BYTES_MAX} bytes.`;
  if (errors.key || errors.value) return { ok: false, errors };
  return { ok: true, value: { key, value } };
}

export interface BalanceRow {
  address: string;
  amount: string;
}

export type CreateField = 'name' | 'ownAmount' | `row-${number}-address` | `row-${number}-amount`;

/** The create-ledger form: a name, this device's starting balance, optional extra rows. */
export function checkCreateLedger(
  name: string,
  ownAddress: string,
  ownAmountText: string,
  rows: BalanceRow[],
): Checked<{ name: string; balances: { address: string; amount: number }[] }, CreateField> {
  const errors: FieldErrors<CreateField> = {};
  const trimmedName = name.trim();
  if (trimmedName === '') errors.name = 'Give the ledger a name.';
  else if (utf8.encode(trimmedName).length > LEDGER_NAME_BYTES_MAX)
    errors.name = `A name is at most ${LEDGER_NAME_BYTES_MAX} bytes.`;

  const balances: { address: string; amount: number }[] = [];
  const ownTrimmed = ownAmountText.trim();
  if (ownTrimmed !== '' && ownTrimmed !== '0') {
    const problem = amountError(ownTrimmed);
    if (problem) errors.ownAmount = problem;
    else balances.push({ address: ownAddress, amount: Number(ownTrimmed) });
  }
  const seen = new Set([ownAddress]);
  rows.forEach((row, index) => {
    // A fully empty row is ignored: it is the blank row the form always offers.
    if (row.address.trim() === '' && row.amount.trim() === '') return;
    const address = row.address.trim().toLowerCase();
    const addressProblem =
      addressError(address) ?? (seen.has(address) ? 'This address is already listed.' : null);
    if (addressProblem) errors[`row-${index}-address`] = addressProblem;
    const amountProblem = amountError(row.amount);
    if (amountProblem) errors[`row-${index}-amount`] = amountProblem;
    if (!addressProblem && !amountProblem) {
      seen.add(address);
      balances.push({ address, amount: Number(row.amount.trim()) });
    }
  });
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, value: { name: trimmedName, balances } };
}

/**
 * The invite link the user pasted, trimmed; the node parses and verifies it (genesis hash =
 * chain id), so this only refuses an empty field.
 */
export function checkInvite(text: string): Checked<string, 'invite'> {
  const invite = text.trim();
  if (invite === '') return { ok: false, errors: { invite: 'Paste an invite link.' } };
  return { ok: true, value: invite };
}
