// gossipsub 14 opens its outbound stream to a peer once, when the connection is reported; if
// that attempt fails (seen under load, and when a tab's first connection races the relay's
// gossipsub start) it never retries, and that peer then gets none of our messages nor our
// subscriptions — a tab silently drops out of discovery. This re-reports such connections so
// gossipsub tries again.
import type { GossipSub } from '@chainsafe/libp2p-gossipsub';
import type { Connection, PeerId } from '@libp2p/interface';

/** The private hook gossipsub's topology calls on connect (present at run time, not in types). */
interface GossipInternals {
  streamsOutbound: Map<string, unknown>;
  onPeerConnected(peerId: PeerId, connection: Connection): void;
}

/** Re-report every open direct connection to a gossip peer that has no outbound stream. */
export function repairOutboundStreams(pubsub: GossipSub, connections: Connection[]): number {
  const internals = pubsub as unknown as GossipInternals;
  if (typeof internals.onPeerConnected !== 'function' || !pubsub.isStarted()) return 0;
  const gossipPeers = new Set(pubsub.getPeers().map(String));
  let repaired = 0;
  for (const connection of connections) {
    const id = connection.remotePeer.toString();
    if (connection.status !== 'open' || connection.limits != null) continue;
    if (!gossipPeers.has(id) || internals.streamsOutbound.has(id)) continue;
    internals.onPeerConnected(connection.remotePeer, connection);
    repaired += 1;
  }
  return repaired;
}
