// Relay addresses from outside (invite links, /relay.json, a ledger's remembered list): only the
// shapes a browser dials a relay at are taken; everything else is named and dropped.
import { describe, expect, test } from 'vitest';
import {
  RELAY_ADDRESS_CHARS_MAX,
  relayAddressProblem,
  usableRelays,
} from '../../../src/lib/net/relay-address';

const ID = '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo';

describe('relay addresses', () => {
  test.each([
    `/ip4/127.0.0.1/tcp/8081/ws/p2p/${ID}`,
    `/ip4/203.0.113.7/tcp/443/wss/p2p/${ID}`,
    `/ip6/::1/tcp/8081/ws/p2p/${ID}`,
    `/dns4/relay.example.org/tcp/443/tls/ws/p2p/${ID}`,
    `/dns/relay.example.org/tcp/443/tls/sni/relay.example.org/ws/p2p/${ID}`,
    `/dns6/relay.example.org/tcp/443/wss/p2p/${ID}`,
  ])('a browser dials %s', (address) => {
    expect(relayAddressProblem(address)).toBeNull();
  });

  test.each([
    ['not text', 42, 'too-long'],
    ['too long', `/dns4/${'a'.repeat(RELAY_ADDRESS_CHARS_MAX)}/tcp/443/wss/p2p/${ID}`, 'too-long'],
    ['garbage', 'not a multiaddr', 'not-an-address'],
    ['empty', '', 'not-an-address'],
    ['unknown protocol', `/ip4/127.0.0.1/tcp/1/foo/p2p/${ID}`, 'not-an-address'],
    ['bad ip', `/ip4/999.0.0.1/tcp/1/ws/p2p/${ID}`, 'not-an-address'],
    ['bad peer id', '/ip4/127.0.0.1/tcp/1/ws/p2p/notapeerid0OIl', 'not-an-address'],
    ['no peer id', '/ip4/127.0.0.1/tcp/8081/ws', 'no-peer-id'],
    ['plain tcp', `/ip4/127.0.0.1/tcp/8081/p2p/${ID}`, 'transport'],
    ['quic', `/ip4/127.0.0.1/udp/4001/quic-v1/p2p/${ID}`, 'transport'],
    ['port 0', `/ip4/127.0.0.1/tcp/0/ws/p2p/${ID}`, 'transport'],
    ['through a relay', `/ip4/127.0.0.1/tcp/1/ws/p2p/${ID}/p2p-circuit`, 'transport'],
    ['a circuit to a peer', `/ip4/127.0.0.1/tcp/1/ws/p2p/${ID}/p2p-circuit/p2p/${ID}`, 'transport'],
    ['webrtc', `/ip4/127.0.0.1/udp/1/webrtc-direct/p2p/${ID}`, 'transport'],
  ])('%s is refused (%s)', (_name, address, problem) => {
    expect(relayAddressProblem(address)).toBe(problem);
  });

  test('usableRelays keeps the order, drops repeats and names each refusal', () => {
    const good = `/ip4/127.0.0.1/tcp/8081/ws/p2p/${ID}`;
    const other = `/dns4/relay.example.org/tcp/443/wss/p2p/${ID}`;
    expect(usableRelays([good, 'x', other, good, 7])).toEqual({
      usable: [good, other],
      unusable: [
        { address: 'x', problem: 'not-an-address' },
        { address: '', problem: 'too-long' },
      ],
    });
  });
});
