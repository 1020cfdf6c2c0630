// Which announced addresses a node dials. Discovery announcements come from anyone on the
// topic, so an address in one is a request to make this tab open a connection somewhere: a
// page must never be made to scan its user's LAN or flood a host. A discovered peer is dialled
// only at an address a ledger peer can have:
//
//   - WebRTC through one of this node's own relays: `<relay>/p2p-circuit/webrtc/p2p/<peer>`,
//     rebuilt from the configured relay's own address (the announced relay part is not used,
//     so it cannot point the dial anywhere else);
//   - a direct TCP or WebSocket address (a Node peer) with a literal IP: never a DNS name
//     (it could name anything), and a private IP only where private addresses are allowed
//     (by default: when a configured relay is itself private, as on a LAN or in tests).
//
// Each must end in the announcing peer's own /p2p/<id> (or nothing, which is then appended).
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import { isIpLiteral, isPrivateHostName, isPrivateIp } from './ip-address';

export interface DialPolicy {
  /** This node's relays, each ending in /p2p/<relayId>. */
  relays: readonly Multiaddr[];
  /** Whether direct addresses in private ranges may be dialled. */
  allowPrivate: boolean;
}

/** Whether a configured relay is on a private address or name (LAN, loopback). */
export function hasPrivateRelay(relays: readonly Multiaddr[]): boolean {
  return relays.some((relay) => {
    const first = relay.getComponents()[0];
    if (!first?.value) return false;
    if (first.name === 'ip4' || first.name === 'ip6') return isPrivateIp(first.value);
    return isPrivateHostName(first.value);
  });
}

const DIRECT_TRANSPORTS: readonly (readonly string[])[] = [
  ['tcp'],
  ['tcp', 'ws'],
  ['tcp', 'wss'],
  ['tcp', 'tls', 'ws'],
];

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name, i) => name === b[i]);
}

/**
 * The address to dial `peerId` at for one announced address, or null if it is not one a
 * ledger peer can have.
 */
export function dialableAddress(
  address: Multiaddr,
  peerId: string,
  policy: DialPolicy,
): Multiaddr | null {
  const components = address.getComponents();
  const last = components[components.length - 1];
  if (last?.name === 'p2p' && last.value !== peerId) return null;
  const body = last?.name === 'p2p' ? components.slice(0, -1) : components;
  const names = body.map((c) => c.name);
  const circuit = names.indexOf('p2p-circuit');
  if (circuit >= 0) {
    // <anything>/p2p/<relayId>/p2p-circuit/webrtc
    if (!sameNames(names.slice(circuit), ['p2p-circuit', 'webrtc'])) return null;
    const relayId = body[circuit - 1]?.name === 'p2p' ? body[circuit - 1]?.value : undefined;
    const relay = policy.relays.find((r) => relayId !== undefined && r.getPeerId() === relayId);
    return relay ? multiaddr(`${relay.toString()}/p2p-circuit/webrtc/p2p/${peerId}`) : null;
  }
  const [host, ...transport] = body;
  if (!host?.value || (host.name !== 'ip4' && host.name !== 'ip6')) return null;
  if (!isIpLiteral(host.value) || (!policy.allowPrivate && isPrivateIp(host.value))) return null;
  const transportNames = transport.map((c) => c.name);
  if (!DIRECT_TRANSPORTS.some((names) => sameNames(names, transportNames))) return null;
  return last?.name === 'p2p' ? address : address.encapsulate(`/p2p/${peerId}`);
}

/** The addresses to dial `peerId` at, best first: WebRTC through a relay, then direct ones. */
export function dialableAddresses(
  addresses: readonly Multiaddr[],
  peerId: string,
  policy: DialPolicy,
): Multiaddr[] {
  const dialable = new Map<string, Multiaddr>();
  for (const address of addresses) {
    const target = dialableAddress(address, peerId, policy);
    if (target) dialable.set(target.toString(), target);
  }
  const all = [...dialable.values()];
  const viaRelay = (a: Multiaddr) => a.toString().includes('/p2p-circuit/');
  return [...all.filter(viaRelay), ...all.filter((a) => !viaRelay(a))];
}
