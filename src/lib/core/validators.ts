// Validator sets: ordered by address, with their total power; hashed into block headers.

import { sha256OfValidatorSet } from './encoding';
import { addressOf, bytesEqual } from './hash';
import { TOTAL_POWER_MAX, VALIDATORS_MAX } from './params';
import type { Address, Hash, PublicKey, Validator, ValidatorSet } from './types';

export class ValidatorSetError extends Error {
  override readonly name = 'ValidatorSetError';
}

export const EMPTY_VALIDATOR_SET: ValidatorSet = { validators: [], totalPower: 0 };

/**
 * A set from (publicKey, power) entries: addresses derived, sorted by address, zero-power
 * entries dropped. Throws ValidatorSetError on duplicate keys, bad powers or exceeded limits.
 */
export function makeValidatorSet(
  entries: ReadonlyArray<{ publicKey: PublicKey; power: number }>,
): ValidatorSet {
  const validators: Validator[] = [];
  const seen = new Set<Address>();
  let totalPower = 0;
  for (const { publicKey, power } of entries) {
    if (!Number.isSafeInteger(power) || power < 0) throw new ValidatorSetError('bad power');
    if (publicKey.length !== 32) throw new ValidatorSetError('bad public key');
    const address = addressOf(publicKey);
    if (seen.has(address)) throw new ValidatorSetError(`duplicate validator ${address}`);
    seen.add(address);
    if (power === 0) continue;
    validators.push({ address, publicKey, power });
    totalPower += power;
  }
  if (validators.length > VALIDATORS_MAX) throw new ValidatorSetError('too many validators');
  if (totalPower > TOTAL_POWER_MAX) throw new ValidatorSetError('total power too large');
  validators.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  return { validators, totalPower };
}

export function validatorSetHash(set: ValidatorSet): Hash {
  return sha256OfValidatorSet(set);
}

export function findValidator(set: ValidatorSet, address: Address): Validator | undefined {
  return set.validators.find((validator) => validator.address === address);
}

/** True if `power` is more than 2/3 of the set's total (exact: totals stay below 2^50). */
export function exceedsTwoThirds(power: number, set: ValidatorSet): boolean {
  return 3 * power > 2 * set.totalPower;
}

/**
 * True while an approved validator-set change has yet to reach the signing set: a change approved
 * in block h signs from h + 2, so block h + 1 is needed even when no transaction waits (else an
 * idle ledger would only get there with its heartbeat block, tens of seconds later).
 */
export function validatorChangePending(sets: {
  validators: ValidatorSet;
  nextValidators: ValidatorSet;
}): boolean {
  if (sets.validators === sets.nextValidators) return false;
  return !bytesEqual(validatorSetHash(sets.validators), validatorSetHash(sets.nextValidators));
}
