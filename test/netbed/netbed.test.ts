// Devices on different networks, in a simulated internet (topology.ts): a public host set up
// from deploy/ (app over HTTPS, relay over wss, coturn) and four homes behind their own routers:
//   home 1  cone NAT        Chromium device A (creates the ledger), later device F
//   home 2  cone NAT        Chromium device B, and a Firefox device E
//   home 3  symmetric NAT   Chromium device C: no direct path exists, only TURN
//   home 4  drops all UDP   Chromium device D: TURN over TCP
// The scenarios build on each other (one ledger grows device by device), in file order.
import { createHmac } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import {
  committed,
  joinAsValidator,
  status,
  until,
  type DevicePage,
} from '../browser/support/ledger-devices';
import { ED25519_VECTORS } from '../support/ed25519-vectors';
import { turnCredential } from '../../src/server/turn-credentials';
import type { IcePair } from '../browser/pages/ice-pairs';
import { describePair, icePairsWhen, usesRelay, votedInCommit } from './ledger-checks';
import { openNetbed, type Netbed } from './netbed';
import { RELAY_PORT, TURN_PORT } from './public-host';
import { PUBLIC_IP } from './topology';

let netbed: Netbed;
const ledger = { chainId: '', link: '', validators: [] as DevicePage[] };
const device: Record<'a' | 'b' | 'c' | 'd', Page | undefined> & { e?: DevicePage } = {
  a: undefined,
  b: undefined,
  c: undefined,
  d: undefined,
};
const need = <T>(value: T | undefined, what: string): T => {
  if (value === undefined) throw new Error(`${what} is missing: an earlier scenario failed`);
  return value;
};

beforeAll(async () => {
  netbed = await openNetbed(['cone', 'cone', 'symmetric', 'no-udp']);
});

afterAll(async () => {
  await netbed?.close();
});

function logPairs(label: string, pairs: IcePair[]) {
  console.log(`${label}: ${pairs.map(describePair).join('; ')}`);
}

test('TURN credentials are short-lived REST credentials minted per request; the secret never reaches a page', async () => {
  const context = await netbed.chromiumContext(0);
  const page = await context.newPage();
  await page.goto(`${netbed.host.appUrl}/node.html`);
  const body = await page.evaluate(() => fetch('/relay.json').then((r) => r.text()));
  const config = JSON.parse(body) as {
    iceServers: { urls: string[]; username?: string; credential?: string }[];
    iceServersExpireAtMs: number;
  };
  const turn = config.iceServers.find((s) => s.username !== undefined);
  const username = need(turn?.username, 'a TURN server in /relay.json');
  const [expiry, id] = username.split(':');
  const nowS = Date.now() / 1000;
  expect(Number(expiry)).toBeGreaterThan(nowS);
  expect(Number(expiry)).toBeLessThanOrEqual(nowS + 3600 + 5);
  expect(id).toMatch(/^[0-9a-f]+$/);
  expect(turn?.credential).toBe(
    createHmac('sha1', netbed.host.turnSecret).update(username).digest('base64'),
  );
  expect(config.iceServersExpireAtMs).toBe(Number(expiry) * 1000);
  // The secret is in no answer and no file the server hands to pages.
  expect(body).not.toContain(netbed.host.turnSecret);
  const served = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? served(path) : [path];
    });
  for (const file of served(netbed.host.buildDir)) {
    expect(readFileSync(file, 'utf8').includes(netbed.host.turnSecret), file).toBe(false);
  }

  // coturn accepts the fresh credential and refuses an expired or forged one: a relay
  // candidate is gathered only with the first.
  const relayCandidates = (server: { urls: string[]; username: string; credential: string }) =>
    page.evaluate(async (iceServer) => {
      const connection = new RTCPeerConnection({
        iceServers: [iceServer],
        iceTransportPolicy: 'relay',
      });
      const found: string[] = [];
      connection.onicecandidate = (event) => {
        if (event.candidate?.candidate) found.push(event.candidate.candidate);
      };
      connection.createDataChannel('probe');
      await connection.setLocalDescription(await connection.createOffer());
      await new Promise<void>((resolve) => {
        const done = () => connection.iceGatheringState === 'complete' && resolve();
        connection.onicegatheringstatechange = done;
        setTimeout(resolve, 10_000);
      });
      connection.close();
      return found.filter((c) => c.includes(' typ relay'));
    }, server);
  const turnUdp = [`turn:${PUBLIC_IP}:${TURN_PORT}?transport=udp`];
  const fresh = turnCredential(netbed.host.turnSecret, { nowMs: Date.now(), ttlS: 600 });
  const expired = turnCredential(netbed.host.turnSecret, {
    nowMs: Date.now() - 2 * 600_000,
    ttlS: 600,
  });
  const forged = turnCredential('not-the-secret-of-this-server', { nowMs: Date.now(), ttlS: 600 });
  expect(await relayCandidates({ urls: turnUdp, ...fresh })).not.toEqual([]);
  expect(await relayCandidates({ urls: turnUdp, ...expired })).toEqual([]);
  expect(await relayCandidates({ urls: turnUdp, ...forged })).toEqual([]);
  await context.close();
});

test('the app is served over HTTPS from a CA the browser trusts: a secure context with WebCrypto and a service worker, relay on wss', async () => {
  const context = await netbed.chromiumContext(0);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  const response = await page.goto(`${netbed.host.appUrl}/`);
  expect(response?.ok()).toBe(true);
  const secure = await page.evaluate(async () => ({
    secureContext: isSecureContext,
    webCrypto: typeof crypto.subtle?.generateKey === 'function',
    serviceWorker: Boolean(await navigator.serviceWorker.ready),
    relays: ((await (await fetch('/relay.json')).json()) as { relays: string[] }).relays,
  }));
  expect(secure).toMatchObject({ secureContext: true, webCrypto: true, serviceWorker: true });
  expect(secure.relays).toEqual([expect.stringMatching(`/tcp/${RELAY_PORT}/tls/ws/p2p/`)]);
  expect(errors).toEqual([]);
  await context.close();
});

test('two homes behind endpoint-independent NATs connect directly through STUN (no relay)', async () => {
  const [home1, home2] = netbed.homes as [(typeof netbed.homes)[0], (typeof netbed.homes)[0]];
  const a = (device.a = await netbed.chromiumDevice(0));
  ledger.chainId = await a.evaluate(() => window.ledger.create('netbed', 1_000_000));
  ledger.link = await a.evaluate((id) => window.ledger.invite(id), ledger.chainId);
  ledger.validators = [a];
  const b = (device.b = await netbed.chromiumDevice(1));
  await joinAsValidator(b, { ...ledger, label: 'B (cone NAT)' });
  ledger.validators.push(b);

  const direct = (pairs: IcePair[], peerWanIp: string) =>
    pairs.some((p) => p.remote.address === peerWanIp && !usesRelay(p));
  const aPairs = await icePairsWhen(a, 'A selects a direct pair with B', (pairs) =>
    direct(pairs, home2.wanIp),
  );
  const bPairs = await icePairsWhen(b, 'B selects a direct pair with A', (pairs) =>
    direct(pairs, home1.wanIp),
  );
  logPairs('scenario 1, A (cone)', aPairs);
  logPairs('scenario 1, B (cone)', bPairs);
  const ab = aPairs.find((p) => p.remote.address === home2.wanIp)!;
  expect(['host', 'srflx', 'prflx']).toContain(ab.local.type);
  expect(['srflx', 'prflx']).toContain(ab.remote.type);
  await votedInCommit(b, a, ledger.chainId, 'B');
});

test('a device behind a symmetric NAT joins through TURN as a validator, and the ledger commits with it', async () => {
  const c = (device.c = await netbed.chromiumDevice(2));
  await joinAsValidator(c, { ...ledger, label: 'C (symmetric NAT)' });
  ledger.validators.push(c);
  // C must reach both A and B, and only through TURN relay candidates.
  const cPairs = await icePairsWhen(
    c,
    'C connects to A and B',
    (pairs) => pairs.length >= 2 && pairs.every(usesRelay),
  );
  logPairs('scenario 2, C (symmetric)', cPairs);
  expect(cPairs.every(usesRelay)).toBe(true);
  // With 3 validators of equal power every commit needs C's precommit; check it crossed anyway.
  await votedInCommit(c, need(device.a, 'A'), ledger.chainId, 'C');
});

test('a device whose network drops all UDP takes part through TURN over TCP', async () => {
  const d = (device.d = await netbed.chromiumDevice(3));
  await joinAsValidator(d, { ...ledger, label: 'D (no UDP)' });
  ledger.validators.push(d);
  const dPairs = await icePairsWhen(
    d,
    'D connects to its peers over TURN/TCP',
    (pairs) =>
      pairs.length >= 2 &&
      pairs.every((p) => p.local.type === 'relay' && p.local.relayProtocol !== 'udp'),
  );
  logPairs('scenario 3, D (no UDP)', dPairs);
  await votedInCommit(d, need(device.a, 'A'), ledger.chainId, 'D');
});

test('a Firefox device reaches the same Ed25519 verdicts, joins the Chromium devices as a validator, votes and commits', async () => {
  const firefox = await netbed.firefoxDevice(1);
  await firefox.goto(`${netbed.host.appUrl}/ed25519-vectors.html`);
  await until('the vectors page loads', () =>
    firefox.evaluate(() => typeof window.runEd25519Vectors === 'function'),
  );
  const verdicts = await firefox.evaluate(() => window.runEd25519Vectors());
  expect(verdicts.map(({ name, verdict }) => ({ name, verdict }))).toEqual(
    ED25519_VECTORS.map((v) => ({ name: v.name, verdict: v.accept })),
  );
  // Firefox's own WebCrypto (NSS) without the pre-checks, for the record: the pre-checks are
  // what make it agree.
  const rawDisagreements = ED25519_VECTORS.filter((v, i) => verdicts[i]?.raw !== v.accept);
  console.log(
    `Firefox raw WebCrypto disagrees with the rule on ${rawDisagreements.length} of ` +
      `${ED25519_VECTORS.length} vectors: ${rawDisagreements.map((v) => v.name).join(', ')}`,
  );

  await firefox.goto(`${netbed.host.appUrl}/node.html`);
  await until('the node page loads in Firefox', () =>
    firefox.evaluate(() => window.ledger !== undefined),
  );
  device.e = firefox;
  await joinAsValidator(firefox, { ...ledger, label: `E (${firefox.version})` });
  ledger.validators.push(firefox);
  const ePairs = await icePairsWhen(firefox, 'E connects over WebRTC', (p) => p.length >= 1);
  logPairs('scenario 7, E (Firefox, cone)', ePairs);
  await votedInCommit(firefox, need(device.a, 'A'), ledger.chainId, 'E');
});

test('the relay dies: connected devices keep committing; it restarts: a new device joins', async () => {
  const a = need(device.a, 'A');
  await netbed.host.killServer();
  const entry = await a.evaluate(
    (id) => window.ledger.putRecord(id, 'while-relay-down', 'yes'),
    ledger.chainId,
  );
  const height = await committed(a, ledger.chainId, entry.hash);
  for (const page of ledger.validators) {
    await until('every device commits without the relay', async () =>
      (await status(page, ledger.chainId)).height >= height ? true : null,
    );
  }

  await netbed.host.startServer();
  const f = await netbed.chromiumDevice(0);
  const joined = await f.evaluate((link) => window.ledger.join(link), ledger.link);
  expect(joined).toBe(ledger.chainId);
  await until('the new device syncs past the height committed without the relay', async () =>
    (await status(f, ledger.chainId)).height >= height ? true : null,
  );
  const records = await f.evaluate((id) => window.ledger.records(id, ''), ledger.chainId);
  expect(records).toContainEqual(
    expect.objectContaining({ key: 'while-relay-down', value: 'yes' }),
  );
});
