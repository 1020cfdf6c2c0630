// The peer's read-only status endpoint and what it reports: JSON at /status, the Prometheus
// format at /metrics, /health, nothing else, and no method but GET and HEAD.
import { afterEach, expect, test } from 'vitest';
import type { NodeStatus } from '../../../src/lib/node/api';
import { isNamed } from '../../../src/peer/auto-approve';
import { browserDialable } from '../../../src/peer/invite-addresses';
import {
  metricsText,
  snapshotOf,
  statusLineFields,
  type StatusSnapshot,
} from '../../../src/peer/status-report';
import { startStatusServer, type StatusServer } from '../../../src/peer/status-server';

const ledger: NodeStatus = {
  chainId: 'c'.repeat(64),
  ledgerName: 'Home',
  height: 42,
  headHash: 'ab'.repeat(32),
  lastBlockTime: 1_700_000_000_000,
  lastFinalityMs: 12,
  role: 'validator',
  sync: null,
  online: true,
  peerCount: 2,
  consensus: { height: 43, round: 0, step: 'propose' },
  address: 'a'.repeat(40),
  fingerprint: '0123456789abcdef',
  storage: { usageBytes: 1, quotaBytes: null, persisted: true },
  problem: null,
  drops: { vote: 3 },
  access: null,
};

function snapshot(): StatusSnapshot {
  return snapshotOf(
    10_000,
    {
      version: '0.1.0',
      pid: 7,
      startedAtMs: 4_000,
      dataDir: '/srv/peer',
      peerId: '12D3KooW',
      listening: ['/ip4/127.0.0.1/tcp/4002/ws/p2p/12D3KooW'],
      invite: 'http://127.0.0.1:8080/join#x',
      storeBytes: 8192,
      rssBytes: 1e8,
      gossip: { accepted: 5, rejected: { 'bad-signature': 2 }, ignored: {} },
    },
    ledger,
    [
      {
        address: 'a'.repeat(40),
        publicKey: 'p',
        power: 10,
        online: true,
        lastVote: null,
        removal: null,
      },
    ],
    [],
    [
      {
        id: 'x',
        address: null,
        role: 'device',
        kind: 'browser',
        transport: 'webrtc',
        latencyMs: 3,
        height: 42,
      },
      {
        id: 'y',
        address: null,
        role: 'relay',
        kind: 'relay',
        transport: 'websocket',
        latencyMs: 1,
        height: null,
      },
    ],
  );
}

let server: StatusServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

test('the one-line status and the metrics say height, role, peers and sync', () => {
  const now = snapshot();
  expect(now.process.uptimeS).toBe(6);
  expect(statusLineFields(now)).toEqual({
    height: 42,
    role: 'validator',
    peers: 2,
    kinds: '1 browser, 1 relay',
    sync: 'done',
    consensus: '43/0/propose',
    validators: 1,
  });
  const metrics = metricsText(now);
  const chain = `chain_id="${'c'.repeat(64)}"`;
  expect(metrics).toContain(`ledger_height{${chain}} 42`);
  expect(metrics).toContain(`ledger_role{${chain},role="validator"} 1`);
  expect(metrics).toContain(`ledger_role{${chain},role="observer"} 0`);
  expect(metrics).toContain(`ledger_dropped_total{${chain},type="vote"} 3`);
  expect(metrics).toContain(`ledger_gossip_messages_total{${chain},verdict="rejected"} 2`);
  expect(metrics).toContain('process_uptime_seconds 6');
  // Every sample line is `name{labels} value`; every family has HELP and TYPE.
  for (const line of metrics.trim().split('\n')) {
    expect(line).toMatch(/^(# (HELP|TYPE) \w+ .+|\w+(\{[^}]*\})? [\d.e+-]+)$/);
  }
});

test('the endpoint serves /status, /metrics and /health, read-only', async () => {
  server = await startStatusServer(
    { host: '127.0.0.1', port: 0 },
    { snapshot: async () => snapshot(), healthy: () => true },
  );
  const status = await fetch(`${server.url}/status`);
  expect(status.headers.get('content-type')).toBe('application/json');
  expect(((await status.json()) as StatusSnapshot).ledger.height).toBe(42);
  const metrics = await fetch(`${server.url}/metrics`);
  expect(await metrics.text()).toContain('ledger_height');
  expect((await fetch(`${server.url}/health`)).status).toBe(200);
  expect((await fetch(`${server.url}/nothing`)).status).toBe(404);
  const post = await fetch(`${server.url}/status`, { method: 'POST', body: 'x' });
  expect(post.status).toBe(405);
  expect(post.headers.get('allow')).toBe('GET, HEAD');
});

test('invites name addresses a browser can dial, public ones first', () => {
  const id = '/p2p/12D3KooW';
  expect(
    browserDialable([
      `/ip4/127.0.0.1/tcp/4001${id}`,
      `/ip4/127.0.0.1/tcp/4002/ws${id}`,
      `/ip4/203.0.113.7/tcp/4002/ws${id}`,
      `/dns4/peer.example.org/tcp/443/tls/ws${id}`,
      `/ip4/198.51.100.1/tcp/4002/ws/p2p/relay/p2p-circuit${id}`,
    ]),
  ).toEqual([
    `/ip4/203.0.113.7/tcp/4002/ws${id}`,
    `/dns4/peer.example.org/tcp/443/tls/ws${id}`,
    `/ip4/127.0.0.1/tcp/4002/ws${id}`,
  ]);
});

test('--approve names a device by fingerprint, address or public key', () => {
  const request = { publicKey: '0123456789abcdef'.repeat(4), address: 'ab'.repeat(20) };
  expect(isNamed(request, ['0123456789abcdef'])).toBe(true);
  expect(isNamed(request, ['ab'.repeat(20)])).toBe(true);
  expect(isNamed(request, [request.publicKey])).toBe(true);
  expect(isNamed(request, ['fedcba9876543210', 'cd'.repeat(20)])).toBe(false);
});
