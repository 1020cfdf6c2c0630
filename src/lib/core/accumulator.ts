// The incremental state root: LtHash, a lattice-based homomorphic multiset hash
// (Bellare-Micciancio 1997; Lewi et al., "Securing Update Propagation with Homomorphic
// Hashing", 2019). Each state element (an account or a record) maps through SHAKE256 to
// 1024 uint16 lanes; the accumulator is the lane-wise sum mod 2^16 of all elements. Changing an
// element subtracts its old lanes and adds its new ones, so a block costs O(elements touched),
// never O(ledger). See docs/protocol.md for cost and security.

import { shake256 } from '@noble/hashes/sha3.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, toHex, utf8Bytes } from './bytes';
import { encodeValidatorSet, encodeValue } from './encoding';
import type { Account, Address, GovernanceProposal, Hash, ValidatorSet } from './types';

export const ACCUMULATOR_LANES = 1024;
export const ACCUMULATOR_BYTES = ACCUMULATOR_LANES * 2;

export function emptyAccumulator(): Uint8Array {
  return new Uint8Array(ACCUMULATOR_BYTES);
}

export function accountElement(address: Address, account: Account): Uint8Array {
  return encodeValue(['account', address, account.balance, account.nonce]);
}

export function recordElement(fullKey: string, value: Uint8Array): Uint8Array {
  return encodeValue(['record', fullKey, value]);
}

// Lanes are little-endian uint16. On little-endian hosts (all current browsers and Node
// platforms) a Uint16Array view adds them directly; the byte loop is the portable fallback.
const HOST_LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** Adds (sign 1) or removes (sign -1) one element's lanes, in place. */
export function accumulate(accumulator: Uint8Array, element: Uint8Array, sign: 1 | -1): void {
  const lanes = shake256(element, { dkLen: ACCUMULATOR_BYTES });
  if (HOST_LITTLE_ENDIAN && accumulator.byteOffset % 2 === 0 && lanes.byteOffset % 2 === 0) {
    const sum = new Uint16Array(accumulator.buffer, accumulator.byteOffset, ACCUMULATOR_LANES);
    const add = new Uint16Array(lanes.buffer, lanes.byteOffset, ACCUMULATOR_LANES);
    // Uint16Array stores wrap mod 2^16, which is the lane arithmetic.
    if (sign === 1) for (let i = 0; i < ACCUMULATOR_LANES; i++) sum[i] = sum[i]! + add[i]!;
    else for (let i = 0; i < ACCUMULATOR_LANES; i++) sum[i] = sum[i]! - add[i]!;
    return;
  }
  for (let i = 0; i < ACCUMULATOR_BYTES; i += 2) {
    const sum = accumulator[i]! | (accumulator[i + 1]! << 8);
    const lane = lanes[i]! | (lanes[i + 1]! << 8);
    const next = (sign === 1 ? sum + lane : sum - lane) & 0xffff;
    accumulator[i] = next & 0xff;
    accumulator[i + 1] = next >> 8;
  }
}

const STATE_ROOT_DOMAIN = utf8Bytes('p2p-ledger/state/v1');

/**
 * The state root: SHA-256(domain || accumulator || canonical encoding of the parts replaced
 * wholesale each block: the three validator sets and the open proposals, all small and bounded).
 */
export function stateRootOf(
  accumulator: Uint8Array,
  sets: { lastValidators: ValidatorSet; validators: ValidatorSet; nextValidators: ValidatorSet },
  proposals: readonly GovernanceProposal[],
): Hash {
  const wholesale = encodeValue([
    encodeValidatorSet(sets.lastValidators),
    encodeValidatorSet(sets.validators),
    encodeValidatorSet(sets.nextValidators),
    // Sorted by id so the root does not depend on how a replica ordered its map.
    [...proposals]
      .sort((a, b) => (toHex(a.id) < toHex(b.id) ? -1 : 1))
      .map((p) => [p.id, p.publicKey, p.power, p.proposer, p.approvals, p.height]),
  ]);
  return sha256(concatBytes(STATE_ROOT_DOMAIN, accumulator, wholesale));
}
