// The gossip envelope: canonical round trip, and every malformed input refused with its reason.
import { encode } from 'cborg';
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { decodeEnvelope, encodeEnvelope, EnvelopeError } from '../../../src/lib/net/envelope';
import { GOSSIP_MESSAGE_BYTES_MAX, PAYLOAD_BYTES_MAX } from '../../../src/lib/net/limits';
import { MESSAGE_TYPES } from '../../../src/lib/net/message-types';

const CHAIN_ID = 'ab'.repeat(32);

function reasonOf(bytes: Uint8Array): string {
  try {
    decodeEnvelope(bytes);
    return 'accepted';
  } catch (error) {
    expect(error).toBeInstanceOf(EnvelopeError);
    return (error as EnvelopeError).reason;
  }
}

test('every message type round-trips', () => {
  for (const type of MESSAGE_TYPES) {
    const payload = new Uint8Array([1, 2, 3]);
    expect(decodeEnvelope(encodeEnvelope(type, CHAIN_ID, payload))).toEqual({
      version: 1,
      type,
      chainId: CHAIN_ID,
      payload,
    });
  }
});

test('malformed envelopes are refused with a reason', () => {
  const good = encodeEnvelope('vote', CHAIN_ID, new Uint8Array(10));
  expect(reasonOf(good.subarray(0, good.byteLength - 1))).toBe('malformed');
  expect(reasonOf(new Uint8Array([0xff, 0x00]))).toBe('malformed');
  expect(reasonOf(encode([2, 'vote', CHAIN_ID, new Uint8Array(1)]))).toBe('bad-version');
  expect(reasonOf(encode([1, 'gossip', CHAIN_ID, new Uint8Array(1)]))).toBe('unknown-type');
  expect(reasonOf(encode([1, 'vote', 'AB'.repeat(32), new Uint8Array(1)]))).toBe('bad-chain-id');
  expect(reasonOf(encode([1, 'vote', CHAIN_ID, 'text']))).toBe('malformed');
  expect(reasonOf(encode([1, 'vote', CHAIN_ID, new Uint8Array(1), 0]))).toBe('malformed');
  expect(reasonOf(encode([1, 'vote', CHAIN_ID, new Uint8Array(PAYLOAD_BYTES_MAX.vote + 1)]))).toBe(
    'payload-too-large',
  );
  expect(reasonOf(new Uint8Array(GOSSIP_MESSAGE_BYTES_MAX + 1))).toBe('too-large');
  expect(() => encodeEnvelope('tx', CHAIN_ID, new Uint8Array(PAYLOAD_BYTES_MAX.tx + 1))).toThrow(
    EnvelopeError,
  );
});

test('random bytes never decode to anything but an EnvelopeError', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
      const reason = reasonOf(bytes);
      expect(reason).not.toBe('accepted');
    }),
  );
});
