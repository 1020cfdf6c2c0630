// Genesis: checking a genesis document and building the state at height 0.

import { accountElement, accumulate, emptyAccumulator, stateRootOf } from './accumulator';
import { utf8Length } from './bytes';
import { ADDRESS_PATTERN, GENESIS_SALT_BYTES_MAX } from './encoding';
import { chainIdOf, ZERO_HASH } from './hash';
import { AMOUNT_MAX, GENESIS_BALANCES_MAX, LEDGER_NAME_BYTES_MAX, VALIDATORS_MAX } from './params';
import type { LedgerState } from './state';
import type { Account, Address, Genesis } from './types';
import { EMPTY_VALIDATOR_SET, makeValidatorSet, ValidatorSetError } from './validators';

export class GenesisError extends Error {
  override readonly name = 'GenesisError';
}

/** Throws GenesisError unless the genesis is well-formed and within every limit. */
export function validateGenesis(genesis: Genesis): void {
  if (utf8Length(genesis.name) > LEDGER_NAME_BYTES_MAX) throw new GenesisError('name too long');
  if (!Number.isSafeInteger(genesis.time) || genesis.time < 0) throw new GenesisError('bad time');
  if (genesis.salt.length > GENESIS_SALT_BYTES_MAX) throw new GenesisError('salt too long');
  if (genesis.validators.length === 0) throw new GenesisError('no validators');
  if (genesis.validators.length > VALIDATORS_MAX) throw new GenesisError('too many validators');
  if (genesis.validators.some((v) => !Number.isSafeInteger(v.power) || v.power < 1)) {
    throw new GenesisError('validator power must be a positive integer');
  }
  try {
    makeValidatorSet(genesis.validators);
  } catch (error) {
    if (error instanceof ValidatorSetError) throw new GenesisError(error.message);
    throw error;
  }
  if (genesis.balances.length > GENESIS_BALANCES_MAX) throw new GenesisError('too many balances');
  const owners = new Set<Address>();
  let supply = 0;
  for (const { address, amount } of genesis.balances) {
    if (!ADDRESS_PATTERN.test(address)) throw new GenesisError(`bad address ${address}`);
    if (owners.has(address)) throw new GenesisError(`duplicate balance for ${address}`);
    owners.add(address);
    if (!Number.isSafeInteger(amount) || amount < 1) throw new GenesisError('bad amount');
    supply += amount;
    // The total supply never changes, so bounding it here rules out every later overflow.
    if (supply > AMOUNT_MAX) throw new GenesisError('total supply exceeds AMOUNT_MAX');
  }
}

/** The state before block 1. Throws GenesisError for an invalid genesis. */
export function genesisState(genesis: Genesis): LedgerState {
  validateGenesis(genesis);
  const validators = makeValidatorSet(genesis.validators);
  const accounts = new Map<Address, Account>();
  const accumulator = emptyAccumulator();
  for (const { address, amount } of genesis.balances) {
    const account = { balance: amount, nonce: 0 };
    accounts.set(address, account);
    accumulate(accumulator, accountElement(address, account), 1);
  }
  const sets = { lastValidators: EMPTY_VALIDATOR_SET, validators, nextValidators: validators };
  return {
    chainId: chainIdOf(genesis),
    height: 0,
    lastBlockHash: ZERO_HASH,
    lastBlockTime: genesis.time,
    accounts,
    records: new Map(),
    recordsComplete: true,
    ...sets,
    lastValidatorsSince: 1,
    proposals: new Map(),
    accumulator,
    stateRoot: stateRootOf(accumulator, sets, []),
  };
}
