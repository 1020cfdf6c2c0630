// The always-on peer's composition root: the browser's full node (FullNode and its parts), built
// with what a server has instead of what a tab has. SQLite instead of IndexedDB (the data
// directory, locked to this process), the system clock and timers instead of Worker timers, a
// Node libp2p (TCP, WebSockets, WebRTC through node-datachannel, a relay for its ledger's
// browsers; peer-network.ts) instead of the tab's, and the same WebCrypto signer and verifier.
// It starts the parts in order and stops them in reverse; a failure while starting stops what
// had started.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { encodeGenesis } from '../lib/core/encoding';
import { GenesisNotFoundError } from '../lib/net/genesis-protocol';
import { cachingVerifier, webCryptoSigner, webCryptoVerifier } from '../lib/crypto/index';
import { systemClock, systemTimers } from '../lib/node/clock';
import {
  deviceBoxKeyOf,
  GENESIS_FETCH_TIMEOUT_MS,
  ledgerEntry,
  LedgerNotOnDeviceError,
  type DeviceLedgers,
} from '../lib/node/device-ledgers';
import { FullNode } from '../lib/node/full-node';
import { InviteError } from '../lib/node/invite';
import { InviteUnavailableError } from '../lib/node/private-ledger';
import { SchemaError, StorageFullError } from '../lib/store/errors';
import {
  generateStorableBoxKey,
  generateStorableDeviceKey,
  openSqliteDeviceStore,
  openSqliteLedgerStore,
  sqliteLedgerPath,
  type SqliteDeviceStore,
} from '../lib/store/sqlite/index';
import type { DeviceKey } from '../lib/store/types';
import { loadOrCreateRelayKey } from '../relay/key';
import type { PeerConfig } from './args';
import { startAutoApprove } from './auto-approve';
import { DataDirLockedError, lockDataDir } from './data-dir-lock';
import { EXIT, PeerExit } from './exit-codes';
import { browserDialable } from './invite-addresses';
import { appUrlOf, chooseLedger } from './ledger-choice';
import type { Logger } from './logger';
import { preparePeerNetwork } from './peer-network';
import { snapshotOf, type StatusSnapshot } from './status-report';
import { startStatusLog } from './status-log';
import { startStatusServer } from './status-server';

/** The libp2p key, so the peer id (and every invite link naming it) survives restarts. */
export const PEER_KEY_FILE = 'peer-key';

export interface Peer {
  readonly chainId: string;
  readonly node: FullNode;
  /** The status endpoint's URL, or null with --http off. */
  readonly statusUrl: string | null;
  /**
   * An invite link to this ledger that names this peer's own addresses first; null when this
   * peer cannot invite (a private ledger it holds no key of, or was removed from).
   */
  inviteLink(): string | null;
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
  if (error instanceof LedgerNotOnDeviceError) return new PeerExit(EXIT.noLedger, message);
  if (error instanceof GenesisNotFoundError) {
    return new PeerExit(
      EXIT.badInvite,
      `short invite link: ${message} within ${GENESIS_FETCH_TIMEOUT_MS / 1000} s; start the peer ` +
        'while a device of the ledger is online, or give the full link',
    );
  }
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

async function deviceKeyOf(store: SqliteDeviceStore): Promise<DeviceKey> {
  return (
    (await store.deviceKey()) ??
    (await store.putDeviceKeyIfAbsent(await generateStorableDeviceKey(Date.now())))
  );
}

/** The ledger's database and its write-ahead log, in bytes. */
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
    // The data directory: its lock first, then the device (key, ledger list), then the ledger.
    const directory = config.dataDir;
    const lock = inDataDir(directory, () => lockDataDir(directory));
    closers.push(() => lock.release());
    const deviceStore = await inDataDir(directory, () => openSqliteDeviceStore({ directory }));
    closers.push(() => deviceStore.close());
    const key = await deviceKeyOf(deviceStore);
    const ledgers: DeviceLedgers = {
      store: deviceStore,
      openLedgerStore: (chainId) => openSqliteLedgerStore({ directory, chainId }),
      nowMs: () => Date.now(),
      randomBytes: (length) => crypto.getRandomValues(new Uint8Array(length)),
      newBoxKey: generateStorableBoxKey,
    };
    const chainId = await chooseLedger(config, ledgers, key);
    const entry = await ledgerEntry(deviceStore, chainId);
    const openedMs = Date.now();
    const store = await openSqliteLedgerStore({ directory, chainId });
    closers.push(() => store.close());
    const storeOpenMs = Date.now() - openedMs;
    log.debug('opened the ledger store', { chainId, storeOpenMs });

    // The node, over the network of its command line.
    const privateKey = await loadOrCreateRelayKey(join(directory, PEER_KEY_FILE));
    const knownPeers = (await store.knownPeers()).map((peer) => peer.address);
    // It serves the genesis too, so a short invite (no genesis in the link) works from it alone.
    const genesis = encodeGenesis(entry.genesis);
    const network = await preparePeerNetwork(
      config,
      { chainId, knownPeers, privateKey, genesis },
      log,
    );
    const listening = () => network.current()?.node.getMultiaddrs().map(String) ?? [];
    const node = new FullNode(
      {
        ledgerName: entry.name,
        // Invite links name this peer's own addresses first (read when a link is made).
        get relays() {
          return [...new Set([...browserDialable(listening()), ...network.relays])];
        },
        kind: 'peer',
        mayValidate: () => true,
      },
      {
        store,
        createNetwork: (parts) => network.create(parts),
        signer: webCryptoSigner(key),
        boxKey: await deviceBoxKeyOf(ledgers),
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
    await node.start();
    const invite = (): string | null => {
      try {
        return node.inviteLink(appUrlOf(config), { inviterName: config.label });
      } catch (error) {
        if (error instanceof InviteUnavailableError) return null;
        throw error;
      }
    };
    const isPrivate = entry.genesis.membership !== undefined;
    log.info('started', {
      ledger: entry.name,
      chainId,
      height: node.state.height,
      // Opening the ledger's store (its checks included), and everything from the lock to here.
      storeOpenMs,
      startMs: Date.now() - startedAtMs,
      address: node.address,
      fingerprint: node.status.fingerprint,
      peerId: privateKey.publicKey.toString(),
      listening: listening(),
      relays: network.relays,
    });

    // Its role: ask to validate (again after a restart, until approved; on a private ledger
    // it is admitted as a member first); with --observer on a private ledger, ask to be a member
    // (only members receive the next key). Approve named devices.
    const role = config.observer ? (isPrivate ? 'member' : null) : 'validator';
    const standing = node.status.access?.standing;
    const holds = role === 'member' ? standing === 'member' : node.status.role !== 'observer';
    if (role !== null && !holds && standing !== 'removed' && standing !== 'leaving') {
      await node.requestToJoin(config.label, { role });
      log.info(`asked to join as a ${role}`, { label: config.label, kind: 'peer' });
    }
    closers.push(startAutoApprove(node, config.approve, log));

    // What it reports: the status line in the log, the status endpoint.
    const version = packageVersion();
    const snapshot = async (): Promise<StatusSnapshot> =>
      snapshotOf(
        Date.now(),
        {
          version,
          pid: process.pid,
          startedAtMs,
          dataDir: directory,
          peerId: privateKey.publicKey.toString(),
          listening: listening(),
          // A private ledger's link carries its key: printed at start, never served.
          invite: isPrivate ? null : invite(),
          storeBytes: fileBytes(sqliteLedgerPath(directory, chainId)),
          rssBytes: process.memoryUsage.rss(),
          gossip: network.current()?.validationStats() ?? null,
        },
        node.status,
        await node.validators(),
        node.joinRequests(),
        node.peers(),
      );
    closers.push(startStatusLog(node, snapshot, config.statusIntervalS, log));
    let statusUrl: string | null = null;
    if (config.http) {
      const server = await startStatusServer(config.http, {
        snapshot,
        healthy: () => node.status.problem?.code !== 'internal',
      });
      closers.push(() => server.close());
      statusUrl = server.url;
      log.info('status endpoint', {
        url: `${server.url}/status`,
        metrics: `${server.url}/metrics`,
      });
    }
    return { chainId, node, statusUrl, inviteLink: invite, snapshot, stop: stopStarted };
  } catch (error) {
    await stopStarted();
    throw exitOf(error);
  }
}
