// The always-on peer's command line: what each option means (HELP), and parsing it into a
// checked PeerConfig. Pure apart from reading the host name and home directory for defaults: a
// mistake is a PeerExit(usage) with one sentence saying what to change.
import { homedir, hostname } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { multiaddr } from '@multiformats/multiaddr';
import { ADDRESS_PATTERN } from '../lib/core/encoding';
import type { IceServer } from '../lib/net/network';
import { JOIN_LABEL_BYTES_MAX } from '../lib/node/wire';
import { EXIT, PeerExit } from './exit-codes';
import { LOG_LEVELS, type LogFormat, type LogLevel } from './logger';

export const HTTP_DEFAULT = '127.0.0.1:8090';
export const LISTEN_DEFAULT = ['/ip4/0.0.0.0/tcp/4001', '/ip4/0.0.0.0/tcp/4002/ws'];
export const APP_URL_DEFAULT = 'http://127.0.0.1:8080';
export const STATUS_INTERVAL_S_DEFAULT = 60;
/** Circuit-relay reservations the peer grants browsers (signaling only; small by design). */
export const RELAY_RESERVATIONS_DEFAULT = 64;
/** Repeatable options hold at most this many values (a command line, not a list of peers). */
const VALUES_MAX = 16;

export const HELP = `Usage:
  npm run peer -- --invite '<link>'          join a ledger and ask to become a validator
  npm run peer -- --create --name '<name>'   create a ledger whose first validator is this peer
  npm run peer                               resume the ledger in the data directory

The always-on peer is the same full node as a browser tab, headless: it verifies every block,
keeps the whole chain on disk (SQLite), votes as a validator once approved, and serves the
chain to devices that sync, even when every browser is closed.

Ledger:
  --invite <link>          An invite link from the app (Devices page). The peer joins that
                           ledger, syncs it and asks the validators to add it; its request
                           shows up on their Devices page as an "always-on peer". Running it
                           again with the same link resumes.
  --create                 Create a new ledger with this peer as its only validator, and print
                           its invite link (and a QR code in a terminal). The ledger is
                           private: only devices holding its invite link can find or read it,
                           and only members write (the link carries its key: share it as a
                           secret).
  --public                 With --create: a public ledger instead (anyone who learns its chain
                           id can read it).
  --name <name>            The new ledger's name (with --create).
  --balance <addr>=<n>     An initial balance in the new ledger (with --create; repeatable).
                           Devices need an account to write; this gives one.
  --ledger <chain id>      Which ledger to run when the data directory holds several.
  --label <text>           The name validators see in this peer's join request, and
                           invitees in its invite link (default "always-on peer (<host name>)").
  --observer               Follow and serve the ledger without asking to become a validator (on a
                           private ledger it asks to become a member, to keep receiving its key).
  --approve <key>          Approve the join requests of this device (its fingerprint, public
                           key or address, as its Devices page shows; repeatable). Needed with
                           --create, where this peer is the only validator. On a private ledger
                           this admits the device as a member, and makes it a validator only if
                           its request asks for that.
  --app-url <url>          The app's address, written into invite links
                           (default ${APP_URL_DEFAULT}, or the --invite link's).

Storage:
  --data-dir <path>        Where the peer keeps its key, ledgers and lock (default
                           $XDG_DATA_HOME/p2p-ledger-peer or ~/.local/share/p2p-ledger-peer).
                           One process per directory: a second one exits with status 75.

Network:
  --listen <multiaddr>     Where to accept connections (repeatable; default
                           ${LISTEN_DEFAULT.join(' and ')}).
                           Browsers dial /ws (or /tls/ws with --tls-cert) addresses; peers /tcp.
  --announce <multiaddr>   A public address to tell others (a forwarded port, a DNS name:
                           /dns4/peer.example.org/tcp/443/tls/ws); written into invite links.
  --relay <multiaddr>      A relay to keep a reservation on, so browsers behind NAT can reach
                           this peer over WebRTC (repeatable; the invite's relays are added).
  --peer <multiaddr>       Another node to dial directly at start (repeatable).
  --no-relay-server        Do not relay signaling for browsers (by default the peer does, for
                           up to ${RELAY_RESERVATIONS_DEFAULT} reservations, so its ledger works when the relay is gone).
  --no-webrtc              No WebRTC (only TCP and WebSockets).
  --ice-server <url>       A STUN or TURN server for WebRTC (stun:host:3478,
                           turn:host:3478?transport=udp; repeatable). Default: none, which
                           reaches devices on the same network only.
  --turn-username <name>   TURN username, with --turn-credential-file.
  --turn-credential-file <path>
                           A file holding the TURN password (not on the command line: ps shows
                           it to every user).
  --network-config <url>   The app server's /relay.json: its relays and STUN/TURN servers, with
                           short-lived TURN credentials fetched again before they expire.
  --webrtc-bind <ip>       Gather WebRTC candidates on this local address only.
  --tls-cert <file>        PEM certificate chain for /tls/ws listen addresses (what browsers on
  --tls-key <file>         an HTTPS page must dial), and its key.

Operations:
  --http <host:port>|off   A read-only HTTP endpoint: GET /status (JSON), /metrics
                           (Prometheus), /health (default ${HTTP_DEFAULT}; loopback only
                           unless you give another address).
  --status-interval <s>    Seconds between one-line status reports (default
                           ${STATUS_INTERVAL_S_DEFAULT}; 0: only on start and on changes of role).
  --log-level <level>      debug, info, warn or error (default info).
  --log-format <format>    json (one object per line) or text (default: text in a terminal,
                           json otherwise).
  --help                   This text.

Exit status: 0 stopped by SIGTERM/SIGINT, 1 unexpected error, 2 shutdown timed out,
64 bad command line, 65 bad invite link, 66 no ledger to run, 69 address in use,
73 data directory not writable, 74 database damaged or disk full, 75 data directory in use.
`;

export type PeerMode =
  | { type: 'invite'; link: string }
  | {
      type: 'create';
      name: string;
      balances: { address: string; amount: number }[];
      access: 'private' | 'public';
    }
  | { type: 'resume' };

export interface PeerConfig {
  mode: PeerMode;
  /** --ledger: the chain id to run, when the data directory holds several. */
  ledger: string | null;
  dataDir: string;
  label: string;
  observer: boolean;
  /** Fingerprints (16 hex), public keys (64 hex) or addresses (40 hex) to approve. */
  approve: string[];
  appUrl: string | null;
  listen: string[];
  announce: string[];
  relays: string[];
  peers: string[];
  relayServer: boolean;
  webrtc: boolean;
  iceServers: IceServer[];
  turn: { username: string; credentialFile: string } | null;
  networkConfigUrl: string | null;
  webrtcBind: string | null;
  tls: { certFile: string; keyFile: string } | null;
  http: { host: string; port: number } | null;
  statusIntervalS: number;
  logLevel: LogLevel;
  logFormat: LogFormat | 'auto';
}

export type ParsedArgs = { help: true } | { help: false; config: PeerConfig };

function usage(message: string): PeerExit {
  return new PeerExit(EXIT.usage, `${message} (see --help)`);
}

function defaultDataDir(env: Readonly<Record<string, string | undefined>>): string {
  const base = env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(base, 'p2p-ledger-peer');
}

function defaultLabel(): string {
  return truncateUtf8(`always-on peer (${hostname()})`, JOIN_LABEL_BYTES_MAX);
}

/** The longest prefix of `text` that fits in `bytesMax` UTF-8 bytes (whole characters). */
export function truncateUtf8(text: string, bytesMax: number): string {
  let out = '';
  for (const char of text) {
    if (new TextEncoder().encode(out + char).length > bytesMax) break;
    out += char;
  }
  return out;
}

function multiaddrs(option: string, values: string[] | undefined): string[] {
  const list = values ?? [];
  if (list.length > VALUES_MAX) throw usage(`--${option} takes at most ${VALUES_MAX} values`);
  for (const value of list) {
    try {
      multiaddr(value);
    } catch {
      throw usage(`--${option} ${value} is not a multiaddr (like /ip4/203.0.113.7/tcp/4001)`);
    }
  }
  return list;
}

/** `host:port` or `[v6]:port`; port 0 picks a free one (tests). */
export function parseHostPort(text: string): { host: string; port: number } {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  const port = Number(match?.[3]);
  if (!match || port > 65_535) throw usage(`--http ${text} is not host:port (or off)`);
  return { host: (match[1] ?? match[2]) as string, port };
}

function balance(text: string): { address: string; amount: number } {
  const [address, amountText] = text.split('=');
  const amount = Number(amountText);
  if (!address || !ADDRESS_PATTERN.test(address) || !Number.isSafeInteger(amount) || amount < 0) {
    throw usage(`--balance ${text} is not <address>=<amount> (40 hex digits = a whole number)`);
  }
  return { address, amount };
}

function iceServer(url: string): IceServer {
  if (!/^(stun|stuns|turn|turns):[^\s]+$/.test(url)) {
    throw usage(`--ice-server ${url} is not a stun:, stuns:, turn: or turns: URL`);
  }
  return { urls: url };
}

function approveKey(text: string): string {
  const key = text.toLowerCase();
  if (!/^([0-9a-f]{16}|[0-9a-f]{40}|[0-9a-f]{64})$/.test(key)) {
    throw usage(`--approve ${text} is not a fingerprint (16 hex), address (40) or key (64)`);
  }
  return key;
}

function appUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw usage(`--app-url ${text} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw usage(`--app-url ${text} must be http: or https:`);
  }
  return text.replace(/\/$/, '');
}

export function parsePeerArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): ParsedArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h' },
        invite: { type: 'string' },
        create: { type: 'boolean' },
        public: { type: 'boolean' },
        name: { type: 'string' },
        balance: { type: 'string', multiple: true },
        ledger: { type: 'string' },
        label: { type: 'string' },
        observer: { type: 'boolean' },
        approve: { type: 'string', multiple: true },
        'app-url': { type: 'string' },
        'data-dir': { type: 'string' },
        listen: { type: 'string', multiple: true },
        announce: { type: 'string', multiple: true },
        relay: { type: 'string', multiple: true },
        peer: { type: 'string', multiple: true },
        'no-relay-server': { type: 'boolean' },
        'no-webrtc': { type: 'boolean' },
        'ice-server': { type: 'string', multiple: true },
        'turn-username': { type: 'string' },
        'turn-credential-file': { type: 'string' },
        'network-config': { type: 'string' },
        'webrtc-bind': { type: 'string' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        http: { type: 'string' },
        'status-interval': { type: 'string' },
        'log-level': { type: 'string' },
        'log-format': { type: 'string' },
      },
    }));
  } catch (error) {
    throw usage((error as Error).message.split('\n')[0] ?? 'bad command line');
  }
  if (values.help) return { help: true };

  if (values.invite !== undefined && values.create) {
    throw usage('give either --invite or --create, not both');
  }
  if (values.create && !values.name?.trim()) throw usage('--create needs --name');
  if (!values.create && values.name !== undefined) throw usage('--name goes with --create');
  if (!values.create && values.balance) throw usage('--balance goes with --create');
  if (!values.create && values.public) throw usage('--public goes with --create');
  const mode: PeerMode =
    values.invite !== undefined
      ? { type: 'invite', link: values.invite }
      : values.create
        ? {
            type: 'create',
            name: (values.name ?? '').trim(),
            balances: (values.balance ?? []).map(balance),
            access: values.public ? 'public' : 'private',
          }
        : { type: 'resume' };

  if (values.ledger !== undefined && !/^[0-9a-f]{64}$/.test(values.ledger)) {
    throw usage(`--ledger ${values.ledger} is not a chain id (64 hex digits)`);
  }
  const label = values.label ?? defaultLabel();
  if (new TextEncoder().encode(label).length > JOIN_LABEL_BYTES_MAX) {
    throw usage(`--label is longer than ${JOIN_LABEL_BYTES_MAX} bytes`);
  }
  if ((values['turn-username'] === undefined) !== (values['turn-credential-file'] === undefined)) {
    throw usage('give both --turn-username and --turn-credential-file, or neither');
  }
  if ((values['tls-cert'] === undefined) !== (values['tls-key'] === undefined)) {
    throw usage('give both --tls-cert and --tls-key, or neither');
  }
  const statusIntervalS = Number(values['status-interval'] ?? STATUS_INTERVAL_S_DEFAULT);
  if (!Number.isInteger(statusIntervalS) || statusIntervalS < 0 || statusIntervalS > 86_400) {
    throw usage('--status-interval is a whole number of seconds (0 to 86400)');
  }
  const logLevel = (values['log-level'] ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw usage(`--log-level is one of ${LOG_LEVELS.join(', ')}`);
  const logFormat = values['log-format'] ?? 'auto';
  if (logFormat !== 'json' && logFormat !== 'text' && logFormat !== 'auto') {
    throw usage('--log-format is json or text');
  }
  const http = values.http ?? HTTP_DEFAULT;
  const iceServers = (values['ice-server'] ?? []).map(iceServer);
  if (iceServers.length > VALUES_MAX) throw usage(`at most ${VALUES_MAX} --ice-server`);

  return {
    help: false,
    config: {
      mode,
      ledger: values.ledger ?? null,
      dataDir: values['data-dir'] ?? defaultDataDir(env),
      label,
      observer: values.observer ?? false,
      approve: (values.approve ?? []).map(approveKey),
      appUrl: values['app-url'] !== undefined ? appUrl(values['app-url']) : null,
      listen: values.listen ? multiaddrs('listen', values.listen) : [...LISTEN_DEFAULT],
      announce: multiaddrs('announce', values.announce),
      relays: multiaddrs('relay', values.relay),
      peers: multiaddrs('peer', values.peer),
      relayServer: !values['no-relay-server'],
      webrtc: !values['no-webrtc'],
      iceServers,
      turn:
        values['turn-username'] !== undefined && values['turn-credential-file'] !== undefined
          ? {
              username: values['turn-username'],
              credentialFile: values['turn-credential-file'],
            }
          : null,
      networkConfigUrl: values['network-config'] ?? null,
      webrtcBind: values['webrtc-bind'] ?? null,
      tls:
        values['tls-cert'] !== undefined && values['tls-key'] !== undefined
          ? { certFile: values['tls-cert'], keyFile: values['tls-key'] }
          : null,
      http: http === 'off' ? null : parseHostPort(http),
      statusIntervalS,
      logLevel,
      logFormat,
    },
  };
}
