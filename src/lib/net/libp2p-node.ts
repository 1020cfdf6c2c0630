// The libp2p node for Node.js peers (integration tests, headless nodes): TCP and WebSockets,
// the same protocols as a tab. Never imported by browser code (@libp2p/tcp is Node-only).
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { identify } from '@libp2p/identify';
import type { PrivateKey } from '@libp2p/interface';
import { ping } from '@libp2p/ping';
import { pubsubPeerDiscovery } from '@libp2p/pubsub-peer-discovery';
import { tcp } from '@libp2p/tcp';
import { webSockets } from '@libp2p/websockets';
import { createLibp2p } from 'libp2p';
import { gossipService } from './gossip-config';
import { CONNECTIONS_MAX, DISCOVERY_INTERVAL_MS } from './limits';
import { DISCOVERY_TOPIC } from './message-types';

export interface NodeLibp2pOptions {
  chainIds: readonly string[];
  /** e.g. ['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/tcp/0/ws']. */
  listen: string[];
  privateKey?: PrivateKey;
  connectionsMax?: number;
  /** Announce and discover peers over pubsub (needs a relay or peers to carry it). */
  discovery?: boolean;
}

export async function createNodeLibp2p(options: NodeLibp2pOptions) {
  return createLibp2p({
    start: false,
    ...(options.privateKey ? { privateKey: options.privateKey } : {}),
    addresses: { listen: options.listen },
    transports: [tcp(), webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: { denyDialMultiaddr: () => false },
    connectionManager: { maxConnections: options.connectionsMax ?? CONNECTIONS_MAX },
    connectionMonitor: { abortConnectionOnPingFailure: false },
    peerDiscovery: options.discovery
      ? [pubsubPeerDiscovery({ interval: DISCOVERY_INTERVAL_MS, topics: [DISCOVERY_TOPIC] })]
      : [],
    services: {
      identify: identify(),
      ping: ping(),
      pubsub: gossipService(options.chainIds),
    },
  });
}
