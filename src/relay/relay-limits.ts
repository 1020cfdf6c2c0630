// The relay's per-peer and per-address limits, as a libp2p connection gater plus reservation
// upkeep. Global limits alone let one host take every reservation and connection; so, counted
// per source address (an IPv4 address or an IPv6 /64: addressKey):
//
//   - connections: at most `connectionsPerAddressMax` open, checked when a connection arrives
//     and again once it is upgraded (concurrent handshakes cannot slip past the first check);
//   - reservations: at most `reservationsPerAddressMax` held (a refresh of one's own is fine);
//
// and per peer id: at most `connectionsPerPeerMax` connections at once, a new one replacing the
// oldest (only the key holder can make one, after the handshake: a device back on a new network
// before its old connection is seen dead gets in, and still holds no more); and new connections
// from one host at most `newConnectionsPerAddressPerS` (libp2p's connection manager counts it). A reservation is
// dropped when its peer's last connection closes (circuit relay v2 keeps it for its whole TTL,
// two hours, so peers that connect, reserve and leave would fill the table). Every refusal is
// counted by reason.
import type { Connection, ConnectionGater, MultiaddrConnection, PeerId } from '@libp2p/interface';
import type { Multiaddr } from '@multiformats/multiaddr';
import { addressKey } from '../lib/net/ip-address';

export interface RelayLimits {
  reservationsPerAddressMax: number;
  connectionsPerAddressMax: number;
  connectionsPerPeerMax: number;
  /** New connections accepted per second from one host (libp2p's connection manager). */
  newConnectionsPerAddressPerS: number;
}

/** What the gater needs of the relay node (its live connections and reservations). */
export interface RelayLimitsComponents {
  connections(peerId?: PeerId): Connection[];
  /** Peers holding a reservation, with the address each reserved from. */
  reservations(): Iterable<[PeerId, { addr: Multiaddr }]>;
}

export type RefusalReason = 'connections-per-address' | 'reservations-per-address';

/** The address key of a connection's remote end, or null (a relayed or unix connection). */
export function remoteKey(address: Multiaddr): string | null {
  const first = address.getComponents()[0];
  if (!first?.value || (first.name !== 'ip4' && first.name !== 'ip6')) return null;
  if (address.toString().includes('/p2p-circuit')) return null;
  return addressKey(first.value);
}

export class RelayLimiter {
  readonly refused: Record<RefusalReason, number> = {
    'connections-per-address': 0,
    'reservations-per-address': 0,
  };
  /** Connections closed to make room for a newer one of the same peer id. */
  replacedConnections = 0;

  constructor(
    private readonly limits: RelayLimits,
    private readonly components: RelayLimitsComponents,
  ) {}

  private refuse(reason: RefusalReason): true {
    this.refused[reason] += 1;
    return true;
  }

  private openFrom(key: string): number {
    return this.components.connections().filter((c) => remoteKey(c.remoteAddr) === key).length;
  }

  private tooManyFromAddress(maConn: MultiaddrConnection): boolean {
    const key = remoteKey(maConn.remoteAddr);
    if (key === null || this.openFrom(key) < this.limits.connectionsPerAddressMax) return false;
    return this.refuse('connections-per-address');
  }

  /** Close the oldest connections of `peerId` so that one more stays within its limit. */
  private makeRoomFor(peerId: PeerId): void {
    const open = this.components.connections(peerId);
    const excess = open.length - this.limits.connectionsPerPeerMax + 1;
    if (excess <= 0) return;
    const oldest = [...open].sort((a, b) => a.timeline.open - b.timeline.open).slice(0, excess);
    for (const connection of oldest) {
      // Abort, not close: a connection this peer left behind may be dead, and a graceful close
      // would wait on it.
      connection.abort(new Error('replaced by a newer connection of the same peer'));
      this.replacedConnections += 1;
    }
  }

  /** The gater hooks; everything else is allowed. */
  gater(): Partial<ConnectionGater> {
    return {
      denyDialMultiaddr: async () => false,
      denyInboundConnection: async (maConn) => this.tooManyFromAddress(maConn),
      denyInboundEncryptedConnection: async (peerId) => {
        this.makeRoomFor(peerId);
        return false;
      },
      denyInboundUpgradedConnection: async (_peerId, maConn) => this.tooManyFromAddress(maConn),
      denyInboundRelayReservation: async (source) => {
        const reservations = [...this.components.reservations()];
        if (reservations.some(([peer]) => peer.equals(source))) return false; // a refresh
        const keys = new Set(
          this.components
            .connections(source)
            .map((c) => remoteKey(c.remoteAddr))
            .filter((key): key is string => key !== null),
        );
        const held = reservations.filter(([, r]) => {
          const key = remoteKey(r.addr);
          return key !== null && keys.has(key);
        }).length;
        if (held < this.limits.reservationsPerAddressMax) return false;
        return this.refuse('reservations-per-address');
      },
    };
  }
}
