// Human text for the node's rejection codes (core's TxCode) and problem codes.
import type { TxCode } from '$lib/core/types';

const TX_REASONS: Record<TxCode, string> = {
  ok: 'Accepted.',
  'bad-signature': 'The signature does not match the sender.',
  'wrong-chain': 'The transaction was signed for another ledger.',
  'unknown-sender':
    'This device has no account on the ledger yet: a member has to send it some units first.',
  'nonce-too-low': 'A transaction with this number was already processed.',
  'nonce-gap': 'An earlier transaction from this account is missing.',
  'insufficient-balance': 'The balance is too low for this transfer.',
  'too-large': 'The transaction is too large.',
  'unknown-kind': 'This kind of transaction is not known to the ledger.',
  'bad-body': 'The transaction is malformed.',
  'not-a-validator': 'Only devices that vote (validators) may do this.',
  'unknown-proposal': 'The proposal no longer exists (approved, expired or never made).',
  'already-approved': 'This device has already approved it.',
  'too-many-proposals': 'Too many open proposals; try again later.',
  'too-many-validators': 'No more devices can vote on this ledger.',
  'key-too-large': 'The record key is too long.',
  'value-too-large': 'The record value is too long.',
  'record-not-found': 'There is no record with this key.',
  'self-transfer': 'You cannot send to your own address.',
  'zero-amount': 'The amount must be more than zero.',
  'bad-possession':
    'The device to add did not prove it holds its key (a join request from that device is needed).',
  'power-too-large': 'No device may get more voting power than the strongest one has.',
  'block-limit': 'Too many new accounts or records in one block; send it again in a moment.',
  'not-a-member': 'This device is not a member of this private ledger (or no longer is).',
  'already-a-member': 'That device is a member already.',
  'too-many-members': 'This private ledger has as many members as it can hold.',
  'is-a-validator':
    'A device that confirms changes (a validator) leaves only once its votes are given up or taken away.',
  'stale-epoch': 'The ledger key was changed meanwhile; this change is no longer needed.',
  'bad-rotation': 'The new ledger key did not cover exactly the members that stay.',
};

/** Every code the ledger can refuse a transaction with. */
export const TX_CODES = Object.keys(TX_REASONS) as TxCode[];

export function txReason(code: string | null): string {
  if (code === null) return '';
  // A code this version does not know (a newer peer's) still reads as a sentence.
  return (TX_REASONS as Record<string, string | undefined>)[code] ?? 'The ledger refused it.';
}
