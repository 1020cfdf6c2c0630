// The signaling relay: WebSockets listener, circuit relay v2 server (bounded reservations and
// connections), identify, ping, and gossipsub carrying only the discovery topic, so it forwards
// peer announcements without ever joining a ledger topic. It stores no ledger data.
import { gossipsub, type GossipSub } from '@chainsafe/libp2p-gossipsub';
import { createPeerScoreParams } from '@chainsafe/libp2p-gossipsub/score';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { circuitRelayServer } from '@libp2p/circuit-relay-v2';
import { identify } from '@libp2p/identify';
import type { PrivateKey } from '@libp2p/interface';
import { ping } from '@libp2p/ping';
import { pubsubPeerDiscovery } from '@libp2p/pubsub-peer-discovery';
import { webSockets } from '@libp2p/websockets';
import { createLibp2p } from 'libp2p';
import {
  DISCOVERY_INTERVAL_MS,
  RELAY_CONNECTIONS_MAX,
  RELAY_RESERVATIONS_MAX,
} from '../lib/net/limits';
import { agentVersionOf } from '../lib/net/agent';
import { repairOutboundStreams } from '../lib/net/gossip-watchdog';
import { DISCOVERY_TOPIC } from '../lib/net/message-types';

/** How often gossip connections without an outbound stream are re-reported (see watchdog). */
const GOSSIP_REPAIR_INTERVAL_MS = 3_000;

export interface RelayOptions {
  /** Listen multiaddrs, e.g. ['/ip4/127.0.0.1/tcp/9090/ws'], or '/tls/ws' ones with `tls`. */
  listen: string[];
  /** PEM certificate chain and key for secure WebSockets (what an HTTPS page may dial). */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Public addresses to announce instead (e.g. '/dns4/relay.example/tcp/443/wss' behind TLS). */
  announce?: string[];
  /** Keep the same peer id across restarts, so tabs that knew the relay reconnect to it. */
  privateKey?: PrivateKey;
  reservationsMax?: number;
  connectionsMax?: number;
}

export interface Relay {
  peerId: string;
  /** Dialable multiaddrs including /p2p/<peerId> (announce addresses if given). */
  multiaddrs(): string[];
  /** Peers with an open connection (for diagnostics and tests). */
  connectionCount(): number;
  /** Gossip topics the relay subscribes to: only the discovery topic, never a ledger's. */
  topics(): string[];
  stop(): Promise<void>;
}

export async function startRelay(options: RelayOptions): Promise<Relay> {
  const node = await createLibp2p({
    ...(options.privateKey ? { privateKey: options.privateKey } : {}),
    addresses: {
      listen: options.listen,
      ...(options.announce?.length ? { announce: options.announce } : {}),
    },
    transports: [webSockets(options.tls ? { https: { ...options.tls } } : {})],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: { maxConnections: options.connectionsMax ?? RELAY_CONNECTIONS_MAX },
    connectionMonitor: { abortConnectionOnPingFailure: false },
    peerDiscovery: [
      pubsubPeerDiscovery({
        interval: DISCOVERY_INTERVAL_MS,
        topics: [DISCOVERY_TOPIC],
        listenOnly: true,
      }),
    ],
    services: {
      identify: identify({ agentVersion: agentVersionOf('relay') }),
      ping: ping(),
      relay: circuitRelayServer({
        reservations: { maxReservations: options.reservationsMax ?? RELAY_RESERVATIONS_MAX },
      }),
      pubsub: gossipsub({
        allowPublishToZeroTopicPeers: true,
        fallbackToFloodsub: false,
        allowedTopics: [DISCOVERY_TOPIC],
        // Discovery announcements are tiny; anything big is not for the relay to carry.
        maxInboundDataLength: 16 * 1024,
        // Every tab of a machine or a NAT shares one IP: with colocation scoring on, the relay
        // stops forwarding announcements once 10 tabs ever came from one address.
        scoreParams: createPeerScoreParams({ IPColocationFactorWeight: 0 }),
      }),
    },
  });
  const peerId = node.peerId.toString();
  const repairTimer = setInterval(() => {
    repairOutboundStreams(node.services.pubsub as GossipSub, node.getConnections());
  }, GOSSIP_REPAIR_INTERVAL_MS);
  return {
    peerId,
    multiaddrs: () => node.getMultiaddrs().map((a) => a.toString()),
    connectionCount: () => node.getConnections().length,
    topics: () => node.services.pubsub.getTopics(),
    stop: async () => {
      clearInterval(repairTimer);
      await node.stop();
    },
  };
}
