// The incremental state root: LtHash, a lattice-based homomorphic multiset hash
// (Bellare-Micciancio 1997; Lewi et al., "Securing Update Propagation with Homomorphic
// Hashing", 2019). Each state element (an account or a record) maps to 1024 uint16 lanes,
// 2048 bytes of BLAKE3 extended output in derive-key mode (Solana's accounts lattice hash also
// expands with the BLAKE3 XOF). The accumulator is the lane-wise sum mod 2^16 of all elements.
// Changing an element subtracts its old lanes and adds its new ones, so a block costs
// O(elements touched), never O(ledger). See docs/protocol.md for the exact definition, cost and
// security.

import { sha256Concat } from './sha256';
import { blake3DeriveKeyContext, blake3DeriveKeyXof } from './blake3';
import { toHex, utf8Bytes } from './bytes';
import { encodeValidatorSet, encodeValue } from './encoding';
import { accessToCbor } from './membership';
import type {
  Account,
  Address,
  GovernanceProposal,
  Hash,
  PrivateAccess,
  ValidatorSet,
} from './types';

export const ACCUMULATOR_LANES = 1024;
export const ACCUMULATOR_BYTES = ACCUMULATOR_LANES * 2;
const ACCUMULATOR_WORDS = ACCUMULATOR_LANES / 2;

export function emptyAccumulator(): Uint8Array {
  return new Uint8Array(ACCUMULATOR_BYTES);
}

export function accountElement(address: Address, account: Account): Uint8Array {
  return encodeValue(['account', address, account.balance, account.nonce]);
}

export function recordElement(fullKey: string, value: Uint8Array): Uint8Array {
  return encodeValue(['record', fullKey, value]);
}

/** The BLAKE3 derive-key context: separates element lanes from every other use of BLAKE3. */
export const ELEMENT_LANES_CONTEXT = 'p2p-ledger/state-element-lanes/v2';
const ELEMENT_LANES_KEY = blake3DeriveKeyContext(utf8Bytes(ELEMENT_LANES_CONTEXT));

/**
 * The 1024 lanes of one element as 512 uint32 words, lane 2i in the low half of word i and lane
 * 2i + 1 in the high half: BLAKE3 derive_key(ELEMENT_LANES_CONTEXT, element) extended to 2048
 * bytes, read as little-endian uint16 lanes.
 */
export function elementLanes(element: Uint8Array, out: Uint32Array): void {
  blake3DeriveKeyXof(ELEMENT_LANES_KEY, element, out);
}

// Lanes are little-endian uint16. On little-endian hosts (all current browsers and Node
// platforms) a Uint32Array view of the accumulator holds the lanes in the same order as the XOF
// words; the byte loop is the portable fallback.
const HOST_LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
const LOW_BITS = 0x7fff7fff;
const HIGH_BITS = 0x80008000 | 0;
// accumulate is synchronous and never re-entered, so one buffer serves every call.
const laneWords = new Uint32Array(ACCUMULATOR_WORDS);

/** Adds (sign 1) or removes (sign -1) one element's lanes, in place. */
export function accumulate(accumulator: Uint8Array, element: Uint8Array, sign: 1 | -1): void {
  if (accumulator.length !== ACCUMULATOR_BYTES) throw new RangeError('accumulate: bad length');
  elementLanes(element, laneWords);
  if (HOST_LITTLE_ENDIAN && accumulator.byteOffset % 4 === 0) {
    const sums = new Uint32Array(accumulator.buffer, accumulator.byteOffset, ACCUMULATOR_WORDS);
    // Two lanes per uint32 (SWAR): add or subtract the low 15 bits of each lane, then fix the
    // top bit by XOR, so no carry or borrow crosses from lane 2i into lane 2i + 1.
    if (sign === 1) {
      for (let i = 0; i < ACCUMULATOR_WORDS; i++) {
        const a = sums[i]!;
        const b = laneWords[i]!;
        sums[i] = ((a & LOW_BITS) + (b & LOW_BITS)) ^ ((a ^ b) & HIGH_BITS);
      }
    } else {
      for (let i = 0; i < ACCUMULATOR_WORDS; i++) {
        const a = sums[i]!;
        const b = laneWords[i]!;
        sums[i] = ((a | HIGH_BITS) - (b & LOW_BITS)) ^ ((a ^ ~b) & HIGH_BITS);
      }
    }
    return;
  }
  for (let i = 0; i < ACCUMULATOR_WORDS; i++) {
    const word = laneWords[i]!;
    for (let half = 0; half < 2; half++) {
      const at = 4 * i + 2 * half;
      const sum = accumulator[at]! | (accumulator[at + 1]! << 8);
      const lane = half === 0 ? word & 0xffff : word >>> 16;
      const next = (sign === 1 ? sum + lane : sum - lane) & 0xffff;
      accumulator[at] = next & 0xff;
      accumulator[at + 1] = next >> 8;
    }
  }
}

const STATE_ROOT_DOMAIN = utf8Bytes('p2p-ledger/state/v2');

/**
 * The state root: SHA-256(domain || accumulator || canonical encoding of the parts replaced
 * wholesale each block: the three validator sets and the open proposals, all small and bounded).
 */
export function stateRootOf(
  accumulator: Uint8Array,
  sets: { lastValidators: ValidatorSet; validators: ValidatorSet; nextValidators: ValidatorSet },
  proposals: readonly GovernanceProposal[],
  access: PrivateAccess | null,
): Hash {
  const parts: unknown[] = [
    encodeValidatorSet(sets.lastValidators),
    encodeValidatorSet(sets.validators),
    encodeValidatorSet(sets.nextValidators),
    // Sorted by id so the root does not depend on how a replica ordered its map.
    [...proposals]
      .sort((a, b) => (toHex(a.id) < toHex(b.id) ? -1 : 1))
      .map((p) =>
        p.kind === 'validator'
          ? [p.id, p.publicKey, p.power, p.proposer, p.approvals, p.height]
          : [p.id, p.publicKey, p.power, p.proposer, p.approvals, p.height, p.kind, p.boxKey],
      ),
  ];
  // A public ledger's root is what it always was; a private one also commits to its access.
  if (access !== null) parts.push(accessToCbor(access));
  const wholesale = encodeValue(parts);
  return sha256Concat(STATE_ROOT_DOMAIN, accumulator, wholesale);
}
