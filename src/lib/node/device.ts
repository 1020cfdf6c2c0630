// The browser composition root: this profile's device key and ledgers (IndexedDB), and a full
// node per opened ledger wired to IndexedDB, libp2p over WebRTC, the other tabs
// (BroadcastChannel, Web Locks) and Worker timers. The UI loads this module with a dynamic
// import so libp2p stays out of the first paint.
//
// The device owns each node's lifecycle: it starts it once, and follows the browser's
// connectivity. Offline first: every network it builds for a node reads the relay list afresh
// (the server's /relay.json, remembered for offline starts, plus relays from invites), so a
// node opened offline reconnects when the network returns; an `online` event rebuilds a
// network that reached nobody.
import { decodeGenesis, encodeGenesis } from '../core/encoding';
import { validateGenesis, genesisState } from '../core/genesis';
import { addressOf, chainIdOf } from '../core/hash';
import type { Genesis } from '../core/types';
import {
  cachingVerifier,
  generateSigningKey,
  webCryptoSigner,
  webCryptoVerifier,
} from '../crypto/index';
import {
  createBrowserNetwork,
  fetchGenesisFromPeers,
  fetchNetworkConfigOrRemembered,
  liveIceServers,
  type PublishedNetworkConfig,
} from '../net/browser-network';
import { openIdbDeviceStore } from '../store/idb-device-store';
import { openIdbLedgerStore } from '../store/idb-ledger-store';
import { requestPersistentStorage, storageUsage } from '../store/quota';
import type { DeviceKey, DeviceStore } from '../store/types';
import type { Device, Invite, LedgerNode, LedgerSummary } from './api';
import { systemClock } from './clock';
import { FullNode } from './full-node';
import { genesisOfInvite, InviteError, parseInvite } from './invite';
import { broadcastChannelLink } from './tab-link';
import { requestValidatorLock } from './validator-lock';
import { workerTimers } from './worker-timers';
import { createVerifyPool } from './verify-pool';

/** Voting power of a ledger creator's device, and of devices approved later. */
export const DEVICE_POWER_DEFAULT = 10;
export const SALT_BYTES = 16;
/** How long a device joining by a short invite looks for a device that sends the genesis. */
export const GENESIS_FETCH_TIMEOUT_MS = 45_000;

export class LedgerNotOnDeviceError extends Error {
  override name = 'LedgerNotOnDeviceError';
  constructor(readonly chainId: string) {
    super(`ledger ${chainId} is not on this device`);
  }
}

/**
 * Relays and STUN/TURN servers the server publishes next to the app; offline, the last ones it
 * published (remembered on this device), else none: the node still works with the tabs
 * of this profile.
 */
async function networkConfig(): Promise<PublishedNetworkConfig> {
  return fetchNetworkConfigOrRemembered().catch(() => ({ relays: [], iceServers: [] }));
}

function unique(...lists: string[][]): string[] {
  return [...new Set(lists.flat())];
}

class BrowserDevice implements Device {
  readonly #store: DeviceStore;
  readonly #key: DeviceKey;
  readonly #open = new Map<string, Promise<FullNode>>();
  readonly #inviteRelays = new Map<string, string[]>();

  constructor(store: DeviceStore, key: DeviceKey) {
    this.#store = store;
    this.#key = key;
  }

  async address(): Promise<string> {
    return addressOf(this.#key.publicKey);
  }

  async ledgers(): Promise<LedgerSummary[]> {
    const entries = await this.#store.ledgers();
    return Promise.all(
      entries.map(async (entry) => {
        const store = await openIdbLedgerStore({ chainId: entry.chainId });
        const meta = await store.meta().finally(() => store.close());
        return {
          chainId: entry.chainId,
          name: entry.name,
          addedAt: entry.addedMs,
          height: meta?.headHeight ?? 0,
        };
      }),
    );
  }

  async createLedger(options: {
    name: string;
    balances: { address: string; amount: number }[];
  }): Promise<string> {
    const genesis: Genesis = {
      name: options.name.trim(),
      time: Date.now(),
      validators: [{ publicKey: this.#key.publicKey, power: DEVICE_POWER_DEFAULT }],
      balances: options.balances,
      salt: crypto.getRandomValues(new Uint8Array(SALT_BYTES)),
    };
    validateGenesis(genesis);
    return this.#add(genesis, 'created');
  }

  async joinLedger(invite: string | Invite): Promise<string> {
    const parsed = typeof invite === 'string' ? parseInvite(invite) : invite;
    // A ledger already here opens as it is (also offline); the invite changes nothing.
    const known = await this.#store.ledgers();
    if (known.some((ledger) => ledger.chainId === parsed.chainId)) return parsed.chainId;
    const genesis = genesisOfInvite(parsed) ?? (await this.#fetchGenesis(parsed));
    if (chainIdOf(genesis) !== parsed.chainId) {
      throw new InviteError(
        'This invite link describes a different ledger than it names. Ask for a new one.',
      );
    }
    this.#inviteRelays.set(parsed.chainId, parsed.relays);
    const chainId = await this.#add(genesis, 'joined');
    const store = await openIdbLedgerStore({ chainId });
    for (const relay of parsed.relays) await store.notePeer(relay, Date.now());
    await store.close();
    return chainId;
  }

  /** The genesis of a short invite's ledger, from one of its devices, checked against the id. */
  async #fetchGenesis(invite: Invite): Promise<Genesis> {
    const config = await networkConfig();
    const relays = unique(config.relays, invite.relays);
    if (relays.length === 0) {
      throw new InviteError(
        'This app knows no relay to reach the devices of this ledger. Open the invite link on the site it came from.',
      );
    }
    const matches = (bytes: Uint8Array) => {
      try {
        return chainIdOf(decodeGenesis(bytes)) === invite.chainId;
      } catch {
        return false;
      }
    };
    const bytes = await fetchGenesisFromPeers({
      chainId: invite.chainId,
      relays,
      iceServers: config.iceServers,
      accept: matches,
      signal: AbortSignal.timeout(GENESIS_FETCH_TIMEOUT_MS),
    });
    return decodeGenesis(bytes);
  }

  async #add(genesis: Genesis, role: 'created' | 'joined'): Promise<string> {
    const chainId = chainIdOf(genesis);
    const store = await openIdbLedgerStore({ chainId });
    try {
      await store.initialize(genesis, genesisState(genesis));
    } finally {
      await store.close();
    }
    await this.#store.addLedger({
      chainId,
      name: genesis.name,
      genesis,
      role,
      addedMs: Date.now(),
    });
    void requestPersistentStorage().catch(() => false);
    return chainId;
  }

  open(chainId: string): Promise<LedgerNode> {
    let node = this.#open.get(chainId);
    if (!node) {
      node = this.#start(chainId);
      this.#open.set(chainId, node);
      node.catch(() => this.#open.delete(chainId));
    }
    return node;
  }

  async #start(chainId: string): Promise<FullNode> {
    const entry = (await this.#store.ledgers()).find((ledger) => ledger.chainId === chainId);
    if (!entry) throw new LedgerNotOnDeviceError(chainId);
    const store = await openIdbLedgerStore({
      chainId,
      onVersionChange: () => location.reload(),
    });
    const genesisBytes = encodeGenesis(entry.genesis);
    // Relays for a network: what the server publishes now (or last published, offline), what
    // invites brought, and what the store remembers. Read afresh for every network built.
    const relaysNow = async () => {
      const config = await networkConfig();
      const known = (await store.knownPeers()).map((peer) => peer.address);
      const extra = unique(this.#inviteRelays.get(chainId) ?? [], known);
      return { config, relays: unique(config.relays, extra), extra };
    };
    // Invite links list only relays the app's own /relay.json does not publish: the link opens
    // the app from this origin, which publishes those. The first network uses this same read
    // (one /relay.json fetch per opening); later ones read afresh.
    let firstRead: ReturnType<typeof relaysNow> | null = relaysNow();
    const { extra: inviteRelays } = await firstRead;
    const tabs = broadcastChannelLink(chainId);
    let node: FullNode | null = null;
    const lock = requestValidatorLock(chainId, () => node?.setValidatorRole(true));
    node = new FullNode(
      { ledgerName: entry.name, relays: inviteRelays, mayValidate: () => lock.held },
      {
        store,
        createNetwork: async ({ validator, blocks }) => {
          const { config, relays } = await (firstRead ?? relaysNow());
          firstRead = null;
          return createBrowserNetwork(
            { chainId, relays, iceServers: liveIceServers(config), genesis: genesisBytes },
            { blocks, validator },
          );
        },
        signer: webCryptoSigner(this.#key),
        // Gossip, validate-block and commit check the same signatures: verify each once.
        verifier: cachingVerifier(webCryptoVerifier()),
        // Range sync verifies in bulk on other cores (WebCrypto verifies on the calling thread).
        openVerifyPool: () => createVerifyPool(navigator.hardwareConcurrency - 1),
        // (The DOM typing of request() flattens the callback's promise into its own.)
        exclusive: <T>(task: () => Promise<T>) =>
          navigator.locks.request(`ledger-submit-${chainId}`, task) as Promise<T>,
        clock: systemClock,
        timers: workerTimers(),
        tabs,
        storageInfo: async () => {
          const usage = await storageUsage();
          return {
            usageBytes: usage?.usageBytes ?? null,
            quotaBytes: usage?.quotaBytes ?? null,
            persisted: usage?.persisted ?? false,
          };
        },
      },
    );
    // The browser's connectivity events drive the network: offline stops it, online restarts
    // it. The events, not navigator.onLine: Chromium can fire 'offline' while onLine still
    // reads true, and reads false at load on a machine with only loopback (a local relay
    // works there). So the node starts online and lets failed dials speak for themselves.
    // Back online, a network that reaches nobody (built offline, or its relays moved) is
    // rebuilt with the relay list of now.
    const wentOnline = () =>
      void (async () => {
        if (!node) return;
        if (!node.status.online) await node.setOnline(false);
        await node.setOnline(true);
      })();
    const wentOffline = () => void node?.setOnline(false);
    await node.start();
    node.setValidatorRole(lock.held);
    addEventListener('online', wentOnline);
    addEventListener('offline', wentOffline);
    addEventListener('pagehide', () => {
      removeEventListener('online', wentOnline);
      removeEventListener('offline', wentOffline);
      lock.release();
      tabs.close();
    });
    return node;
  }
}

let device: Promise<Device> | null = null;

/** This profile's device, created on first use (one per tab). */
export function openDevice(): Promise<Device> {
  device ??= (async () => {
    const store = await openIdbDeviceStore({ onVersionChange: () => location.reload() });
    const existing = await store.deviceKey();
    const key =
      existing ??
      (await store.putDeviceKeyIfAbsent({
        ...(await generateSigningKey()),
        createdMs: Date.now(),
      }));
    return new BrowserDevice(store, key);
  })();
  return device;
}
