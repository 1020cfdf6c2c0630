// The server's configuration from its environment (what `npm start`, the systemd unit in
// deploy/ and the testbed set), checked once at start-up so a mistake is one clear sentence.
//
//   HOST            listen address (default 127.0.0.1; 0.0.0.0 on a server)
//   PORT            app port (default 8080; 443 on a server)
//   PUBLIC_HOST     the name (or IP) browsers use for this server (default HOST)
//   TLS_CERT_FILE   PEM certificate chain + TLS_KEY_FILE its key: HTTPS for the app, wss for the
//                   relay (a page needs HTTPS for WebCrypto anywhere but on loopback)
//   RELAY_PORT      relay port (default PORT + 1)
//   RELAY_LISTEN / RELAY_ANNOUNCE   comma-separated multiaddrs, overriding the defaults
//   EXTRA_RELAYS    multiaddrs of other relays to publish too (several relays)
//   RELAY_KEY_FILE  the relay's persistent key (default node_modules/.cache/ledger-relay/key)
//   RELAY_CONNECTIONS_PER_ADDRESS_MAX / RELAY_RESERVATIONS_PER_ADDRESS_MAX   per source address
//                   (an IPv4 address or IPv6 /64; defaults in src/lib/net/limits.ts): raise them
//                   for a big shared NAT
//   STUN_URLS, TURN_URLS   comma-separated (stun:host:3478, turn:host:3478?transport=udp, ...)
//   TURN_SECRET_FILE       file holding coturn's static-auth-secret (or TURN_SECRET itself)
//   TURN_TTL_S      lifetime of the TURN credentials handed to pages (default 3600)
//   ALLOWED_ORIGINS origins whose pages may read /relay.json (a static host elsewhere)
//   BUILD_DIR       the built app (default build)
import { readFileSync } from 'node:fs';
import { TURN_TTL_S_DEFAULT, TURN_SECRET_CHARS_MIN } from './turn-credentials';

export const DEFAULT_RELAY_KEY_FILE = 'node_modules/.cache/ledger-relay/key';

export class ServerConfigError extends Error {
  override name = 'ServerConfigError';
}

export interface ServerConfig {
  host: string;
  port: number;
  publicHost: string;
  tls?: { cert: Buffer; key: Buffer };
  relayListen: string[];
  relayAnnounce: string[];
  extraRelays: string[];
  relayKeyFile: string;
  /** Per-address relay limits given in the environment (the rest keep their defaults). */
  relayLimits: { connectionsPerAddressMax?: number; reservationsPerAddressMax?: number };
  stunUrls: string[];
  turnUrls: string[];
  turnSecret?: string;
  turnTtlS: number;
  allowedOrigins: string[];
  buildDir: string;
}

export type Environment = Readonly<Record<string, string | undefined>>;

export function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function port(env: Environment, name: string, fallback: number): number {
  const value = env[name] === undefined || env[name] === '' ? fallback : Number(env[name]);
  if (!Number.isInteger(value) || value < 0 || value > 65_535) {
    throw new ServerConfigError(`${name} must be a port number (0-65535), not "${env[name]}"`);
  }
  return value;
}

function positive(env: Environment, name: string): number | undefined {
  if (env[name] === undefined || env[name] === '') return undefined;
  const value = Number(env[name]);
  if (!Number.isInteger(value) || value < 1) {
    throw new ServerConfigError(`${name} must be a whole number above 0, not "${env[name]}"`);
  }
  return value;
}

function readRequired(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new ServerConfigError(`cannot read ${what} ${path}: ${(error as Error).message}`);
  }
}

/** '/ip4/x', '/ip6/x' or '/dns4/x' for a host. */
export function hostMultiaddr(host: string): string {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(host)) return `/ip4/${host}`;
  if (host.includes(':')) return `/ip6/${host}`;
  return `/dns4/${host}`;
}

/** The TLS pair named by TLS_CERT_FILE / TLS_KEY_FILE (both or neither), or undefined. */
export function tlsFromEnvironment(env: Environment): { cert: Buffer; key: Buffer } | undefined {
  const certFile = env.TLS_CERT_FILE || undefined;
  const keyFile = env.TLS_KEY_FILE || undefined;
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new ServerConfigError('set both TLS_CERT_FILE and TLS_KEY_FILE, or neither');
  }
  if (certFile === undefined || keyFile === undefined) return undefined;
  return {
    cert: readRequired(certFile, 'the TLS certificate'),
    key: readRequired(keyFile, 'the TLS key'),
  };
}

/** RELAY_CONNECTIONS_PER_ADDRESS_MAX and RELAY_RESERVATIONS_PER_ADDRESS_MAX, if set. */
export function relayLimits(env: Environment): ServerConfig['relayLimits'] {
  const connections = positive(env, 'RELAY_CONNECTIONS_PER_ADDRESS_MAX');
  const reservations = positive(env, 'RELAY_RESERVATIONS_PER_ADDRESS_MAX');
  return {
    ...(connections !== undefined ? { connectionsPerAddressMax: connections } : {}),
    ...(reservations !== undefined ? { reservationsPerAddressMax: reservations } : {}),
  };
}

export function serverConfig(env: Environment): ServerConfig {
  const host = env.HOST || '127.0.0.1';
  const appPort = port(env, 'PORT', 8080);
  const relayPort = port(env, 'RELAY_PORT', appPort + 1);
  const publicHost = env.PUBLIC_HOST || host;
  const tls = tlsFromEnvironment(env);
  const ws = tls ? 'tls/ws' : 'ws';
  const relayListen = list(env.RELAY_LISTEN);
  const relayAnnounce = list(env.RELAY_ANNOUNCE);
  const turnUrls = list(env.TURN_URLS);
  let turnSecret = env.TURN_SECRET || undefined;
  if (env.TURN_SECRET_FILE) {
    turnSecret = readRequired(env.TURN_SECRET_FILE, 'the TURN secret').toString('utf8').trim();
  }
  if (turnUrls.length > 0 && turnSecret === undefined) {
    throw new ServerConfigError('TURN_URLS needs TURN_SECRET_FILE (coturn static-auth-secret)');
  }
  if (turnSecret !== undefined && turnSecret.length < TURN_SECRET_CHARS_MIN) {
    throw new ServerConfigError(`the TURN secret needs at least ${TURN_SECRET_CHARS_MIN} chars`);
  }
  return {
    host,
    port: appPort,
    publicHost,
    ...(tls ? { tls } : {}),
    relayListen: relayListen.length
      ? relayListen
      : [`${hostMultiaddr(host)}/tcp/${relayPort}/${ws}`],
    // Behind a name or a NAT the listen address is not what browsers dial: announce the public one.
    relayAnnounce:
      relayAnnounce.length || publicHost === host
        ? relayAnnounce
        : [`${hostMultiaddr(publicHost)}/tcp/${relayPort}/${ws}`],
    extraRelays: list(env.EXTRA_RELAYS),
    relayKeyFile: env.RELAY_KEY_FILE || DEFAULT_RELAY_KEY_FILE,
    relayLimits: relayLimits(env),
    stunUrls: list(env.STUN_URLS),
    turnUrls,
    ...(turnSecret !== undefined ? { turnSecret } : {}),
    turnTtlS: env.TURN_TTL_S ? Number(env.TURN_TTL_S) : TURN_TTL_S_DEFAULT,
    allowedOrigins: list(env.ALLOWED_ORIGINS),
    buildDir: env.BUILD_DIR || 'build',
  };
}
