// The libp2p node of a browser tab: WebRTC to other tabs, WebSockets to relays, circuit relay v2
// for signaling, noise, yamux, identify, ping, gossipsub, discovery through the relay.
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2';
import { identify } from '@libp2p/identify';
import type { PrivateKey } from '@libp2p/interface';
import { ping } from '@libp2p/ping';
import { pubsubPeerDiscovery } from '@libp2p/pubsub-peer-discovery';
import { webRTC } from '@libp2p/webrtc';
import { webSockets } from '@libp2p/websockets';
import { createLibp2p } from 'libp2p';
import { agentVersionOf } from './agent';
import { gossipService } from './gossip-config';
import type { IceServer } from './network';
import { CONNECTIONS_MAX, DISCOVERY_INTERVAL_MS } from './limits';
import { DISCOVERY_TOPIC } from './message-types';
import { generatePeerKey } from './peer-key';

export interface BrowserLibp2pOptions {
  /** The ledgers whose topics gossipsub allows: chain ids, or private ledgers' networkIds. */
  chainIds: readonly string[];
  /**
   * STUN/TURN servers; tests pass [] (no public STUN on loopback-only runs). A function is asked
   * again for every new WebRTC connection, so short-lived TURN credentials can be renewed.
   */
  iceServers: IceServer[] | (() => Promise<IceServer[]>);
  privateKey?: PrivateKey;
  connectionsMax?: number;
}

function rtcConfiguration(
  iceServers: BrowserLibp2pOptions['iceServers'],
): RTCConfiguration | (() => Promise<RTCConfiguration>) {
  if (Array.isArray(iceServers)) return { iceServers };
  return async () => ({ iceServers: await iceServers() });
}

export async function createBrowserLibp2p(options: BrowserLibp2pOptions) {
  return createLibp2p({
    start: false,
    privateKey: options.privateKey ?? (await generatePeerKey()),
    addresses: { listen: ['/p2p-circuit', '/webrtc'] },
    transports: [
      webSockets(),
      webRTC({ rtcConfiguration: rtcConfiguration(options.iceServers) }),
      circuitRelayTransport(),
    ],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    // Relays on loopback or a LAN must be dialable (the browser default denies private addrs).
    connectionGater: { denyDialMultiaddr: () => false },
    connectionManager: { maxConnections: options.connectionsMax ?? CONNECTIONS_MAX },
    // A slow ping under CPU load must not kill working connections.
    connectionMonitor: { abortConnectionOnPingFailure: false },
    peerDiscovery: [
      pubsubPeerDiscovery({ interval: DISCOVERY_INTERVAL_MS, topics: [DISCOVERY_TOPIC] }),
    ],
    services: {
      // Says "a browser tab" (agent.ts) rather than the browser's user agent string.
      identify: identify({ agentVersion: agentVersionOf('browser') }),
      ping: ping(),
      pubsub: gossipService(options.chainIds),
    },
  });
}
