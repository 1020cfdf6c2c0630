// The app server's /relay.json: made per request, never cached, readable across origins only by
// the origins it is told (a copy of the app on a static host elsewhere). Its security headers:
// the page's own Content-Security-Policy with frame-ancestors 'none', nosniff, no referrer.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startStaticServer, type StaticServer } from '../../src/server/static-server';

let server: StaticServer;
const PAGE_POLICY = "default-src 'self'; script-src 'self' 'sha256-abc='";
let requests = 0;

beforeAll(async () => {
  const root = mkdtempSync(join(tmpdir(), 'static-server-'));
  writeFileSync(
    join(root, 'index.html'),
    `<!doctype html><meta http-equiv="content-security-policy" content="${PAGE_POLICY}"><title>app</title>`,
  );
  writeFileSync(join(root, 'plain.html'), '<!doctype html><title>no policy</title>');
  server = await startStaticServer({
    root,
    host: '127.0.0.1',
    port: 0,
    networkConfig: () => ({ relays: [`/relay/${++requests}`], iceServers: [] }),
    allowedOrigins: ['https://app.example.net'],
  });
});

afterAll(() => server?.close());

test('/relay.json is made per request and not cached', async () => {
  const first = await fetch(`${server.url}/relay.json`);
  const second = await fetch(`${server.url}/relay.json`);
  expect(first.headers.get('cache-control')).toBe('no-store');
  expect(((await first.json()) as { relays: string[] }).relays).not.toEqual(
    ((await second.json()) as { relays: string[] }).relays,
  );
});

test('only the allowed origins may read /relay.json from their pages', async () => {
  const from = (origin: string) =>
    fetch(`${server.url}/relay.json`, { headers: { origin } }).then((r) =>
      r.headers.get('access-control-allow-origin'),
    );
  expect(await from('https://app.example.net')).toBe('https://app.example.net');
  expect(await from('https://evil.example')).toBeNull();
});

test('client-side routes get the app shell', async () => {
  const response = await fetch(`${server.url}/join`);
  expect(response.status).toBe(200);
  expect(await response.text()).toContain('<title>app</title>');
});

test('pages carry their own policy as a header, with frame-ancestors; every response nosniff', async () => {
  const page = await fetch(`${server.url}/ledger/x`);
  expect(page.headers.get('content-security-policy')).toBe(
    `${PAGE_POLICY}; frame-ancestors 'none'`,
  );
  expect(page.headers.get('x-frame-options')).toBe('DENY');
  const plain = await fetch(`${server.url}/plain.html`);
  expect(plain.headers.get('content-security-policy')).toBe("frame-ancestors 'none'");
  for (const path of ['/ledger/x', '/relay.json', '/_app/missing.js']) {
    const response = await fetch(`${server.url}${path}`);
    expect([path, response.headers.get('x-content-type-options')]).toEqual([path, 'nosniff']);
    expect([path, response.headers.get('referrer-policy')]).toEqual([path, 'no-referrer']);
  }
});
