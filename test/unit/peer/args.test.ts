// The peer's command line: each mode, the defaults, and a mistake as a usage exit (64) that says
// what to change.
import { describe, expect, test } from 'vitest';
import {
  HELP,
  LISTEN_DEFAULT,
  parseHostPort,
  parsePeerArgs,
  truncateUtf8,
  type PeerConfig,
} from '../../../src/peer/args';
import { EXIT, PeerExit } from '../../../src/peer/exit-codes';

const config = (argv: string[]): PeerConfig => {
  const parsed = parsePeerArgs(argv, { XDG_DATA_HOME: '/data' });
  if (parsed.help) throw new Error('unexpected --help');
  return parsed.config;
};

function usageError(argv: string[]): string {
  try {
    parsePeerArgs(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(PeerExit);
    expect((error as PeerExit).code).toBe(EXIT.usage);
    return (error as Error).message;
  }
  throw new Error(`accepted: ${argv.join(' ')}`);
}

describe('peer command line', () => {
  test('--help explains every option it accepts', () => {
    expect(parsePeerArgs(['--help'])).toEqual({ help: true });
    for (const option of [
      '--invite',
      '--create',
      '--name',
      '--balance',
      '--ledger',
      '--label',
      '--observer',
      '--approve',
      '--app-url',
      '--data-dir',
      '--listen',
      '--announce',
      '--relay',
      '--peer',
      '--no-relay-server',
      '--no-webrtc',
      '--ice-server',
      '--turn-username',
      '--turn-credential-file',
      '--network-config',
      '--webrtc-bind',
      '--tls-cert',
      '--tls-key',
      '--http',
      '--status-interval',
      '--log-level',
      '--log-format',
    ]) {
      expect(HELP).toContain(option);
    }
  });

  test('the three modes and the defaults', () => {
    const resume = config([]);
    expect(resume.mode).toEqual({ type: 'resume' });
    expect(resume.dataDir).toBe('/data/p2p-ledger-peer');
    expect(resume.listen).toEqual(LISTEN_DEFAULT);
    expect(resume.http).toEqual({ host: '127.0.0.1', port: 8090 });
    expect(resume).toMatchObject({
      relayServer: true,
      webrtc: true,
      iceServers: [],
      observer: false,
    });
    expect(resume.label).toMatch(/^always-on peer \(/);

    expect(config(['--invite', 'http://x/join#abc']).mode).toEqual({
      type: 'invite',
      link: 'http://x/join#abc',
    });
    const address = 'ab'.repeat(20);
    expect(config(['--create', '--name', ' Family ', '--balance', `${address}=500`]).mode).toEqual({
      type: 'create',
      name: 'Family',
      balances: [{ address, amount: 500 }],
      access: 'private',
    });
    expect(config(['--create', '--name', 'Board', '--public']).mode).toMatchObject({
      access: 'public',
    });
  });

  test('options with values', () => {
    const c = config([
      '--data-dir',
      '/srv/peer',
      '--listen',
      '/ip4/0.0.0.0/tcp/443/tls/ws',
      '--announce',
      '/dns4/peer.example.org/tcp/443/tls/ws',
      '--relay',
      '/dns4/relay.example.org/tcp/443/wss/p2p/12D3KooWRrSVzSxS2vVWVH11aJ5Jzx85XjA5wGoKuzeEosYQbT37',
      '--ice-server',
      'stun:stun.example.org:3478',
      '--ice-server',
      'turn:turn.example.org:3478?transport=udp',
      '--turn-username',
      'peer',
      '--turn-credential-file',
      '/etc/peer/turn',
      '--http',
      '[::1]:9000',
      '--approve',
      '0123456789ABCDEF',
      '--status-interval',
      '0',
      '--log-level',
      'debug',
      '--no-webrtc',
      '--no-relay-server',
      '--observer',
    ]);
    expect(c).toMatchObject({
      dataDir: '/srv/peer',
      listen: ['/ip4/0.0.0.0/tcp/443/tls/ws'],
      iceServers: [
        { urls: 'stun:stun.example.org:3478' },
        { urls: 'turn:turn.example.org:3478?transport=udp' },
      ],
      turn: { username: 'peer', credentialFile: '/etc/peer/turn' },
      http: { host: '::1', port: 9000 },
      approve: ['0123456789abcdef'],
      statusIntervalS: 0,
      logLevel: 'debug',
      webrtc: false,
      relayServer: false,
      observer: true,
    });
    expect(config(['--http', 'off']).http).toBeNull();
    expect(parseHostPort('127.0.0.1:0')).toEqual({ host: '127.0.0.1', port: 0 });
  });

  test('mistakes are usage errors that say what is wrong', () => {
    expect(usageError(['--invite', 'x', '--create', '--name', 'n'])).toMatch(/either/);
    expect(usageError(['--create'])).toMatch(/--create needs --name/);
    expect(usageError(['--name', 'n'])).toMatch(/--name goes with --create/);
    expect(usageError(['--public'])).toMatch(/--public goes with --create/);
    expect(usageError(['--create', '--name', 'n', '--balance', 'nope'])).toMatch(/--balance/);
    expect(usageError(['--listen', 'not-a-multiaddr'])).toMatch(/not a multiaddr/);
    expect(usageError(['--http', 'localhost'])).toMatch(/host:port/);
    expect(usageError(['--ice-server', 'http://stun'])).toMatch(/stun:/);
    expect(usageError(['--turn-username', 'u'])).toMatch(/both/);
    expect(usageError(['--tls-cert', 'c'])).toMatch(/both/);
    expect(usageError(['--log-level', 'loud'])).toMatch(/--log-level/);
    expect(usageError(['--status-interval', '-1'])).toMatch(/--status-interval/);
    expect(usageError(['--approve', 'xyz'])).toMatch(/fingerprint/);
    expect(usageError(['--ledger', 'abc'])).toMatch(/chain id/);
    expect(usageError(['--label', 'x'.repeat(65)])).toMatch(/64 bytes/);
    expect(usageError(['--app-url', 'ftp://x'])).toMatch(/http/);
    expect(usageError(['--unknown'])).toMatch(/see --help/);
    expect(usageError(['positional'])).toMatch(/see --help/);
  });

  test('labels are cut at a character boundary', () => {
    expect(truncateUtf8('ab€', 4)).toBe('ab');
    expect(truncateUtf8('ab€', 5)).toBe('ab€');
  });
});
