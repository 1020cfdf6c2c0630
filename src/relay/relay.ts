// The signaling relay: WebSockets listener, circuit relay v2 server (bounded reservations and
// connections, in all, per source address and per peer: relay-limits.ts), identify, ping, and
// gossipsub carrying only the discovery topic, so it forwards peer announcements without ever
// joining a ledger topic: only announcements of their own author's key, within a rate per
// author and per propagation source (discovery-guard.ts). It stores no ledger data.
import { gossipsub, type GossipSub, type GossipsubEvents } from '@chainsafe/libp2p-gossipsub';
import { createPeerScoreParams } from '@chainsafe/libp2p-gossipsub/score';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { circuitRelayServer } from '@libp2p/circuit-relay-v2';
import { identify } from '@libp2p/identify';
import {
  TopicValidatorResult,
  type Libp2p,
  type PeerId,
  type PrivateKey,
  type PubSub,
} from '@libp2p/interface';
import { ping } from '@libp2p/ping';
import { pubsubPeerDiscovery } from '@libp2p/pubsub-peer-discovery';
import { webSockets } from '@libp2p/websockets';
import { createLibp2p } from 'libp2p';
import { DiscoveryGuard } from '../lib/net/discovery-guard';
import {
  DISCOVERY_INTERVAL_MS,
  DISCOVERY_SOURCE_RATE,
  RELAY_CONNECTIONS_MAX,
  RELAY_CONNECTIONS_PER_ADDRESS_MAX,
  RELAY_CONNECTIONS_PER_PEER_MAX,
  RELAY_NEW_CONNECTIONS_PER_ADDRESS_PER_S,
  RELAY_RESERVATIONS_MAX,
  RELAY_RESERVATIONS_PER_ADDRESS_MAX,
} from '../lib/net/limits';
import { agentVersionOf } from '../lib/net/agent';
import { startGossipRepair } from '../lib/net/gossip-watchdog';
import { DISCOVERY_TOPIC } from '../lib/net/message-types';
import type { ValidationStats } from '../lib/net/network';
import type { RateLimit } from '../lib/net/rate-limit';
import { ValidationCounter } from '../lib/net/validation';
import {
  RelayLimiter,
  remoteKey,
  type RefusalReason,
  type RelayLimits,
  type RelayLimitsComponents,
} from './relay-limits';

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
  /** Per source address and per peer (defaults: RELAY_*_PER_*_MAX in limits.ts). */
  limits?: Partial<RelayLimits>;
  /** Discovery announcements forwarded per propagation source (DISCOVERY_SOURCE_RATE). */
  discoverySourceRate?: RateLimit;
}

/** What the relay refused and forwarded, for diagnostics and tests. */
export interface RelayStats {
  refused: Record<RefusalReason, number>;
  /** Connections closed to make room for a newer one of the same peer id. */
  replacedConnections: number;
  /** Discovery messages: accepted (forwarded), rejected and ignored by reason. */
  discovery: ValidationStats;
  /** Reservations held, with the address key each was made from. */
  reservations: { peerId: string; address: string | null }[];
  /** Peers in the relay's gossip mesh for the discovery topic (those it forwards to). */
  discoveryMeshPeers: number;
  /** Open connections by source address key. */
  connectionsByAddress: Record<string, number>;
}

export interface Relay {
  peerId: string;
  /** The underlying node, for tests that record what a relay sees (names, protocols). */
  readonly node: Libp2p<{ pubsub: PubSub<GossipsubEvents> }>;
  /** Dialable multiaddrs including /p2p/<peerId> (announce addresses if given). */
  multiaddrs(): string[];
  /** Peers with an open connection (for diagnostics and tests). */
  connectionCount(): number;
  /** Gossip topics the relay subscribes to: only the discovery topic, never a ledger's. */
  topics(): string[];
  stats(): RelayStats;
  stop(): Promise<void>;
}

function countBy(keys: (string | null)[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const key of keys) if (key !== null) counts[key] = (counts[key] ?? 0) + 1;
  return counts;
}

export async function startRelay(options: RelayOptions): Promise<Relay> {
  // The gater is built before the node it asks about; these lookups are set once it exists.
  const lookups: RelayLimitsComponents = { connections: () => [], reservations: () => [] };
  const limits: RelayLimits = {
    reservationsPerAddressMax: RELAY_RESERVATIONS_PER_ADDRESS_MAX,
    connectionsPerAddressMax: RELAY_CONNECTIONS_PER_ADDRESS_MAX,
    connectionsPerPeerMax: RELAY_CONNECTIONS_PER_PEER_MAX,
    newConnectionsPerAddressPerS: RELAY_NEW_CONNECTIONS_PER_ADDRESS_PER_S,
    ...options.limits,
  };
  const limiter = new RelayLimiter(limits, lookups);
  const node = await createLibp2p({
    ...(options.privateKey ? { privateKey: options.privateKey } : {}),
    addresses: {
      listen: options.listen,
      ...(options.announce?.length ? { announce: options.announce } : {}),
    },
    transports: [webSockets(options.tls ? { https: { ...options.tls } } : {})],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: {
      maxConnections: options.connectionsMax ?? RELAY_CONNECTIONS_MAX,
      inboundConnectionThreshold: limits.newConnectionsPerAddressPerS,
    },
    connectionGater: limiter.gater(),
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
  lookups.connections = (peerId) => node.getConnections(peerId);
  lookups.reservations = () => node.services.relay.reservations;
  // A reservation is of no use without a connection to relay through: drop it with the last
  // one, or peers that reserve and leave would hold the table for the reservation's whole TTL.
  const onDisconnect = (event: CustomEvent<PeerId>) => {
    const reservation = node.services.relay.reservations.get(event.detail);
    if (!reservation || node.getConnections(event.detail).length > 0) return;
    reservation.signal.clear();
    node.services.relay.reservations.delete(event.detail);
  };
  node.addEventListener('peer:disconnect', onDisconnect);
  const discoveryGuard = new DiscoveryGuard({
    sourceRate: options.discoverySourceRate ?? DISCOVERY_SOURCE_RATE,
  });
  const discoveryCounter = new ValidationCounter();
  node.services.pubsub.topicValidators.set(DISCOVERY_TOPIC, (source, message) => {
    const verdict = discoveryGuard.check(source.toString(), message);
    discoveryCounter.count(verdict);
    if (verdict.result === 'accept') return TopicValidatorResult.Accept;
    return verdict.result === 'reject' ? TopicValidatorResult.Reject : TopicValidatorResult.Ignore;
  });
  const peerId = node.peerId.toString();
  const gossipRepair = startGossipRepair({
    pubsub: node.services.pubsub as GossipSub,
    connections: () => node.getConnections(),
    protocols: async (peer) => (await node.peerStore.get(peer)).protocols,
    nowMs: () => Date.now(),
  });
  return {
    peerId,
    node,
    multiaddrs: () => node.getMultiaddrs().map((a) => a.toString()),
    connectionCount: () => node.getConnections().length,
    topics: () => node.services.pubsub.getTopics(),
    stats: () => ({
      refused: { ...limiter.refused },
      replacedConnections: limiter.replacedConnections,
      discovery: discoveryCounter.snapshot(),
      reservations: [...node.services.relay.reservations].map(([peer, reservation]) => ({
        peerId: peer.toString(),
        address: remoteKey(reservation.addr),
      })),
      discoveryMeshPeers: (node.services.pubsub as GossipSub).getMeshPeers(DISCOVERY_TOPIC).length,
      connectionsByAddress: countBy(node.getConnections().map((c) => remoteKey(c.remoteAddr))),
    }),
    stop: async () => {
      gossipRepair.stop();
      node.removeEventListener('peer:disconnect', onDisconnect);
      await node.stop();
    },
  };
}
