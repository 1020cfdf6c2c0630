// The always-on peer as a daemon, two processes on loopback, no browser:
// - `--create` makes a ledger whose only validator it is and prints its invite link;
// - a second peer joins from that link and asks to become a validator; the first approves it
//   on its own (--approve with the second's fingerprint, as the log line of the request shows):
//   the ledger is private, so it admits it as a member first, then makes it a validator;
// - SIGTERM exits with 0; a restart resumes the same ledger at the same height; a mistake in
//   the command line exits with 64, a damaged invite with 65, a directory without a ledger with
//   66, a port in use with 69, a data directory in use by another process with 75.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { toHex } from '../../src/lib/core/hash';
import { generateStorableDeviceKey, openSqliteDeviceStore } from '../../src/lib/store/sqlite/index';
import { EXIT } from '../../src/peer/exit-codes';
import { freePort } from '../browser/support/relay-process';
import { spawnPeer, startPeerProcess, type PeerProcess } from '../support/peer-process';

const root = mkdtempSync(join(tmpdir(), 'ledger-peer-cli-'));
const running: PeerProcess[] = [];
afterAll(async () => {
  for (const peer of running) await peer.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

const loopback = ['--listen', '/ip4/127.0.0.1/tcp/0', '--listen', '/ip4/127.0.0.1/tcp/0/ws'];
const quiet = ['--no-webrtc', '--status-interval', '0'];

async function start(args: string[]): Promise<PeerProcess> {
  const listen = args.includes('--listen') ? [] : loopback;
  const peer = await startPeerProcess([...listen, ...quiet, ...args]);
  running.push(peer);
  return peer;
}

async function until<T>(what: string, probe: () => Promise<T | null>, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function exitCodeOf(args: string[]): Promise<number | null> {
  return (await spawnPeer([...quiet, ...args]).exited).code;
}

/** Seven peer processes start here; each takes seconds to start on a loaded machine (tsx). */
const TEST_TIMEOUT_MS = 300_000;

test(
  'two peers form a ledger by invite and approval; lock, stop, resume and exit codes',
  async () => {
    const t0 = performance.now();
    const phase = (what: string) =>
      console.log(`${((performance.now() - t0) / 1000).toFixed(1)} s: ${what}`);
    const dirA = join(root, 'a');
    const dirB = join(root, 'b');
    // B's key exists before A starts, so A can be told to approve it (its operator read the
    // fingerprint off B's first log line).
    const deviceB = await openSqliteDeviceStore({ directory: dirB });
    const keyB = await deviceB.putDeviceKeyIfAbsent(await generateStorableDeviceKey(Date.now()));
    await deviceB.close();
    const fingerprintB = toHex(keyB.publicKey).slice(0, 16);

    // A daemon listens on fixed ports, so peers that knew it find it again after a restart.
    const portsA = [
      ...['--listen', `/ip4/127.0.0.1/tcp/${await freePort()}`],
      ...['--listen', `/ip4/127.0.0.1/tcp/${await freePort()}/ws`],
    ];
    const a = await start([
      ...portsA,
      '--data-dir',
      dirA,
      '--create',
      '--name',
      'Home',
      '--approve',
      fingerprintB,
    ]);
    phase('A created the ledger');
    const chainId = String(a.started.chainId);
    const invite = (await a.waitForRecord('invite', (r) => r.msg === 'invite link')).link as string;
    expect(invite).toMatch(/^http:\/\/127\.0\.0\.1:8080\/join#/);

    const b = await start(['--data-dir', dirB, '--invite', invite, '--label', 'archive']);
    phase('B joined');
    expect(b.started.chainId).toBe(chainId);
    expect(b.started.fingerprint).toBe(fingerprintB);
    const request = await a.waitForRecord('the join request', (r) => r.msg === 'join request');
    expect(request).toMatchObject({ label: 'archive', kind: 'peer', fingerprint: fingerprintB });
    // The ledger is private (the default): B is admitted as a member first, then, as its request
    // asks, made a validator by a second approval.
    await a.waitForRecord(
      'admission',
      (r) => r.msg === 'approved a join request' && r.grants === 'member',
    );
    await a.waitForRecord(
      'approval',
      (r) => r.msg === 'approved a join request' && r.grants === 'validator',
    );
    await until('B is a validator', async () =>
      (await b.status()).ledger.role === 'validator' ? true : null,
    );
    phase('B is a validator');
    const status = await a.status();
    expect(status.validators.map((v) => v.power)).toEqual([10, 10]);
    expect(status.ledger.access).toMatchObject({ standing: 'member', members: 2 });
    // Its link carries the ledger's key: logged once at start, never served.
    expect(status.process.invite).toBeNull();
    expect(status.peers.map((p) => p.kind)).toContain('peer');

    // A clean stop, and a restart that resumes where it stopped (the browser test checks that a
    // restarted peer commits again).
    expect((await a.kill('SIGTERM')).code).toBe(EXIT.ok);
    const heightA = status.ledger.height;
    const again = await start([...portsA, '--data-dir', dirA, '--approve', fingerprintB]);
    expect(again.started.chainId).toBe(chainId);
    expect(Number(again.started.height)).toBeGreaterThanOrEqual(heightA);
    expect((await again.status()).ledger.role).toBe('validator');
    phase('A restarted');

    // Exit statuses that mean something (A runs meanwhile: its directory and ports are taken).
    const codes = await Promise.all([
      exitCodeOf(['--bogus']),
      exitCodeOf(['--data-dir', join(root, 'c'), '--invite', 'https://x/join#zz!']),
      exitCodeOf(['--data-dir', join(root, 'd'), ...loopback, '--http', 'off']),
      exitCodeOf(['--data-dir', dirA, ...loopback, '--http', 'off']),
      // The new ledger is made, then listening on A's ports fails.
      exitCodeOf(['--data-dir', join(root, 'e'), '--create', '--name', 'x', ...portsA]),
    ]);
    expect(codes).toEqual([
      EXIT.usage,
      EXIT.badInvite,
      EXIT.noLedger,
      EXIT.locked,
      EXIT.unavailable,
    ]);
    expect((await again.kill('SIGTERM')).code).toBe(EXIT.ok);
    phase('exit codes');
  },
  TEST_TIMEOUT_MS,
);
