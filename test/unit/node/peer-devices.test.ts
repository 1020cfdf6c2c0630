// Which device a peer is: only a claim signed by the device key for that very peer id (and
// ledger) names it; a copied or foreign claim names nothing; each claim is verified once, a
// peer's new claims at most once per PEER_CLAIM_RETRY_MS, a disconnect forgets it, and the table
// is bounded.
import { describe, expect, test } from 'vitest';
import type { Verifier } from '../../../src/lib/core/signing';
import { webCryptoSigner, webCryptoVerifier } from '../../../src/lib/crypto/index';
import type { DeviceClaim } from '../../../src/lib/net/network';
import {
  deviceClaim,
  PEER_CLAIM_RETRY_MS,
  PEER_DEVICES_MAX,
  PeerDevices,
} from '../../../src/lib/node/peer-devices';
import { addressOfKey, newKeys } from '../../support/fixtures';

const CHAIN = 'c1'.repeat(32);
const headHash = new Uint8Array(32);

function statusEvent(peerId: string, device: DeviceClaim) {
  return {
    type: 'status' as const,
    peerId,
    status: { chainId: CHAIN, height: 1, headHash, device },
  };
}

/** A clock the test moves. */
const clock = { ms: 0, nowMs: () => clock.ms };

function countingVerifier(): Verifier & { calls: number } {
  const inner = webCryptoVerifier();
  const counting = {
    calls: 0,
    verify: (...args: Parameters<Verifier['verify']>) => {
      counting.calls += 1;
      return inner.verify(...args);
    },
  };
  return counting;
}

describe('peer devices', () => {
  test('a claim made for this peer id names its device, verified once', async () => {
    const [key] = await newKeys(1);
    const verifier = countingVerifier();
    const devices = new PeerDevices({ chainId: CHAIN, verifier, nowMs: clock.nowMs });
    const claim = await deviceClaim(webCryptoSigner(key!), CHAIN, 'peer-a');
    expect(await devices.onPeerEvent(statusEvent('peer-a', claim))).toBe(true);
    expect(devices.addressOf('peer-a')).toBe(addressOfKey(key!));
    // The same claim again (a status refresh): nothing to verify, nothing changed.
    expect(await devices.onPeerEvent(statusEvent('peer-a', claim))).toBe(false);
    expect(verifier.calls).toBe(1);
    expect(await devices.onPeerEvent({ type: 'disconnected', peerId: 'peer-a' })).toBe(true);
    expect(devices.addressOf('peer-a')).toBeNull();
  });

  test('a claim copied to another peer, or made for another ledger, names nothing', async () => {
    const [key] = await newKeys(1);
    const devices = new PeerDevices({
      chainId: CHAIN,
      verifier: webCryptoVerifier(),
      nowMs: clock.nowMs,
    });
    const claim = await deviceClaim(webCryptoSigner(key!), CHAIN, 'peer-a');
    expect(await devices.onPeerEvent(statusEvent('peer-b', claim))).toBe(false);
    expect(devices.addressOf('peer-b')).toBeNull();
    const foreign = await deviceClaim(webCryptoSigner(key!), 'd2'.repeat(32), 'peer-c');
    await devices.onPeerEvent(statusEvent('peer-c', foreign));
    expect(devices.addressOf('peer-c')).toBeNull();
    // Its own claim, right after a bad one, waits for the retry interval.
    const own = await deviceClaim(webCryptoSigner(key!), CHAIN, 'peer-b');
    expect(await devices.onPeerEvent(statusEvent('peer-b', own))).toBe(false);
    expect(devices.addressOf('peer-b')).toBeNull();
    clock.ms += PEER_CLAIM_RETRY_MS;
    expect(await devices.onPeerEvent(statusEvent('peer-b', own))).toBe(true);
    expect(devices.addressOf('peer-b')).toBe(addressOfKey(key!));
    // A peer that named a device and then shows a bad claim names none.
    clock.ms += PEER_CLAIM_RETRY_MS;
    expect(await devices.onPeerEvent(statusEvent('peer-b', claim))).toBe(true);
    expect(devices.addressOf('peer-b')).toBeNull();
  });

  test('a peer flooding fresh claims costs one verification per interval', async () => {
    const [key, other] = await newKeys(2);
    const verifier = countingVerifier();
    const devices = new PeerDevices({ chainId: CHAIN, verifier, nowMs: clock.nowMs });
    for (const signer of [webCryptoSigner(key!), webCryptoSigner(other!)]) {
      for (const id of ['x', 'y', 'z']) {
        await devices.onPeerEvent(statusEvent('flooder', await deviceClaim(signer, CHAIN, id)));
      }
    }
    expect(verifier.calls).toBe(1);
    clock.ms += PEER_CLAIM_RETRY_MS;
    await devices.onPeerEvent(
      statusEvent('flooder', await deviceClaim(webCryptoSigner(key!), CHAIN, 'flooder')),
    );
    expect(verifier.calls).toBe(2);
    expect(devices.addressOf('flooder')).toBe(addressOfKey(key!));
  });

  test('the table keeps at most PEER_DEVICES_MAX peers, the oldest dropped first', async () => {
    const [key] = await newKeys(1);
    const signer = webCryptoSigner(key!);
    const devices = new PeerDevices({
      chainId: CHAIN,
      verifier: webCryptoVerifier(),
      nowMs: clock.nowMs,
    });
    const ids = Array.from({ length: PEER_DEVICES_MAX + 1 }, (_, i) => `peer-${i}`);
    for (const id of ids)
      await devices.onPeerEvent(statusEvent(id, await deviceClaim(signer, CHAIN, id)));
    expect(devices.addressOf(ids[0]!)).toBeNull();
    expect(devices.addressOf(ids[1]!)).toBe(addressOfKey(key!));
    expect(devices.addressOf(ids.at(-1)!)).toBe(addressOfKey(key!));
  });
});
