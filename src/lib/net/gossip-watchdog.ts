// gossipsub 14 keeps one outbound stream per peer id and opens it once, when the connection is
// reported; it never checks that stream again. Three ways a peer then silently gets none of our
// messages nor our subscriptions:
//
//   - the attempt failed (seen under load, and when a tab's first connection races the relay's
//     gossipsub start): there is no outbound stream;
//   - the peer restarted with the same id (an always-on peer after a crash, a reloaded tab with
//     its stored key) before the old connection's death was noticed (WebRTC can take tens of
//     seconds): the new connection is reported, but an outbound stream exists, on the dead
//     connection, so nothing is opened on the new one;
//   - the old connection then ends with an error, and gossipsub drops the peer's whole state
//     (streams, subscriptions, mesh), though the new connection is alive: libp2p reports no
//     disconnect while a connection remains, so nothing adds it back.
//
// Every few seconds this finds such peers and re-reports their newest open direct connection, so
// gossipsub opens a fresh outbound stream there and sends our subscriptions (which makes the
// other side open its own towards us if it lost it).
import type { GossipSub } from '@chainsafe/libp2p-gossipsub';
import type { Connection, PeerId, Stream } from '@libp2p/interface';

/** A connection younger than this is left to gossipsub's own connect handling. */
export const GOSSIP_REPAIR_GRACE_MS = 2_000;

/** gossipsub's protocols (meshsub 1.0 to 1.2) start with this. */
const GOSSIP_PROTOCOL_PREFIX = '/meshsub/';

/** gossipsub's private state the repair reads (present at run time, not in its types). */
interface GossipInternals {
  peers: Map<string, PeerId>;
  streamsOutbound: Map<string, { rawStream: Stream; close(): Promise<void> }>;
  onPeerConnected(peerId: PeerId, connection: Connection): void;
}

export interface GossipRepairComponents {
  pubsub: GossipSub;
  connections(): Connection[];
  /** The protocols a peer announced (identify), to tell whether a dropped peer speaks gossip. */
  protocols(peerId: PeerId): Promise<string[]>;
  nowMs(): number;
}

/** Whether `stream` is still a usable outbound stream on `connection`. */
function isLive(stream: Stream, connection: Connection): boolean {
  return (
    stream.status === 'open' &&
    stream.readStatus === 'ready' &&
    (stream.writeStatus === 'ready' || stream.writeStatus === 'writing') &&
    connection.streams.includes(stream)
  );
}

/** Each peer's newest open direct connection that is past the grace period. */
function newestDirect(connections: Connection[], nowMs: number): Map<string, Connection> {
  const newest = new Map<string, Connection>();
  for (const connection of connections) {
    if (connection.status !== 'open' || connection.limits != null) continue;
    if (nowMs - connection.timeline.open < GOSSIP_REPAIR_GRACE_MS) continue;
    const id = connection.remotePeer.toString();
    const known = newest.get(id);
    if (!known || connection.timeline.open > known.timeline.open) newest.set(id, connection);
  }
  return newest;
}

/**
 * Re-report the newest direct connection of every gossip peer whose outbound stream is missing
 * or not live on it, and of every peer gossipsub dropped while a connection to it remains.
 * Returns how many peers were repaired.
 */
export async function repairGossipStreams(components: GossipRepairComponents): Promise<number> {
  const { pubsub } = components;
  const internals = pubsub as unknown as GossipInternals;
  if (typeof internals.onPeerConnected !== 'function' || !pubsub.isStarted()) return 0;
  let repaired = 0;
  for (const [id, connection] of newestDirect(components.connections(), components.nowMs())) {
    const outbound = internals.streamsOutbound.get(id);
    if (internals.peers.has(id)) {
      if (outbound && isLive(outbound.rawStream, connection)) continue;
    } else {
      const protocols = await components.protocols(connection.remotePeer).catch(() => []);
      if (!protocols.some((protocol) => protocol.startsWith(GOSSIP_PROTOCOL_PREFIX))) continue;
    }
    if (outbound) {
      internals.streamsOutbound.delete(id);
      void outbound.close().catch(() => undefined);
    }
    internals.onPeerConnected(connection.remotePeer, connection);
    repaired += 1;
  }
  return repaired;
}

/** How often the repair runs. */
export const GOSSIP_REPAIR_INTERVAL_MS = 3_000;

export interface GossipRepair {
  /** Peers repaired since the start (diagnostics: a healthy mesh stays at 0). */
  repairs(): number;
  stop(): void;
}

/** Run the repair every GOSSIP_REPAIR_INTERVAL_MS (one pass at a time) until stopped. */
export function startGossipRepair(components: GossipRepairComponents): GossipRepair {
  let repairs = 0;
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    repairGossipStreams(components)
      .then((count) => {
        repairs += count;
      })
      .catch(() => undefined)
      .finally(() => {
        running = false;
      });
  }, GOSSIP_REPAIR_INTERVAL_MS);
  return { repairs: () => repairs, stop: () => clearInterval(timer) };
}
