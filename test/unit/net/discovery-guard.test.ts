// Discovery announcements (docs/network.md, "Discovery"): strictly decoded, and accepted only
// from the key they announce, within size and the author's rate.
import { generateKeyPair, publicKeyToProtobuf } from '@libp2p/crypto/keys';
import type { Message, PeerId } from '@libp2p/interface';
import { multiaddr } from '@multiformats/multiaddr';
import { expect, test } from 'vitest';
import {
  decodeAnnouncement,
  DiscoveryGuard,
  encodeAnnouncement,
} from '../../../src/lib/net/discovery-guard';
import { DISCOVERY_ADDRESSES_MAX } from '../../../src/lib/net/limits';

/** A signed gossip message as gossipsub hands it to a validator (only what the guard reads). */
function signedBy(from: { toMultihash(): { bytes: Uint8Array } }, data: Uint8Array): Message {
  const author = { toString: () => 'author', toMultihash: from.toMultihash.bind(from) };
  return { type: 'signed', from: author as unknown as PeerId, data } as unknown as Message;
}

test('announcements round-trip and malformed ones are refused', async () => {
  const key = await generateKeyPair('Ed25519');
  const announcement = {
    publicKey: publicKeyToProtobuf(key.publicKey),
    addresses: [multiaddr('/ip4/203.0.113.7/tcp/4001')],
  };
  const decoded = decodeAnnouncement(encodeAnnouncement(announcement));
  expect(decoded.publicKey).toEqual(announcement.publicKey);
  expect(decoded.addresses.map(String)).toEqual(['/ip4/203.0.113.7/tcp/4001']);
  const tooMany = encodeAnnouncement({
    ...announcement,
    addresses: Array.from(
      { length: DISCOVERY_ADDRESSES_MAX + 1 },
      () => announcement.addresses[0]!,
    ),
  });
  for (const bad of [
    new Uint8Array([0x0a, 0x05, 1, 2]), // truncated
    new Uint8Array([0x08, 0x01]), // a varint field
    new Uint8Array([0x12, 0x01, 0xff]), // an address that is not a multiaddr, and no key
    tooMany,
  ]) {
    expect(() => decodeAnnouncement(bad)).toThrow();
  }
});

test('only the announced key may sign it, within the author rate', async () => {
  const author = await generateKeyPair('Ed25519');
  const other = await generateKeyPair('Ed25519');
  let nowMs = 0;
  const guard = new DiscoveryGuard({ nowMs: () => nowMs, authorRate: { burst: 2, perSecond: 1 } });
  const own = encodeAnnouncement({
    publicKey: publicKeyToProtobuf(author.publicKey),
    addresses: [],
  });
  const forged = encodeAnnouncement({
    publicKey: publicKeyToProtobuf(other.publicKey),
    addresses: [],
  });
  expect(guard.check('relay', signedBy(author.publicKey, forged))).toEqual({
    result: 'reject',
    reason: 'discovery-forged-sender',
  });
  const verdicts = [1, 2, 3].map(() => guard.check('relay', signedBy(author.publicKey, own)));
  expect(verdicts.map((v) => v.result)).toEqual(['accept', 'accept', 'ignore']);
  nowMs += 1_000;
  expect(guard.check('relay', signedBy(author.publicKey, own)).result).toBe('accept');
  expect(guard.check('relay', { type: 'unsigned', data: own } as unknown as Message)).toMatchObject(
    { result: 'reject', reason: 'discovery-unsigned' },
  );
});
