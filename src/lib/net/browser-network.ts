// A tab's Network: the browser libp2p node wrapped in Libp2pNetwork, and where the app finds its
// relays (`/relay.json`, written by the server next to the app, or an invite link's list).
import type { PrivateKey } from '@libp2p/interface';
import { createBrowserLibp2p } from './libp2p-browser';
import { Libp2pNetwork } from './libp2p-network';
import type { BlockSource, IceServer, MessageValidator } from './network';
import { fetchNetworkConfig } from './network-config';

export { fetchNetworkConfig, liveIceServers, type PublishedNetworkConfig } from './network-config';

export interface BrowserNetworkOptions {
  chainId: string;
  relays: string[];
  /** STUN/TURN for real networks ([] on loopback-only tests), or a source of fresh ones. */
  iceServers: IceServer[] | (() => Promise<IceServer[]>);
  privateKey?: PrivateKey;
}

export async function createBrowserNetwork(
  options: BrowserNetworkOptions,
  deps: { blocks: BlockSource; validator?: MessageValidator },
): Promise<Libp2pNetwork> {
  const libp2p = await createBrowserLibp2p({
    chainIds: [options.chainId],
    iceServers: options.iceServers,
    ...(options.privateKey ? { privateKey: options.privateKey } : {}),
  });
  return new Libp2pNetwork(
    { chainId: options.chainId, relays: options.relays },
    { libp2p, ...deps },
  );
}

/** Relay multiaddrs the server publishes next to the app; [] if it publishes none. */
export async function fetchRelays(url = '/relay.json', signal?: AbortSignal): Promise<string[]> {
  return (await fetchNetworkConfig(url, signal ? { signal } : {})).relays;
}
