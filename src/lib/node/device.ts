// The browser composition root: this profile's device key and ledgers (IndexedDB), and a full
// node per opened ledger wired to IndexedDB, libp2p over WebRTC, the other tabs
// (BroadcastChannel, Web Locks) and Worker timers. The UI loads this module with a dynamic
// import so libp2p stays out of the first paint.
//
// The device owns each node's lifecycle: it starts it once, follows the browser's connectivity,
// and closes it when the ledger is removed. Offline first: every network it builds for a node
// reads the relay list afresh (the server's /relay.json, remembered for offline starts, plus the
// addresses the ledger remembers from its invite), so a node opened offline reconnects when the
// network returns; an `online` event rebuilds a network that reached nobody.
//
// Invites are text from anyone (issue 13, item 11): a link is described before it is joined, an
// invite never changes a ledger already here, and only relay addresses a browser can use are
// stored or dialled (net/relay-address.ts), so one bad string cannot stop a ledger from opening.
import { decodeGenesis, encodeGenesis } from '../core/encoding';
import { addressOf, chainIdOf } from '../core/hash';
import type { Genesis } from '../core/types';
import { generateBoxKey } from '../crypto/box';
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
import { relayAddressProblem, usableRelays } from '../net/relay-address';
import { deleteIdbLedgerStore } from '../store/idb-ledger-delete';
import type { DeviceKey, DeviceStore, LedgerStore } from '../store/types';
import type {
  Device,
  Invite,
  InviteSummary,
  LedgerNode,
  LedgerRemoval,
  LedgerSummary,
  RememberedAddress,
} from './api';
import { systemClock } from './clock';
import { FullNode } from './full-node';
import {
  createLedger,
  deviceBoxKeyOf,
  findLedgerEntry,
  GENESIS_FETCH_TIMEOUT_MS,
  joinLedger,
  ledgerEntry,
  type DeviceLedgers,
  type NewLedger,
} from './device-ledgers';
import { InviteError, inviteFragment, parseInvite } from './invite';
import { inviteCipher } from './keyring';
import { broadcastChannelLink } from './tab-link';
import { requestValidatorLock } from './validator-lock';
import { workerTimers } from './worker-timers';
import { createVerifyPool } from './verify-pool';

/**
 * Relays and STUN/TURN servers the server publishes next to the app; offline, the last ones it
 * published (remembered on this device), else none: the node still works with the tabs
 * of this profile.
 */
async function networkConfig(): Promise<PublishedNetworkConfig> {
  return fetchNetworkConfigOrRemembered().catch(() => ({ relays: [], iceServers: [] }));
}

/** A started ledger: its node, and how to let go of everything it holds. */
interface OpenLedger {
  node: FullNode;
  /** Rebuild the node's network with the relay list of now (after addresses are forgotten). */
  reconnect(): Promise<void>;
  /** Stop the node, close its store, give up the validator lock and the tab channel. */
  close(): Promise<void>;
}

class BrowserDevice implements Device {
  readonly #store: DeviceStore;
  readonly #key: DeviceKey;
  readonly #open = new Map<string, Promise<OpenLedger>>();

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
        const summary = {
          chainId: entry.chainId,
          name: entry.name,
          addedAt: entry.addedMs,
        };
        try {
          const meta = await this.#withStore(entry.chainId, (store) => store.meta());
          return { ...summary, height: meta?.headHeight ?? 0 };
        } catch {
          // One ledger whose database cannot be read must not hide the others (nor the way to
          // remove it).
          return { ...summary, height: 0, unreadable: true };
        }
      }),
    );
  }

  async createLedger(options: NewLedger): Promise<string> {
    const chainId = await createLedger(this.#ledgers(), this.#key.publicKey, options);
    void requestPersistentStorage().catch(() => false);
    return chainId;
  }

  async describeInvite(link: string): Promise<InviteSummary> {
    const invite = parseInvite(link);
    const entry = await findLedgerEntry(this.#store, invite.chainId);
    return {
      chainId: invite.chainId,
      name: invite.name,
      fragment: inviteFragment(link),
      private: invite.access !== null,
      inviter: invite.inviter ?? null,
      onDevice: entry ? { name: entry.name } : null,
      relays: invite.relays,
      unusableRelays: invite.unusableRelays ?? 0,
    };
  }

  async joinLedger(invite: string | Invite): Promise<string> {
    const { chainId } = await joinLedger(this.#ledgers(), invite, (parsed) =>
      this.#fetchGenesis(parsed),
    );
    void requestPersistentStorage().catch(() => false);
    return chainId;
  }

  #ledgers(): DeviceLedgers {
    return {
      store: this.#store,
      openLedgerStore: (chainId) => openIdbLedgerStore({ chainId }),
      nowMs: () => Date.now(),
      randomBytes: (length) => crypto.getRandomValues(new Uint8Array(length)),
      newBoxKey: generateBoxKey,
    };
  }

  async rememberedAddresses(chainId: string): Promise<RememberedAddress[]> {
    await ledgerEntry(this.#store, chainId);
    const peers = await this.#withStore(chainId, (store) => store.knownPeers());
    return peers.map((peer) => ({
      address: peer.address,
      lastSeenMs: peer.lastSeenMs,
      usable: relayAddressProblem(peer.address) === null,
    }));
  }

  async forgetAddresses(chainId: string, addresses: string[]): Promise<void> {
    await ledgerEntry(this.#store, chainId);
    await this.#withStore(chainId, async (store) => {
      for (const address of addresses) await store.forgetPeer(address);
    });
    const open = this.#open.get(chainId);
    if (open) await (await open).reconnect();
  }

  async removalPreview(chainId: string): Promise<LedgerRemoval> {
    const entry = await ledgerEntry(this.#store, chainId);
    const self = await this.address();
    return this.#withStore(chainId, async (store) => {
      const [meta, state, pending] = await Promise.all([
        store.meta(),
        store.loadState(),
        store.outbox('pending'),
      ]);
      const validators = state?.validators.validators ?? [];
      const own = validators.find((validator) => validator.address === self);
      const totalPower = validators.reduce((sum, validator) => sum + validator.power, 0);
      return {
        chainId,
        name: entry.name,
        height: meta?.headHeight ?? 0,
        validator: own ? { power: own.power, totalPower } : null,
        unconfirmed: pending.length,
      };
    });
  }

  async removeLedger(chainId: string): Promise<void> {
    await ledgerEntry(this.#store, chainId);
    // Close this tab's node first: its open database would block the delete.
    const open = this.#open.get(chainId);
    this.#open.delete(chainId);
    if (open) await open.then((ledger) => ledger.close()).catch(() => undefined);
    // The entry goes before the database: another tab, told to reload by the delete, must not
    // find the ledger listed and create its database again.
    await this.#store.removeLedger(chainId);
    await deleteIdbLedgerStore(chainId);
  }

  /** The genesis of a short invite's ledger, from one of its devices, checked against the id. */
  async #fetchGenesis(invite: Invite): Promise<Genesis> {
    const config = await networkConfig();
    const relays = usableRelays([...config.relays, ...invite.relays]).usable;
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
      // A private ledger's devices answer only under its network id, sealed with its key.
      cipher: invite.access ? inviteCipher(invite.access) : null,
    });
    return decodeGenesis(bytes);
  }

  /** Runs `body` on a connection of its own to the ledger's database, closed after. */
  async #withStore<T>(chainId: string, body: (store: LedgerStore) => Promise<T>): Promise<T> {
    const store = await openIdbLedgerStore({ chainId });
    try {
      return await body(store);
    } finally {
      await store.close();
    }
  }

  open(chainId: string): Promise<LedgerNode> {
    let opened = this.#open.get(chainId);
    if (!opened) {
      opened = this.#start(chainId);
      this.#open.set(chainId, opened);
      opened.catch(() => {
        if (this.#open.get(chainId) === opened) this.#open.delete(chainId);
      });
    }
    return opened.then((ledger) => ledger.node);
  }

  async #start(chainId: string): Promise<OpenLedger> {
    const entry = await ledgerEntry(this.#store, chainId);
    const store = await openIdbLedgerStore({
      chainId,
      onVersionChange: () => location.reload(),
    });
    const genesisBytes = encodeGenesis(entry.genesis);
    // Addresses the ledger remembers (from its invite) that a browser can use, and what invite
    // links made here pass on; refreshed with every network built.
    let remembered: string[] = [];
    // Relays for a network: what the server publishes now (or last published, offline) and what
    // the ledger remembers, without any address a browser cannot use. Read afresh each time.
    const relaysNow = async () => {
      const config = await networkConfig();
      const known = (await store.knownPeers()).map((peer) => peer.address);
      remembered = usableRelays(known).usable;
      return { config, relays: usableRelays([...config.relays, ...remembered]).usable };
    };
    // The first network uses this same read (one /relay.json fetch per opening); later ones
    // read afresh.
    let firstRead: ReturnType<typeof relaysNow> | null = relaysNow();
    await firstRead;
    // A private ledger seals its rotated keys to this key (made once per profile).
    const boxKey = await deviceBoxKeyOf(this.#ledgers());
    const tabs = broadcastChannelLink(chainId);
    let node: FullNode | null = null;
    let closed = false;
    const lock = requestValidatorLock(chainId, () => {
      if (!closed) node?.setValidatorRole(true);
    });
    node = new FullNode(
      {
        ledgerName: entry.name,
        // Invite links list only relays the app's own /relay.json does not publish (the link
        // opens the app from this origin, which publishes those). A getter: forgetting an
        // address takes it out of the next link too.
        get relays() {
          return remembered;
        },
        mayValidate: () => lock.held,
      },
      {
        store,
        createNetwork: async ({ validator, blocks, cipher }) => {
          const { config, relays } = await (firstRead ?? relaysNow());
          firstRead = null;
          return createBrowserNetwork(
            { chainId, relays, iceServers: liveIceServers(config), genesis: genesisBytes },
            { blocks, validator, cipher },
          );
        },
        signer: webCryptoSigner(this.#key),
        boxKey,
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
    const started = node;
    // The browser's connectivity events drive the network: offline stops it, online restarts
    // it. The events, not navigator.onLine: Chromium can fire 'offline' while onLine still
    // reads true, and reads false at load on a machine with only loopback (a local relay
    // works there). So the node starts online and lets failed dials speak for themselves.
    // Back online, a network that reaches nobody (built offline, or its relays moved) is
    // rebuilt with the relay list of now.
    const wentOnline = () =>
      void (async () => {
        if (closed) return;
        if (!started.status.online) await started.setOnline(false);
        await started.setOnline(true);
      })();
    const wentOffline = () => void (closed ? undefined : started.setOnline(false));
    const letGo = () => {
      closed = true;
      removeEventListener('online', wentOnline);
      removeEventListener('offline', wentOffline);
      removeEventListener('pagehide', letGo);
      lock.release();
      tabs.close();
    };
    try {
      await started.start();
    } catch (error) {
      letGo();
      await store.close().catch(() => undefined);
      throw error;
    }
    started.setValidatorRole(lock.held);
    addEventListener('online', wentOnline);
    addEventListener('offline', wentOffline);
    addEventListener('pagehide', letGo);
    return {
      node: started,
      reconnect: async () => {
        if (closed) return;
        await started.setOnline(false);
        await started.setOnline(true);
      },
      close: async () => {
        letGo();
        await started.stop();
        await store.close();
      },
    };
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
