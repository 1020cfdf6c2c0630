// Which discovered addresses a node dials (docs/network.md, "Discovery"): WebRTC through its
// own relays, rebuilt from the configured relay address; direct TCP/WebSocket addresses only
// with a literal, public IP (private ones where a configured relay is private); never a DNS
// name, a foreign relay, or an address ending in another peer's id.
import { multiaddr } from '@multiformats/multiaddr';
import { describe, expect, test } from 'vitest';
import { dialableAddresses, hasPrivateRelay } from '../../../src/lib/net/dial-policy';
import { addressKey, isPrivateIp } from '../../../src/lib/net/ip-address';
import { KeyedRateLimiter, TokenBucket } from '../../../src/lib/net/rate-limit';

const RELAY = '12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK';
const OTHER_RELAY = '12D3KooWJWoaqZhDaoEFshF7Rh1bpY9ohihFhzcW6d69Lr2NASuq';
const PEER = '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo';
const relays = [multiaddr(`/dns4/relay.example.org/tcp/443/tls/ws/p2p/${RELAY}`)];

function dialable(addresses: string[], allowPrivate: boolean): string[] {
  return dialableAddresses(
    addresses.map((a) => multiaddr(a)),
    PEER,
    { relays, allowPrivate },
  ).map(String);
}

describe('dial policy', () => {
  test('WebRTC through an own relay is dialled at the configured relay address', () => {
    // The announced relay part (a LAN host here) is replaced by the configured address.
    expect(dialable([`/ip4/10.0.0.5/tcp/22/ws/p2p/${RELAY}/p2p-circuit/webrtc`], false)).toEqual([
      `${relays[0]}/p2p-circuit/webrtc/p2p/${PEER}`,
    ]);
  });

  test.each([
    ['a foreign relay', `/ip4/8.8.8.8/tcp/443/tls/ws/p2p/${OTHER_RELAY}/p2p-circuit/webrtc`],
    ['a plain circuit (limited, no gossip)', `/dns4/x/tcp/1/ws/p2p/${RELAY}/p2p-circuit`],
    ['another peer id', `/ip4/8.8.8.8/tcp/4001/p2p/${OTHER_RELAY}`],
    ['a DNS name', '/dns4/printer.example.org/tcp/80/ws'],
    ['a LAN address', '/ip4/192.168.1.1/tcp/80/ws'],
    ['loopback', '/ip4/127.0.0.1/tcp/631'],
    ['IPv6 link-local', '/ip6/fe80::1/tcp/80/ws'],
    ['an unknown transport', '/ip4/8.8.8.8/udp/53/quic-v1'],
    ['a path after the transport', '/ip4/8.8.8.8/tcp/80/ws/http-path/x'],
  ])('%s is never dialled', (_, address) => {
    expect(dialable([address], false)).toEqual([]);
  });

  test('public direct addresses are dialled; private ones only where allowed', () => {
    const direct = [
      '/ip4/203.0.113.7/tcp/4001',
      `/ip4/203.0.113.7/tcp/443/tls/ws/p2p/${PEER}`,
      '/ip4/192.168.1.20/tcp/4001/ws',
    ];
    expect(dialable(direct, false)).toEqual([
      `/ip4/203.0.113.7/tcp/4001/p2p/${PEER}`,
      `/ip4/203.0.113.7/tcp/443/tls/ws/p2p/${PEER}`,
    ]);
    expect(dialable(direct, true)).toHaveLength(3);
  });

  test('private addresses are allowed by default only with a private relay', () => {
    expect(hasPrivateRelay(relays)).toBe(false);
    expect(hasPrivateRelay([multiaddr(`/ip4/127.0.0.1/tcp/9090/ws/p2p/${RELAY}`)])).toBe(true);
    expect(hasPrivateRelay([multiaddr(`/dns4/relay.lan/tcp/9090/ws/p2p/${RELAY}`)])).toBe(true);
    expect(hasPrivateRelay([multiaddr(`/ip4/198.51.100.2/tcp/443/tls/ws/p2p/${RELAY}`)])).toBe(
      false,
    );
  });
});

test('private ranges and address keys', () => {
  const cases: [string, boolean, string][] = [
    ['127.0.0.1', true, '127.0.0.1'],
    ['10.1.2.3', true, '10.1.2.3'],
    ['172.16.5.5', true, '172.16.5.5'],
    ['172.32.0.1', false, '172.32.0.1'],
    ['100.64.0.1', true, '100.64.0.1'],
    ['169.254.1.1', true, '169.254.1.1'],
    ['203.0.113.10', false, '203.0.113.10'],
    ['::1', true, '0:0:0:0::/64'],
    ['fd00::5', true, 'fd00:0:0:0::/64'],
    ['2001:db8:1:2:3:4:5:6', false, '2001:db8:1:2::/64'],
    ['::ffff:192.168.1.1', true, '192.168.1.1'],
    ['::ffff:8.8.8.8', false, '8.8.8.8'],
    ['not-an-ip', true, 'not-an-ip'],
  ];
  for (const [ip, isPrivate, key] of cases) {
    expect([ip, isPrivateIp(ip), addressKey(ip)]).toEqual([ip, isPrivate, key]);
  }
});

test('token buckets: a burst, then the sustained rate; per key, bounded', () => {
  let nowMs = 0;
  const bucket = new TokenBucket({ burst: 2, perSecond: 1 }, () => nowMs);
  expect([bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, false]);
  expect(bucket.waitMs()).toBe(1_000);
  nowMs += 1_000;
  expect([bucket.take(), bucket.take()]).toEqual([true, false]);
  const keyed = new KeyedRateLimiter({ burst: 1, perSecond: 0.001 }, 2, () => nowMs);
  expect([keyed.take('a'), keyed.take('a'), keyed.take('b')]).toEqual([true, false, true]);
  keyed.take('c'); // forgets 'a', the least recently used
  expect(keyed.take('a')).toBe(true);
});
