// Which transport a connection uses, from its remote multiaddr, for the UI and for tests that
// must prove a connection is direct WebRTC and not relayed.
import type { Connection } from '@libp2p/interface';
import type { TransportKind } from './network';

export function transportOfAddress(address: string): TransportKind {
  if (address.includes('/webrtc')) return 'webrtc';
  if (address.includes('/p2p-circuit')) return 'relay';
  if (address.includes('/ws') || address.includes('/wss') || address.includes('/tls/ws')) {
    return 'websocket';
  }
  if (address.includes('/tcp/')) return 'tcp';
  return 'other';
}

export function transportOf(connection: Connection): TransportKind {
  const kind = transportOfAddress(connection.remoteAddr.toString());
  // A limited connection is always a relayed one, whatever its address says.
  return kind !== 'webrtc' && connection.limits != null ? 'relay' : kind;
}
