import { describe, expect, test } from 'vitest';
import { relayJson } from '../../../src/server/relay-json';

const SECRET = 'a-secret-of-at-least-16-chars';
const base = {
  relays: () => ['/ip4/203.0.113.10/tcp/8443/tls/ws/p2p/12D3KooWrelay'],
  stunUrls: ['stun:203.0.113.10:3478'],
  turnUrls: ['turn:203.0.113.10:3478?transport=udp', 'turns:203.0.113.10:5349?transport=tcp'],
  turnTtlS: 600,
  nowMs: () => 1_700_000_000_000,
};

describe('relayJson (/relay.json)', () => {
  test('lists the relays, STUN, and TURN with a credential that expires after the TTL', () => {
    const body = relayJson({ ...base, turnSecret: SECRET });
    expect(body.relays).toEqual(base.relays());
    expect(body.iceServers[0]).toEqual({ urls: base.stunUrls });
    expect(body.iceServers[1]).toMatchObject({
      urls: base.turnUrls,
      username: expect.stringMatching(/^1700000600:/),
      credential: expect.any(String),
    });
    expect(body.iceServersExpireAtMs).toBe(1_700_000_600_000);
    expect(JSON.stringify(body)).not.toContain(SECRET);
  });

  test('publishes no TURN server without a secret, and no expiry then', () => {
    const body = relayJson(base);
    expect(body.iceServers).toEqual([{ urls: base.stunUrls }]);
    expect(body.iceServersExpireAtMs).toBeUndefined();
  });

  test('mints a new credential for every request', () => {
    const first = relayJson({ ...base, turnSecret: SECRET }).iceServers[1];
    const second = relayJson({ ...base, turnSecret: SECRET }).iceServers[1];
    expect(first?.username).not.toBe(second?.username);
  });
});
