// The browser composition root: this profile's device key and ledgers (IndexedDB), and a full
// node per opened ledger wired to IndexedDB, libp2p over WebRTC, the other tabs
// (BroadcastChannel, Web Locks) and Worker timers. The UI loads this module with a dynamic
// import so libp2p stays out of the first paint.
import { addressOf } from '../core/hash';
import {
  cachingVerifier,
  generateSigningKey,
  webCryptoSigner,
  webCryptoVerifier,
} from '../crypto/index';
import {
  createBrowserNetwork,
  fetchNetworkConfig,
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
import { createLedger, joinLedger, ledgerEntry, type DeviceLedgers } from './device-ledgers';
import { broadcastChannelLink } from './tab-link';
import { requestValidatorLock } from './validator-lock';
import { workerTimers } from './worker-timers';
import { createVerifyPool } from './verify-pool';

/** Relays and STUN/TURN servers the server publishes next to the app (none when offline). */
async function networkConfig(): Promise<PublishedNetworkConfig> {
  // Offline: no servers; the node still works with the tabs of this profile.
  return fetchNetworkConfig().catch(() => ({ relays: [], iceServers: [] }));
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
    const chainId = await createLedger(this.#ledgers(), this.#key.publicKey, options);
    void requestPersistentStorage().catch(() => false);
    return chainId;
  }

  async joinLedger(invite: string | Invite): Promise<string> {
    const { chainId, relays } = await joinLedger(this.#ledgers(), invite);
    this.#inviteRelays.set(chainId, relays);
    void requestPersistentStorage().catch(() => false);
    return chainId;
  }

  #ledgers(): DeviceLedgers {
    return {
      store: this.#store,
      openLedgerStore: (chainId) => openIdbLedgerStore({ chainId }),
      nowMs: () => Date.now(),
      randomBytes: (length) => crypto.getRandomValues(new Uint8Array(length)),
    };
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
    const entry = await ledgerEntry(this.#store, chainId);
    const store = await openIdbLedgerStore({
      chainId,
      onVersionChange: () => location.reload(),
    });
    const config = await networkConfig();
    const known = (await store.knownPeers()).map((peer) => peer.address);
    const relays = [
      ...new Set([...config.relays, ...(this.#inviteRelays.get(chainId) ?? []), ...known]),
    ];
    const tabs = broadcastChannelLink(chainId);
    let node: FullNode | null = null;
    const lock = requestValidatorLock(chainId, () => node?.setValidatorRole(true));
    node = new FullNode(
      { ledgerName: entry.name, relays, mayValidate: () => lock.held },
      {
        store,
        createNetwork: ({ validator, blocks }) =>
          createBrowserNetwork(
            { chainId, relays, iceServers: liveIceServers(config) },
            { blocks, validator },
          ),
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
    const wentOnline = () => void node?.setOnline(true);
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
