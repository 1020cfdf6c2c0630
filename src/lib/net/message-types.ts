// The message types the ledger gossips, and the topic each travels on. Proposals and votes share
// the consensus topic (one mesh for the latency-critical traffic); the envelope's type tag tells
// them apart.

export const MESSAGE_TYPES = ['tx', 'proposal', 'vote', 'commit', 'evidence', 'join'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

export type TopicName = 'tx' | 'consensus' | 'blocks' | 'evidence' | 'join';

export const TOPIC_OF: Readonly<Record<MessageType, TopicName>> = {
  tx: 'tx',
  proposal: 'consensus',
  vote: 'consensus',
  commit: 'blocks',
  evidence: 'evidence',
  join: 'join',
};

export const TOPIC_NAMES: readonly TopicName[] = ['tx', 'consensus', 'blocks', 'evidence', 'join'];

export function isMessageType(value: unknown): value is MessageType {
  return typeof value === 'string' && (MESSAGE_TYPES as readonly string[]).includes(value);
}

/** The gossipsub topic string of one ledger's topic: `/ledger/<chainId>/<name>/1`. */
export function topicString(chainId: string, name: TopicName): string {
  return `/ledger/${chainId}/${name}/1`;
}

/** The sync stream protocol of one ledger. */
export function syncProtocol(chainId: string): string {
  return `/ledger/${chainId}/sync/1.0.0`;
}

/** Discovery announcements of every ledger travel on one app-wide topic (relays join it). */
export const DISCOVERY_TOPIC = '/ledger/discovery/1';
