// Which relay addresses a browser node takes from outside (an invite link, /relay.json, the
// addresses a ledger remembers): a relay is dialled over WebSockets, so only an address of that
// shape is of any use, and anything else is dropped before it is stored or dialled. One damaged
// string must never stop a ledger from opening (issue 13, item 11): every list of relays goes
// through `usableRelays` on its way to the network.
//
// Accepted, and nothing else:
//   /<ip4|ip6|dns|dns4|dns6>/<host>/tcp/<port>/<ws | wss | tls/ws | tls/sni/<name>/ws>/p2p/<id>
// It must end in the relay's peer id (the dial checks who answers), and must not go through
// another relay (/p2p-circuit): a relay of a relay is not a relay this app uses.
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';

/** Longest relay address taken (a DNS name is at most 253 characters; sni repeats it). */
export const RELAY_ADDRESS_CHARS_MAX = 640;

/** Why an address is of no use to a browser node (what the UI puts into words). */
export type RelayAddressProblem =
  /** Longer than RELAY_ADDRESS_CHARS_MAX, or not text at all. */
  | 'too-long'
  /** Not a multiaddr (a damaged or made-up string). */
  | 'not-an-address'
  /** A multiaddr, but not one a browser reaches a relay at (plain TCP, QUIC, a circuit...). */
  | 'transport'
  /** It does not end in the relay's /p2p/<peer id>. */
  | 'no-peer-id';

const HOSTS = new Set(['ip4', 'ip6', 'dns', 'dns4', 'dns6']);
/** The transport names between /tcp/<port> and /p2p/<id> that a browser's WebSockets dial. */
const WEBSOCKET_SHAPES: readonly (readonly string[])[] = [
  ['ws'],
  ['wss'],
  ['tls', 'ws'],
  ['tls', 'sni', 'ws'],
];
/** A peer id as multiaddr prints it: base58btc, 46 (RSA, "Qm…") to 53 (secp256k1) characters. */
const PEER_ID_PATTERN = /^[1-9A-HJ-NP-Za-km-z]{46,60}$/;

/** The multiaddr, fully decoded (the library parses some values only when bytes are read). */
function parse(text: string): Multiaddr | null {
  try {
    const address = multiaddr(text);
    if (address.bytes.length === 0) return null;
    return address;
  } catch {
    return null;
  }
}

/** null when a browser node may dial `text` as a relay; else what is wrong with it. */
export function relayAddressProblem(text: unknown): RelayAddressProblem | null {
  if (typeof text !== 'string' || text.length > RELAY_ADDRESS_CHARS_MAX) return 'too-long';
  const address = text.startsWith('/') ? parse(text) : null;
  if (!address) return 'not-an-address';
  let components;
  try {
    components = address.getComponents();
  } catch {
    return 'not-an-address';
  }
  const names = components.map((component) => component.name);
  const last = components[components.length - 1];
  if (last?.name !== 'p2p' || !PEER_ID_PATTERN.test(last.value ?? '')) {
    return names.includes('p2p-circuit') ? 'transport' : 'no-peer-id';
  }
  const [host, tcp, ...rest] = names.slice(0, -1);
  if (host === undefined || !HOSTS.has(host) || tcp !== 'tcp') return 'transport';
  const port = Number(components[1]?.value);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) return 'transport';
  const shape = WEBSOCKET_SHAPES.some(
    (expected) => expected.length === rest.length && expected.every((name, i) => name === rest[i]),
  );
  return shape ? null : 'transport';
}

/**
 * `addresses` split into those a browser node may dial as relays (in order, without repeats)
 * and the rest, each with its problem.
 */
export function usableRelays(addresses: readonly unknown[]): {
  usable: string[];
  unusable: { address: string; problem: RelayAddressProblem }[];
} {
  const usable: string[] = [];
  const unusable: { address: string; problem: RelayAddressProblem }[] = [];
  for (const address of addresses) {
    const problem = relayAddressProblem(address);
    if (problem === null) {
      if (!usable.includes(address as string)) usable.push(address as string);
    } else {
      // Only a bounded preview of a non-string or oversized value is kept for the report.
      const shown = typeof address === 'string' ? address.slice(0, RELAY_ADDRESS_CHARS_MAX) : '';
      unusable.push({ address: shown, problem });
    }
  }
  return { usable, unusable };
}
