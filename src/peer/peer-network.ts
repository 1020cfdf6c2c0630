// The peer's network, from its command line: which relays it keeps (--relay, the app server's
// --network-config, the invite's), its ICE servers (--ice-server with static TURN credentials, or
// the app server's short-lived ones, renewed), its TLS pair, and the Node libp2p built from them
// each time the node asks (node-network.ts). It also remembers the network it built, for the
// peer's listen addresses and gossip counters.
import { readFileSync } from 'node:fs';
import type { PrivateKey } from '@libp2p/interface';
import type { Libp2pNetwork } from '../lib/net/libp2p-network';
import type { IceServer } from '../lib/net/network';
import {
  fetchNetworkConfig,
  liveIceServers,
  type PublishedNetworkConfig,
} from '../lib/net/network-config';
import { createNodeNetwork } from '../lib/net/node-network';
import type { NetworkParts } from '../lib/node/full-node';
import type { PeerConfig } from './args';
import { RELAY_RESERVATIONS_DEFAULT } from './args';
import { EXIT, PeerExit } from './exit-codes';
import { peerIdOf } from './invite-addresses';
import type { Logger } from './logger';

/** How long fetching --network-config may take at start. */
export const NETWORK_CONFIG_TIMEOUT_MS = 10_000;

export interface PeerNetwork {
  /** Relays kept connected (and written into invites after the peer's own addresses). */
  readonly relays: string[];
  /** FullNodeDeps.createNetwork. */
  create(parts: NetworkParts): Promise<Libp2pNetwork>;
  /** The network last built, or null before the node started it. */
  current(): Libp2pNetwork | null;
}

/** A file an option names; one that cannot be read is a mistake in the command line. */
export function readConfigFile(path: string, option: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new PeerExit(EXIT.usage, `${option} ${path}: ${(error as Error).message}`);
  }
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

function iceServersOf(
  config: PeerConfig,
  published: PublishedNetworkConfig | null,
): IceServer[] | (() => Promise<IceServer[]>) {
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

export async function preparePeerNetwork(
  config: PeerConfig,
  ledger: { chainId: string; knownPeers: string[]; privateKey: PrivateKey; genesis: Uint8Array },
  log: Logger,
): Promise<PeerNetwork> {
  const published = await publishedConfig(config.networkConfigUrl, log);
  const ownId = ledger.privateKey.publicKey.toString();
  const relays = [
    ...new Set([...config.relays, ...(published?.relays ?? []), ...ledger.knownPeers]),
  ].filter((address) => peerIdOf(address) !== ownId);
  const iceServers = iceServersOf(config, published);
  const tls = config.tls
    ? {
        cert: readConfigFile(config.tls.certFile, '--tls-cert'),
        key: readConfigFile(config.tls.keyFile, '--tls-key'),
      }
    : undefined;
  let network: Libp2pNetwork | null = null;
  return {
    relays,
    current: () => network,
    async create({ validator, blocks, cipher }) {
      network = await createNodeNetwork(
        {
          chainId: ledger.chainId,
          listen: config.listen,
          announce: config.announce,
          relays,
          bootstrap: config.peers,
          discovery: true,
          privateKey: ledger.privateKey,
          genesis: ledger.genesis,
          kind: 'peer',
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
        { blocks, validator, cipher },
      );
      return network;
    },
  };
}
