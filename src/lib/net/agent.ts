// What a libp2p node says it is, in identify's agent version: `p2p-ledger/<kind>/<version>`.
// Only a label for people (the Network page shows "always-on peer" next to such a peer): any node
// can claim anything here, so nothing the node decides depends on it.

/** A browser tab, an always-on peer (a headless node), or a signaling relay. */
export type PeerKind = 'browser' | 'peer' | 'relay';

export const PEER_KINDS: readonly PeerKind[] = ['browser', 'peer', 'relay'];
export const AGENT_PREFIX = 'p2p-ledger';
/** The protocol generation the agent string names (not the package version). */
export const AGENT_VERSION = '1';
/** Longer agent strings are not ours (identify allows any length; we read only a prefix). */
const AGENT_CHARS_MAX = 128;

export function agentVersionOf(kind: PeerKind): string {
  return `${AGENT_PREFIX}/${kind}/${AGENT_VERSION}`;
}

/** The kind an agent version names, or null for anything else (another libp2p app, say). */
export function kindOfAgent(agentVersion: string | undefined): PeerKind | null {
  if (agentVersion === undefined || agentVersion.length > AGENT_CHARS_MAX) return null;
  const [prefix, kind] = agentVersion.split('/');
  if (prefix !== AGENT_PREFIX) return null;
  return PEER_KINDS.find((known) => known === kind) ?? null;
}
