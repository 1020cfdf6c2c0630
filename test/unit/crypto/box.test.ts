// Private ledgers' keys: a sealed epoch key opens only with its member's X25519 key and only in
// its own context (chain, epoch, member); the previous key unwraps only under the next; payloads
// under an epoch key open only with that key and their associated data.
import { describe, expect, test } from 'vitest';
import {
  EpochCipher,
  generateBoxKey,
  newEpochKey,
  openSealedKey,
  sealKey,
  unwrapPreviousKey,
  wrapPreviousKey,
} from '../../../src/lib/crypto/box';
import { SEALED_KEY_BYTES, WRAPPED_KEY_BYTES } from '../../../src/lib/core/params';

const context = { chainId: 'ab'.repeat(32), epoch: 3, member: 'cd'.repeat(20) };

describe('sealed epoch keys', () => {
  test('open for their member, in their context only', async () => {
    const [member, other] = await Promise.all([generateBoxKey(), generateBoxKey()]);
    const key = newEpochKey();
    const sealed = await sealKey(member.publicKey, key, context);
    expect(sealed).toHaveLength(SEALED_KEY_BYTES);
    expect(await openSealedKey(member, sealed, context)).toEqual(key);
    expect(await openSealedKey(other, sealed, context)).toBeNull();
    expect(await openSealedKey(member, sealed, { ...context, epoch: 4 })).toBeNull();
    expect(await openSealedKey(member, sealed, { ...context, member: 'ef'.repeat(20) })).toBeNull();
    const flipped = sealed.slice();
    flipped[50] = (flipped[50] as number) ^ 1;
    expect(await openSealedKey(member, flipped, context)).toBeNull();
  });

  test('the previous key unwraps under the next one only', async () => {
    const [previous, next, stranger] = [newEpochKey(), newEpochKey(), newEpochKey()];
    const wrapped = await wrapPreviousKey(next, previous, context.chainId, 4);
    expect(wrapped).toHaveLength(WRAPPED_KEY_BYTES);
    expect(await unwrapPreviousKey(next, wrapped, context.chainId, 4)).toEqual(previous);
    expect(await unwrapPreviousKey(stranger, wrapped, context.chainId, 4)).toBeNull();
    expect(await unwrapPreviousKey(next, wrapped, context.chainId, 5)).toBeNull();
  });

  test('payloads open with their key and associated data only', async () => {
    const key = newEpochKey();
    const cipher = new EpochCipher(key);
    const aad = Uint8Array.of(1, 2, 3);
    const sealed = await cipher.seal(Uint8Array.of(9, 9, 9), aad);
    expect(await cipher.open(sealed, aad)).toEqual(Uint8Array.of(9, 9, 9));
    expect(await cipher.open(sealed, Uint8Array.of(1, 2))).toBeNull();
    expect(await new EpochCipher(newEpochKey()).open(sealed, aad)).toBeNull();
    expect(await cipher.open(sealed.subarray(0, 10), aad)).toBeNull();
  });
});
