// The always-on peer's composition root: the browser's full node (FullNode and its parts), built
// with what a server has instead of what a tab has. SQLite instead of IndexedDB (the data
// directory, locked to this process), the system clock and timers instead of Worker timers, a
// Node libp2p (TCP, WebSockets, WebRTC through node-datachannel, a relay for its ledger's
// browsers) instead of the tab's, and the same WebCrypto signer and verifier. It starts the parts
// in order and stops them in reverse; a failure while starting stops what had started.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { PeerKind } from '../lib/net/agent';
import { InviteError, inviteLink, makeInvite } from '../lib/node/invite';
import { cachingVerifier, webCryptoSigner, webCryptoVerifier } from '../lib/crypto/index';
import type { Libp2pNetwork } from '../lib/net/libp2p-network';
import type { IceServer } from '../lib/net/network';
import {
  fetchNetworkConfig,
  liveIceServers,
  type PublishedNetworkConfig,
} from '../lib/net/network-config';
import { createNodeNetwork } from '../lib/net/node-network';
import type { NodeEvent } from '../lib/node/api';
import { systemClock, systemTimers } from '../lib/node/clock';
import {
  createLedger,
  joinLedger,
  ledgerEntry,
  LedgerNotFoundError,
  type DeviceLedgers,
} from '../lib/node/device-ledgers';
import { FullNode } from '../lib/node/full-node';
import { SchemaError, StorageFullError } from '../lib/store/errors';
import {
  generateStorableDeviceKey,
  openSqliteDeviceStore,
  openSqliteLedgerStore,
  sqliteLedgerPath,
  type SqliteDeviceStore,
} from '../lib/store/sqlite/index';
import type { DeviceKey, LedgerEntry } from '../lib/store/types';
import { loadOrCreateRelayKey } from '../relay/key';
import type { PeerConfig } from './args';
import { APP_URL_DEFAULT, RELAY_RESERVATIONS_DEFAULT } from './args';
import { startAutoApprove } from './auto-approve';
import { browserDialable, peerIdOf } from './invite-addresses';
import { DataDirLockedError, lockDataDir } from './data-dir-lock';
import { EXIT, PeerExit } from './exit-codes';
import type { Logger } from './logger';
import { snapshotOf, statusLineFields, type StatusSnapshot } from './status-report';
import { startStatusServer } from './status-server';

/** The libp2p key, so the peer id (and every invite link naming it) survives restarts. */
export const PEER_KEY_FILE = 'peer-key';
const KIND: PeerKind = 'peer';
/** How long fetching --network-config may take at start. */
const NETWORK_CONFIG_TIMEOUT_MS = 10_000;

export interface Peer {
  readonly chainId: string;
  readonly node: FullNode;
  /** The status endpoint's URL, or null with --http off. */
  readonly statusUrl: string | null;
  /** An invite link to this ledger that names this peer's own addresses first. */
  inviteLink(): string;
  snapshot(): Promise<StatusSnapshot>;
  /** Stops everything in reverse order; resolves once the store is closed and the lock free. */
  stop(): Promise<void>;
}

function packageVersion(): string {
  try {
    const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
    return String((JSON.parse(text) as { version?: unknown }).version ?? 'unknown');
  } catch {
    return 'unknown';
  }
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

/** The error as the exit it means (see exit-codes.ts). */
export function exitOf(error: unknown): PeerExit {
  if (error instanceof PeerExit) return error;
  const message = (error as Error)?.message ?? String(error);
  if (error instanceof DataDirLockedError) return new PeerExit(EXIT.locked, message);
  if (error instanceof InviteError) {
    return new PeerExit(EXIT.badInvite, `bad invite link: ${message}`);
  }
  if (error instanceof LedgerNotFoundError) return new PeerExit(EXIT.noLedger, message);
  if (error instanceof SchemaError || error instanceof StorageFullError) {
    return new PeerExit(EXIT.storage, `storage: ${message}`, { cause: error });
  }
  // libp2p reports a listen address it cannot bind by name, the details in its message.
  const listenFailed = (error as Error)?.name === 'UnsupportedListenAddressesError';
  if (listenFailed || ['EADDRINUSE', 'EADDRNOTAVAIL'].includes(codeOf(error))) {
    const detail = listenFailed
      ? message
          .split('\n')
          .filter((line) => /^\s*\//.test(line))
          .map((line) => line.trim())
          .join('; ')
      : message;
    return new PeerExit(EXIT.unavailable, `cannot listen: ${detail}`, { cause: error });
  }
  return new PeerExit(EXIT.internal, message, { cause: error });
}

/** Runs `step`; a file-system refusal there means the data directory is not usable. */
function inDataDir<T>(directory: string, step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'ENOSPC'].includes(codeOf(error))) {
      throw new PeerExit(
        EXIT.cannotCreate,
        `cannot use the data directory ${directory}: ${(error as Error).message}`,
      );
    }
    throw error;
  }
}

/** A file an option names; one that cannot be read is a mistake in the command line. */
function readConfigFile(path: string, option: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new PeerExit(EXIT.usage, `${option} ${path}: ${(error as Error).message}`);
  }
}

async function deviceKeyOf(store: SqliteDeviceStore): Promise<DeviceKey> {
  return (
    (await store.deviceKey()) ??
    (await store.putDeviceKeyIfAbsent(await generateStorableDeviceKey(Date.now())))
  );
}

/** Which ledger this run serves: joined, created, or the one already in the directory. */
async function chooseLedger(
  config: PeerConfig,
  ledgers: DeviceLedgers,
  key: DeviceKey,
): Promise<string> {
  const held = await ledgers.store.ledgers();
  const { mode } = config;
  if (mode.type === 'invite') return (await joinLedger(ledgers, mode.link)).chainId;
  if (mode.type === 'create') {
    if (held.length > 0) {
      const names = held.map((l) => `"${l.name}" (${l.chainId.slice(0, 12)}…)`).join(', ');
      throw new PeerExit(
        EXIT.usage,
        `the data directory already holds ${names}: run without --create to resume it, or ` +
          'give another --data-dir',
      );
    }
    return createLedger(ledgers, key.publicKey, { name: mode.name, balances: mode.balances });
  }
  if (config.ledger !== null) return config.ledger;
  if (held.length === 1) return (held[0] as LedgerEntry).chainId;
  if (held.length === 0) {
    throw new PeerExit(
      EXIT.noLedger,
      `the data directory ${config.dataDir} holds no ledger: give --invite '<link>' or --create`,
    );
  }
  throw new PeerExit(
    EXIT.noLedger,
    `the data directory holds ${held.length} ledgers: name one with --ledger ` +
      held.map((l) => `${l.chainId} ("${l.name}")`).join(', '),
  );
}

/** The invite link's app address: --app-url, else the --invite link's own, else the default. */
function appUrlOf(config: PeerConfig): string {
  if (config.appUrl !== null) return config.appUrl;
  if (config.mode.type === 'invite') {
    const at = config.mode.link.indexOf('/join#');
    if (at > 0) return config.mode.link.slice(0, at);
  }
  return APP_URL_DEFAULT;
}

async function iceServersOf(
  config: PeerConfig,
  published: PublishedNetworkConfig | null,
): Promise<IceServer[] | (() => Promise<IceServer[]>)> {
  const fixed: IceServer[] = config.iceServers.map((server) => {
    if (!config.turn || !String(server.urls).startsWith('turn')) return server;
    const credential = readConfigFile(config.turn.credentialFile, '--turn-credential-file')
      .toString('utf8')
      .trim();
    return { ...server, username: config.turn.username, credential };
  });
  if (!published) return fixed;
  const live = liveIceServers(published, {
    refetch: () => fetchNetworkConfig(config.networkConfigUrl ?? ''),
  });
  return async () => [...fixed, ...(await live())];
}

/** The app server's relays and ICE servers; none (and a warning) when it cannot be reached. */
async function publishedConfig(
  url: string | null,
  log: Logger,
): Promise<PublishedNetworkConfig | null> {
  if (url === null) return null;
  try {
    return await fetchNetworkConfig(url, {
      signal: AbortSignal.timeout(NETWORK_CONFIG_TIMEOUT_MS),
    });
  } catch (error) {
    log.warn('network config unavailable: starting without its relays and ICE servers', {
      url,
      error: (error as Error).message,
    });
    return null;
  }
}

function fileBytes(path: string): number {
  let total = 0;
  for (const suffix of ['', '-wal']) {
    try {
      total += statSync(`${path}${suffix}`).size;
    } catch {
      // No write-ahead log after a clean close.
    }
  }
  return total;
}

export async function startPeer(config: PeerConfig, log: Logger): Promise<Peer> {
  const startedAtMs = Date.now();
  const closers: (() => Promise<void> | void)[] = [];
  const stopStarted = async () => {
    for (const close of closers.splice(0).reverse()) {
      await Promise.resolve()
        .then(close)
        .catch((error: unknown) => log.warn('stopping', { error: (error as Error).message }));
    }
  };
  try {
    const directory = config.dataDir;
    const lock = inDataDir(directory, () => lockDataDir(directory));
    closers.push(() => lock.release());
    log.debug('locked the data directory', { directory });
    const deviceStore = await inDataDir(directory, () => openSqliteDeviceStore({ directory }));
    closers.push(() => deviceStore.close());
    const key = await deviceKeyOf(deviceStore);
    const ledgers: DeviceLedgers = {
      store: deviceStore,
      openLedgerStore: (chainId) => openSqliteLedgerStore({ directory, chainId }),
      nowMs: () => Date.now(),
      randomBytes: (length) => crypto.getRandomValues(new Uint8Array(length)),
    };
    const chainId = await chooseLedger(config, ledgers, key);
    const entry = await ledgerEntry(deviceStore, chainId);
    log.debug('ledger chosen', { chainId, name: entry.name, role: entry.role });
    const openedMs = Date.now();
    const store = await openSqliteLedgerStore({ directory, chainId });
    closers.push(() => store.close());
    const storeOpenMs = Date.now() - openedMs;
    log.debug('opened the ledger store', { storeOpenMs });
    const published = await publishedConfig(config.networkConfigUrl, log);
    const privateKey = await loadOrCreateRelayKey(join(directory, PEER_KEY_FILE));
    // An Ed25519 public key's string form is its peer id.
    const ownId = privateKey.publicKey.toString();
    const known = (await store.knownPeers()).map((peer) => peer.address);
    const relays = [...new Set([...config.relays, ...(published?.relays ?? []), ...known])].filter(
      (address) => peerIdOf(address) !== ownId,
    );
    const iceServers = await iceServersOf(config, published);
    const tls = config.tls
      ? {
          cert: readConfigFile(config.tls.certFile, '--tls-cert'),
          key: readConfigFile(config.tls.keyFile, '--tls-key'),
        }
      : undefined;

    let network: Libp2pNetwork | null = null;
    const node = new FullNode(
      { ledgerName: entry.name, relays, kind: 'peer', mayValidate: () => true },
      {
        store,
        createNetwork: async ({ validator, blocks }) => {
          network = await createNodeNetwork(
            {
              chainId,
              listen: config.listen,
              announce: config.announce,
              relays,
              bootstrap: config.peers,
              discovery: true,
              privateKey,
              kind: KIND,
              ...(config.webrtc
                ? {
                    webrtc: {
                      iceServers,
                      ...(config.webrtcBind ? { bindAddress: config.webrtcBind } : {}),
                    },
                  }
                : {}),
              ...(config.relayServer
                ? { relayServer: { reservationsMax: RELAY_RESERVATIONS_DEFAULT } }
                : {}),
              ...(tls ? { tls } : {}),
            },
            { blocks, validator },
          );
          return network;
        },
        signer: webCryptoSigner(key),
        // Gossip, block validation and commit checks verify the same signatures: once each.
        verifier: cachingVerifier(webCryptoVerifier()),
        clock: systemClock,
        timers: systemTimers,
        // Node's own yield (the default, a MessageChannel round trip, is unref'd in Node and
        // lets the process exit while nothing else holds it open yet).
        yieldNow: () => new Promise((resolve) => setImmediate(resolve)),
        storageInfo: async () => ({
          usageBytes: fileBytes(sqliteLedgerPath(directory, chainId)),
          quotaBytes: null,
          persisted: true,
        }),
      },
    );
    closers.push(() => node.stop());
    log.debug('starting the node', { relays, listen: config.listen });
    await node.start();
    const appUrl = appUrlOf(config);
    const listening = () => (network ? network.node.getMultiaddrs().map(String) : []);
    const invite = () =>
      inviteLink(
        appUrl,
        makeInvite(entry.genesis, [...new Set([...browserDialable(listening()), ...relays])]),
      );
    log.info('started', {
      ledger: entry.name,
      chainId,
      height: node.state.height,
      // Opening the ledger's store (its checks included), and everything from the lock to here.
      storeOpenMs,
      startMs: Date.now() - startedAtMs,
      address: node.address,
      fingerprint: node.status.fingerprint,
      peerId: ownId,
      listening: listening(),
      relays,
    });

    if (!config.observer && node.status.role === 'observer') {
      await node.requestToJoin(config.label);
      log.info('asked to join as a validator', { label: config.label, kind: KIND });
    }
    closers.push(startAutoApprove(node, config.approve, log));

    const version = packageVersion();
    const snapshot = async (): Promise<StatusSnapshot> =>
      snapshotOf(
        Date.now(),
        {
          version,
          pid: process.pid,
          startedAtMs,
          dataDir: directory,
          peerId: ownId,
          listening: listening(),
          invite: invite(),
          storeBytes: fileBytes(sqliteLedgerPath(directory, chainId)),
          rssBytes: process.memoryUsage.rss(),
          gossip: network ? (network as Libp2pNetwork).validationStats() : null,
        },
        node.status,
        await node.validators(),
        node.joinRequests(),
        node.peers(),
      );
    closers.push(reportStatus(node, snapshot, config.statusIntervalS, log));

    let statusUrl: string | null = null;
    if (config.http) {
      const server = await startStatusServer(config.http, {
        snapshot,
        healthy: () => node.status.problem === null || node.status.problem.code !== 'internal',
      });
      closers.push(() => server.close());
      statusUrl = server.url;
      log.info('status endpoint', {
        url: `${server.url}/status`,
        metrics: `${server.url}/metrics`,
      });
    }

    return {
      chainId,
      node,
      statusUrl,
      inviteLink: invite,
      snapshot,
      stop: stopStarted,
    };
  } catch (error) {
    await stopStarted();
    throw exitOf(error);
  }
}

/**
 * The one-line status: on start, every `intervalS` seconds, and whenever the role changes or a
 * problem appears. New join requests are logged with the fingerprint --approve takes.
 */
function reportStatus(
  node: FullNode,
  snapshot: () => Promise<StatusSnapshot>,
  intervalS: number,
  log: Logger,
): () => void {
  let shown = '';
  const report = () =>
    void snapshot().then(
      (now) => log.info('status', statusLineFields(now)),
      (error: unknown) => log.warn('status unavailable', { error: (error as Error).message }),
    );
  const seen = new Set<string>();
  const unsubscribe = node.subscribe((event: NodeEvent) => {
    if (event.type === 'status') {
      const key = `${event.status.role}|${event.status.problem?.message ?? ''}`;
      if (key !== shown) {
        shown = key;
        report();
      }
    } else if (event.type === 'join-requests') {
      for (const request of event.requests) {
        if (seen.has(request.publicKey)) continue;
        if (seen.size < 1_024) seen.add(request.publicKey);
        log.info('join request', {
          label: request.label,
          kind: request.kind,
          fingerprint: request.publicKey.slice(0, 16),
          address: request.address,
        });
      }
    } else if (event.type === 'block') {
      log.debug('committed', { height: event.block.height, txs: event.block.txCount });
    }
  });
  shown = `${node.status.role}|${node.status.problem?.message ?? ''}`;
  report();
  const timer = intervalS > 0 ? setInterval(report, intervalS * 1000) : null;
  return () => {
    if (timer) clearInterval(timer);
    unsubscribe();
  };
}
