// Which of the peer's addresses go into its invite links: those a browser can dial directly
// (WebSockets, not through a relay), public ones before loopback ones, so a phone elsewhere
// tries the address it can reach first (an invite holds at most INVITE_RELAYS_MAX addresses).

/** Addresses a browser can dial (WebSockets, not through a relay), public ones first. */
export function browserDialable(addresses: readonly string[]): string[] {
  const ws = addresses.filter(
    (a) => /\/(ws|wss|tls\/ws)(\/|$)/.test(a) && !a.includes('/p2p-circuit'),
  );
  const local = (a: string) => /\/ip4\/127\.|\/ip6\/::1\//.test(a);
  return [...ws.filter((a) => !local(a)), ...ws.filter(local)];
}

/** The peer id a multiaddr ends with, or null. */
export function peerIdOf(address: string): string | null {
  return /\/p2p\/([^/]+)$/.exec(address)?.[1] ?? null;
}
