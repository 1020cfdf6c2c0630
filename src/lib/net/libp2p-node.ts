// The libp2p node for Node.js peers (integration tests, the always-on peer): TCP and WebSockets,
// the same protocols as a tab; optionally WebRTC through node-datachannel (browsers behind NAT
// reach the peer directly, signaled through a relay, with STUN/TURN where needed) and a circuit
// relay server (the peer relays signaling for the browsers of its ledger). Never imported by
// browser code (@libp2p/tcp is Node-only).
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2';
import { identify } from '@libp2p/identify';
import type { PrivateKey } from '@libp2p/interface';
import { ping } from '@libp2p/ping';
import { pubsubPeerDiscovery } from '@libp2p/pubsub-peer-discovery';
import { tcp } from '@libp2p/tcp';
import { webRTC } from '@libp2p/webrtc';
import { webSockets } from '@libp2p/websockets';
import { createLibp2p } from 'libp2p';
import { agentVersionOf, type PeerKind } from './agent';
import { gossipService } from './gossip-config';
import { CONNECTIONS_MAX, DISCOVERY_INTERVAL_MS } from './limits';
import { DISCOVERY_TOPIC } from './message-types';
import type { IceServer } from './network';

export interface NodeWebRtcOptions {
  /**
   * STUN/TURN servers ([] on loopback or a LAN; a STUN server to cross NATs), or a source asked
   * again for every new connection (short-lived TURN credentials, network-config.ts).
   */
  iceServers: IceServer[] | (() => Promise<IceServer[]>);
  /** Gather ICE candidates on this local address only (e.g. '127.0.0.1'); all when absent. */
  bindAddress?: string;
}

export interface NodeLibp2pOptions {
  /** The ledgers whose topics gossipsub allows: chain ids, or private ledgers' networkIds. */
  chainIds: readonly string[];
  /** e.g. ['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/tcp/0/ws']. */
  listen: string[];
  /** Addresses announced besides the listen ones (a forwarded port, a DNS name with wss). */
  announce?: string[];
  privateKey?: PrivateKey;
  connectionsMax?: number;
  /** Announce and discover peers over pubsub (needs a relay or peers to carry it). */
  discovery?: boolean;
  /** WebRTC to and from browsers: listens on '/webrtc' through its relays ('/p2p-circuit'). */
  webrtc?: NodeWebRtcOptions;
  /** Serve circuit relay v2 (signaling) with at most this many reservations. */
  relayServer?: { reservationsMax: number };
  /** PEM certificate chain and key, for '/tls/ws' listen addresses (what HTTPS pages dial). */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** What this node tells peers it is (identify's agent version); libp2p's default if absent. */
  kind?: PeerKind;
}

function transports(options: NodeLibp2pOptions) {
  const list = [tcp(), webSockets(options.tls ? { https: { ...options.tls } } : {})];
  if (!options.webrtc) return list;
  const { iceServers, bindAddress } = options.webrtc;
  // node-datachannel reads bindAddress from the configuration (not in the DOM's type).
  const configuration = (servers: IceServer[]) => ({
    iceServers: servers,
    ...(bindAddress ? { bindAddress } : {}),
  });
  const rtcConfiguration = Array.isArray(iceServers)
    ? configuration(iceServers)
    : async () => configuration(await iceServers());
  return [...list, webRTC({ rtcConfiguration }), circuitRelayTransport()];
}

export async function createNodeLibp2p(options: NodeLibp2pOptions) {
  const listen = options.webrtc
    ? [...options.listen, '/p2p-circuit', '/webrtc']
    : [...options.listen];
  return createLibp2p({
    start: false,
    ...(options.privateKey ? { privateKey: options.privateKey } : {}),
    addresses: {
      listen,
      ...(options.announce?.length ? { appendAnnounce: options.announce } : {}),
    },
    transports: transports(options),
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: { denyDialMultiaddr: () => false },
    connectionManager: { maxConnections: options.connectionsMax ?? CONNECTIONS_MAX },
    connectionMonitor: { abortConnectionOnPingFailure: false },
    peerDiscovery: options.discovery
      ? [pubsubPeerDiscovery({ interval: DISCOVERY_INTERVAL_MS, topics: [DISCOVERY_TOPIC] })]
      : [],
    services: {
      identify: identify(options.kind ? { agentVersion: agentVersionOf(options.kind) } : {}),
      ping: ping(),
      pubsub: gossipService(options.chainIds),
      ...(options.relayServer
        ? {
            relay: circuitRelayServer({
              reservations: { maxReservations: options.relayServer.reservationsMax },
            }),
          }
        : {}),
    },
  });
}
