// A tab's Network: the browser libp2p node wrapped in Libp2pNetwork, where the app finds its
// relays (`/relay.json`, written by the server next to the app, or an invite link's list), and
// the genesis served to (and fetched by) joining devices.
//
// Offline first: the relay list of the last successful `/relay.json` is kept in localStorage,
// so a page opened offline (from the service worker's cache) still knows where to reconnect
// when the network returns.
import type { PrivateKey } from '@libp2p/interface';
import { findGenesis, serveGenesis } from './genesis-protocol';
import { networkNameOf, type LedgerCipher } from './ledger-cipher';
import { createBrowserLibp2p } from './libp2p-browser';
import { Libp2pNetwork, type Libp2pNetworkDeps, type Libp2pNetworkOptions } from './libp2p-network';
import type { BlockSource, IceServer, MessageValidator } from './network';
import { usableRelays } from './relay-address';
import {
  fetchNetworkConfig,
  NO_NETWORK_CONFIG,
  parseNetworkConfig,
  type PublishedNetworkConfig,
} from './network-config';

export { fetchNetworkConfig, liveIceServers, type PublishedNetworkConfig } from './network-config';

/** How often connected devices are asked for their height (the list shows it; a peer that is
 * ahead also starts a catch-up). A status exchange is one small stream per peer. */
export const PEER_STATUS_REFRESH_MS = 10_000;
const NETWORK_CONFIG_CACHE_KEY = 'ledger-network-config-v1';

export interface BrowserNetworkOptions {
  chainId: string;
  relays: string[];
  /** STUN/TURN for real networks ([] on loopback-only tests), or a source of fresh ones. */
  iceServers: IceServer[] | (() => Promise<IceServer[]>);
  privateKey?: PrivateKey;
  /** This ledger's genesis (canonical bytes), served to devices that join by a short invite. */
  genesis?: Uint8Array;
}

/** Libp2pNetwork that also refreshes its peers' heights while it runs. */
class BrowserLedgerNetwork extends Libp2pNetwork {
  #refresh: ReturnType<typeof setInterval> | null = null;
  readonly #stopServing: (() => Promise<void>) | null;

  constructor(
    options: Libp2pNetworkOptions,
    deps: Libp2pNetworkDeps,
    stopServing: (() => Promise<void>) | null,
  ) {
    super(options, deps);
    this.#stopServing = stopServing;
  }

  override async start(): Promise<void> {
    await super.start();
    this.#refresh ??= setInterval(() => void this.refreshStatuses(), PEER_STATUS_REFRESH_MS);
  }

  override async stop(): Promise<void> {
    if (this.#refresh !== null) clearInterval(this.#refresh);
    this.#refresh = null;
    await this.#stopServing?.().catch(() => undefined);
    await super.stop();
  }
}

/** `deps.cipher`: a private ledger's names and sealing (null or absent: a public ledger). */
export async function createBrowserNetwork(
  options: BrowserNetworkOptions,
  deps: { blocks: BlockSource; validator?: MessageValidator; cipher?: LedgerCipher | null },
): Promise<Libp2pNetwork> {
  const libp2p = await createBrowserLibp2p({
    chainIds: [networkNameOf(options.chainId, deps.cipher)],
    iceServers: options.iceServers,
    ...(options.privateKey ? { privateKey: options.privateKey } : {}),
  });
  const stopServing = options.genesis
    ? await serveGenesis(libp2p, options.chainId, options.genesis, deps.cipher ?? null)
    : null;
  // An address a browser cannot dial (damaged, stored by an older version, a wrong transport) is
  // skipped here, so it can never stop the network, and with it the ledger, from starting.
  return new BrowserLedgerNetwork(
    { chainId: options.chainId, relays: usableRelays(options.relays).usable },
    { libp2p, ...deps },
    stopServing,
  );
}

/**
 * The genesis of `chainId` from a device of that ledger, met through `relays` (a short invite
 * link carries only the chain id). `accept` checks the bytes against the chain id. Throws
 * GenesisNotFoundError when `signal` ends the search first. A private ledger's invite gives
 * `cipher` (inviteCipher): the protocol goes by its networkId and both frames are sealed.
 */
export async function fetchGenesisFromPeers(options: {
  chainId: string;
  cipher?: LedgerCipher | null;
  relays: string[];
  iceServers: IceServer[];
  accept: (bytes: Uint8Array) => boolean;
  signal: AbortSignal;
}): Promise<Uint8Array> {
  const libp2p = await createBrowserLibp2p({
    chainIds: [networkNameOf(options.chainId, options.cipher)],
    iceServers: options.iceServers,
  });
  return findGenesis(libp2p, { ...options, relays: usableRelays(options.relays).usable });
}

/**
 * The relays and ICE servers published next to the app (network-config.ts), remembered on this
 * device: when the file cannot be fetched (offline), the last one that was.
 */
export async function fetchNetworkConfigOrRemembered(
  url = '/relay.json',
): Promise<PublishedNetworkConfig> {
  let config: PublishedNetworkConfig;
  try {
    config = await fetchNetworkConfig(url);
  } catch {
    return rememberedConfig() ?? NO_NETWORK_CONFIG;
  }
  remember(config);
  return config;
}

/** Relay multiaddrs the server publishes next to the app; [] if it publishes none. */
export async function fetchRelays(url = '/relay.json', signal?: AbortSignal): Promise<string[]> {
  return (await fetchNetworkConfig(url, signal ? { signal } : {})).relays;
}

function remember(config: PublishedNetworkConfig): void {
  try {
    globalThis.localStorage?.setItem(NETWORK_CONFIG_CACHE_KEY, JSON.stringify(config));
  } catch {
    // Storage refused: the next offline start has no relay list, as before.
  }
}

function rememberedConfig(): PublishedNetworkConfig | null {
  try {
    const raw = globalThis.localStorage?.getItem(NETWORK_CONFIG_CACHE_KEY);
    if (!raw) return null;
    const { configUrl: _ignored, ...config } = parseNetworkConfig(JSON.parse(raw));
    return config;
  } catch {
    return null;
  }
}
