import { describe, expect, test } from 'vitest';
import {
  fetchNetworkConfig,
  ICE_REFRESH_MARGIN_MS,
  ICE_SERVERS_MAX,
  liveIceServers,
  parseNetworkConfig,
  type PublishedNetworkConfig,
} from '../../../src/lib/net/network-config';

const json = (files: Record<string, unknown>) =>
  (async (url: string | URL | Request) => {
    const body = files[String(url)];
    return body === undefined ? new Response('', { status: 404 }) : Response.json(body);
  }) as typeof fetch;

describe('parseNetworkConfig', () => {
  test('keeps well-formed relays and ICE servers only, at most ICE_SERVERS_MAX', () => {
    const config = parseNetworkConfig({
      relays: ['/ip4/1.2.3.4/tcp/1/ws', 7],
      iceServers: [
        { urls: 'stun:a' },
        { urls: ['turn:a'], username: '1:x', credential: 'c' },
        { urls: 5 },
        { username: 'no urls' },
        ...Array.from({ length: ICE_SERVERS_MAX }, () => ({ urls: 'stun:b' })),
      ],
      iceServersExpireAtMs: 'soon',
    });
    expect(config.relays).toEqual(['/ip4/1.2.3.4/tcp/1/ws']);
    expect(config.iceServers).toHaveLength(ICE_SERVERS_MAX);
    expect(config.iceServers.slice(0, 2)).toEqual([
      { urls: 'stun:a' },
      { urls: ['turn:a'], username: '1:x', credential: 'c' },
    ]);
    expect(config.iceServersExpireAtMs).toBeUndefined();
    expect(parseNetworkConfig('nonsense')).toEqual({ relays: [], iceServers: [] });
  });
});

describe('fetchNetworkConfig', () => {
  test('a static host points at the live file with configUrl: followed once', async () => {
    const fetch = json({
      '/relay.json': { configUrl: 'https://relay.example/relay.json', relays: ['ignored'] },
      'https://relay.example/relay.json': {
        relays: ['/dns4/relay.example/tcp/8443/tls/ws'],
        iceServers: [{ urls: 'stun:relay.example' }],
        configUrl: 'https://elsewhere.example/relay.json',
      },
    });
    expect(await fetchNetworkConfig('/relay.json', { fetch })).toEqual({
      relays: ['/dns4/relay.example/tcp/8443/tls/ws'],
      iceServers: [{ urls: 'stun:relay.example' }],
    });
  });

  test('no file: no relays and no ICE servers', async () => {
    expect(await fetchNetworkConfig('/relay.json', { fetch: json({}) })).toEqual({
      relays: [],
      iceServers: [],
    });
  });
});

describe('liveIceServers', () => {
  const config = (username: string, expiresAtMs: number): PublishedNetworkConfig => ({
    relays: [],
    iceServers: [{ urls: 'turn:a', username, credential: 'c' }],
    iceServersExpireAtMs: expiresAtMs,
  });

  test('fetches fresh credentials once the old ones are about to expire, one fetch at a time', async () => {
    let nowMs = 0;
    let fetches = 0;
    const servers = liveIceServers(config('old', 60 * 60_000), {
      nowMs: () => nowMs,
      refetch: async () => (fetches++, config('new', 2 * 60 * 60_000)),
    });
    expect((await servers())[0]?.username).toBe('old');
    nowMs = 60 * 60_000 - ICE_REFRESH_MARGIN_MS;
    const [a, b] = await Promise.all([servers(), servers()]);
    expect([a[0]?.username, b[0]?.username]).toEqual(['new', 'new']);
    expect(fetches).toBe(1);
    expect((await servers())[0]?.username).toBe('new');
    expect(fetches).toBe(1);
  });

  test('keeps the old servers when the fetch fails (STUN still works)', async () => {
    const servers = liveIceServers(config('old', 0), {
      nowMs: () => 1,
      refetch: () => Promise.reject(new Error('offline')),
    });
    expect((await servers())[0]?.username).toBe('old');
  });
});
