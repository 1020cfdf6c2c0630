// Every limit of the network layer in one place (see docs/network.md). A message or frame beyond
// its limit is rejected before it is decoded further; every queue and table has a maximum and a
// drop policy. Ledger-level limits (block and tx sizes) come from the core's params.
import { BLOCK_BYTES_MAX, MESSAGE_BYTES_MAX, TX_BYTES_MAX, VALIDATORS_MAX } from '../core/params';
import type { MessageType } from './message-types';

export const ENVELOPE_VERSION = 1;
/** CBOR framing of the envelope around its payload: version, type tag, 64-char chain id. */
export const ENVELOPE_OVERHEAD_BYTES_MAX = 128;

/** Encoded vote: chain id, hashes, address, signature, integers (~260 bytes in practice). */
export const VOTE_BYTES_MAX = 1024;
/** Two conflicting votes plus framing. */
export const EVIDENCE_BYTES_MAX = 4 * 1024;
/** A join request: public key, name, a short note. */
export const JOIN_BYTES_MAX = 4 * 1024;
/** A commit signature slot is at most ~110 bytes encoded; one per validator. */
export const COMMIT_BYTES_MAX = 1024 + VALIDATORS_MAX * 128;

/** Most txs in one `tx` message: a device's quick submits are signed and gossiped together. */
export const TX_BATCH_TXS_MAX = 128;
/** A tx batch: each tx with its CBOR byte-string header (at most 3 bytes), plus the array's. */
export const TX_BATCH_BYTES_MAX = TX_BATCH_TXS_MAX * (TX_BYTES_MAX + 3) + 3;

/** Largest payload (the bytes inside the envelope) per message type. */
export const PAYLOAD_BYTES_MAX: Readonly<Record<MessageType, number>> = {
  tx: TX_BATCH_BYTES_MAX,
  proposal: MESSAGE_BYTES_MAX,
  vote: VOTE_BYTES_MAX,
  commit: BLOCK_BYTES_MAX + COMMIT_BYTES_MAX,
  evidence: EVIDENCE_BYTES_MAX,
  join: JOIN_BYTES_MAX,
};

/** Largest gossip message of any type; gossipsub drops bigger ones before decoding them. */
export const GOSSIP_MESSAGE_BYTES_MAX =
  Math.max(...Object.values(PAYLOAD_BYTES_MAX)) + ENVELOPE_OVERHEAD_BYTES_MAX;
/**
 * One gossipsub RPC frame: a message plus its protobuf fields (author, seqno, signature, topic)
 * and piggybacked control messages. A bigger frame closes that peer's inbound gossip stream.
 */
export const GOSSIP_RPC_BYTES_MAX = GOSSIP_MESSAGE_BYTES_MAX + 16 * 1024;

// Sync protocol -------------------------------------------------------------------------------

/** Blocks one range request may ask for; the server answers at most this many. */
export const SYNC_BATCH_BLOCKS_MAX = 64;
/**
 * Range requests a syncing node keeps outstanding beyond the batch it is verifying, so the next
 * blocks arrive while the current ones are checked: at most (1 + this) batches are buffered.
 */
export const SYNC_FETCH_AHEAD_BATCHES = 1;
/** Bytes of blocks the server sends for one request; it ends the batch early beyond this. */
export const SYNC_BATCH_BYTES_MAX = 4 * 1024 * 1024;
/** One sync frame: a block with its commit and framing. */
export const SYNC_FRAME_BYTES_MAX = BLOCK_BYTES_MAX + COMMIT_BYTES_MAX + 1024;
/**
 * How long a peer may take to deliver one whole sync frame (one deadline per frame, however
 * many chunks it comes in) before the session is abandoned.
 */
export const SYNC_FRAME_TIMEOUT_MS = 20_000;
/**
 * Wall time for a whole range reply (every block frame up to `end`): a peer that drips bytes
 * just fast enough to beat the frame deadline is dropped after this. 4 MiB in 30 s is about
 * 1.1 Mbit/s; a slower peer is skipped in favour of another.
 */
export const SYNC_BATCH_TIMEOUT_MS = 30_000;
/**
 * Bytes of blocks a client accepts in one range reply: the server's cap, plus the one block with
 * which a server crosses it. Enforced by the client, whatever the server does.
 */
export const SYNC_BATCH_RECEIVE_BYTES_MAX = SYNC_BATCH_BYTES_MAX + SYNC_FRAME_BYTES_MAX;
/** Concurrent inbound sync streams per connection (status + one range session). */
export const SYNC_INBOUND_STREAMS_MAX = 4;
/** Peers tried for one range before giving up. */
export const SYNC_PEER_ATTEMPTS_MAX = 8;
/** When no peer's status reaches a sync's target, statuses are asked again at most this often. */
export const SYNC_STATUS_REFRESH_INTERVAL_MS = 5_000;

// What sync peers proved (sync-peers.ts) ----------------------------------------------------------

/** Peers whose sync record is kept; beyond this the least recently updated is forgotten. */
export const SYNC_PEERS_REMEMBERED_MAX = 1_024;
/**
 * A peer that served an invalid block or a malformed reply, or claimed a height it then did not
 * serve, is not asked again, and its status claims are ignored, for this long.
 */
export const SYNC_PENALTY_MS = 10 * 60_000;
/** A peer that dropped or timed out mid-range is skipped for this long (it may be honest). */
export const SYNC_SKIP_MS = 60_000;
/**
 * gossipsub application score of a penalised peer (gossipsub multiplies it by 10): one that
 * served an invalid block falls below the graylist (-80: its gossip is ignored), one that lied
 * about its height below the gossip threshold (-10: no gossip is sent to it).
 */
export const SYNC_INVALID_GOSSIP_SCORE = -10;
export const SYNC_LIED_GOSSIP_SCORE = -3;

// Connectivity --------------------------------------------------------------------------------

export const CONNECTIONS_MAX = 64;
/** Known peers remembered for reconnection; the oldest is forgotten beyond this. */
export const KNOWN_PEERS_MAX = 256;
export const RECONNECT_DELAY_MS_MIN = 500;
export const RECONNECT_DELAY_MS_MAX = 30_000;
/** A peer not reachable after this many attempts is forgotten until rediscovered. */
export const RECONNECT_ATTEMPTS_MAX = 12;
export const DIAL_TIMEOUT_MS = 15_000;
/** pubsub-peer-discovery announcement period. */
export const DISCOVERY_INTERVAL_MS = 2_000;

// Discovery (discovery-guard.ts, dial-policy.ts) ------------------------------------------------

/** One announcement: a public key and its addresses (a tab has two per relay). */
export const DISCOVERY_ANNOUNCEMENT_BYTES_MAX = 4 * 1024;
export const DISCOVERY_ADDRESSES_MAX = 32;
/** Announcements one author may make (honest ones: one per DISCOVERY_INTERVAL_MS). */
export const DISCOVERY_AUTHOR_RATE = { burst: 3, perSecond: 1 } as const;
/**
 * Announcements a relay forwards per propagation source: a tab forwards others' announcements
 * too, but the relay hears each author directly and drops duplicates before counting.
 */
export const DISCOVERY_SOURCE_RATE = { burst: 16, perSecond: 4 } as const;
/** Authors and sources whose rates are tracked; the least recently seen is forgotten. */
export const DISCOVERY_RATE_KEYS_MAX = 4_096;
/** Dials to discovered peers in progress at once. */
export const DISCOVERY_DIALS_CONCURRENT_MAX = 4;
/**
 * Dials to discovered peers (first dials and redials): a burst of 32, then one every 2 s. A
 * peer denied a dial waits for the next token; a flood of announced peers costs at most this.
 */
export const DISCOVERY_DIAL_RATE = { burst: 32, perSecond: 0.5 } as const;

// Relay ---------------------------------------------------------------------------------------

export const RELAY_RESERVATIONS_MAX = 256;
export const RELAY_CONNECTIONS_MAX = 512;
/**
 * Per source address (an IPv4 address, an IPv6 /64): every tab of a household or an office NAT
 * shares one, so these are far above one person's tabs and far below the totals.
 */
export const RELAY_RESERVATIONS_PER_ADDRESS_MAX = 32;
export const RELAY_CONNECTIONS_PER_ADDRESS_MAX = 64;
/**
 * Connections one peer id may hold to the relay at once (a reconnect may briefly overlap); a new
 * one replaces the oldest.
 */
export const RELAY_CONNECTIONS_PER_PEER_MAX = 2;
/** New connections per second from one host (libp2p's default; refused ones retry). */
export const RELAY_NEW_CONNECTIONS_PER_ADDRESS_PER_S = 5;

// Validation bookkeeping ------------------------------------------------------------------------

/** Distinct reject/ignore reasons counted; further reasons are counted under 'other'. */
export const VALIDATION_REASONS_MAX = 64;
/** Recently accepted payload digests kept to drop re-published copies (replays). */
export const REPLAY_CACHE_ENTRIES_MAX = 16_384;
/** Handlers per message type. */
export const SUBSCRIBERS_PER_TYPE_MAX = 32;
