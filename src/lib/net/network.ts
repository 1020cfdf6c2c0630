// The network as the node sees it: publish/subscribe by message type, block range sync, peer
// events and a peer list for the UI. Two implementations: libp2p (libp2p-network.ts) and an
// in-memory one for the simulator and fast tests (memory-network.ts); one conformance suite
// runs against both.
import type { PeerKind } from './agent';
import type { MessageType } from './message-types';

export type { MessageType } from './message-types';

export type Verdict =
  /**
   * `message`: what the validator decoded, handed on with the delivery so nothing is decoded
   * twice (the node's gossip validator always sets it; the network treats it as opaque).
   */
  | { result: 'accept'; message?: unknown }
  | { result: 'reject'; reason: string }
  | { result: 'ignore'; reason: string };

/**
 * Decides every inbound gossip message before it is delivered or forwarded. 'reject' lowers the
 * sender's gossipsub score (bad signature, wrong chain, malformed); 'ignore' drops without
 * penalty (stale height, duplicate, not useful now). Must not throw; a throw counts as reject.
 */
export type MessageValidator = (
  type: MessageType,
  payload: Uint8Array,
  from: string,
) => Promise<Verdict>;

export interface InboundMessage {
  type: MessageType;
  payload: Uint8Array;
  /** Peer id of the message's author (gossipsub signs messages with the transport key). */
  from: string;
  /** The validator's decoded form of `payload` (Verdict 'accept' `message`), if it gave one. */
  decoded?: unknown;
}

export type MessageHandler = (message: InboundMessage) => void;

/** How a connection reaches a peer, for the UI. */
export type TransportKind = 'webrtc' | 'relay' | 'websocket' | 'tcp' | 'memory' | 'other';

export interface PeerSummary {
  id: string;
  /** One entry per open connection (usually one). */
  transports: TransportKind[];
  /** Remote multiaddrs of those connections (same order). */
  addresses: string[];
  /** Round-trip time measured by the connection monitor, if any yet. */
  latencyMs: number | null;
  /** The peer's last sync status, once exchanged. */
  status: SyncStatus | null;
  /** What the peer says it is (identify's agent version, agent.ts), once it said so. */
  kind?: PeerKind;
}

export interface SyncStatus {
  chainId: string;
  height: number;
  headHash: Uint8Array;
  /** Which device this peer is: its device key and that key's peer claim signature. */
  device?: DeviceClaim;
}

/** A device key's signature over (chain id, the sender's peer id): core/signing.ts. */
export interface DeviceClaim {
  publicKey: Uint8Array;
  signature: Uint8Array;
}

export type PeerEvent =
  | { type: 'connected'; peerId: string; transport: TransportKind }
  | { type: 'disconnected'; peerId: string }
  | { type: 'status'; peerId: string; status: SyncStatus };

/** A STUN/TURN server for WebRTC (the shape of RTCIceServer). */
export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

export type PeerEventHandler = (event: PeerEvent) => void;

/** One block of a range, as stored: the canonical block bytes and the commit finalising it. */
export interface EncodedBlock {
  height: number;
  block: Uint8Array;
  commit: Uint8Array;
}

/** Where the sync server reads blocks (the store plugs in here). */
export interface BlockSource {
  /** Blocks `from..to` inclusive that exist locally, in order; may return fewer (a prefix). */
  getBlocks(from: number, to: number): Promise<EncodedBlock[]>;
  /** This node's head, sent in the status exchange. */
  status(): SyncStatus;
}

export type BlockVerdict = { ok: true } | { ok: false; reason: string };

/** Checks one received block (and its commit) on top of everything verified before it. */
export type BlockVerifier = (block: EncodedBlock) => Promise<BlockVerdict>;

/**
 * Checks (and commits) consecutive received blocks on top of everything verified before them:
 * `verified` is the length of the prefix that passed, `reason` why the block after it did not,
 * and `fault` whose fault that is: the peer's (the default: a block that does not decode or
 * verify; the peer is penalised) or this node's (its store failed; the peer is not blamed).
 */
export type BatchVerifier = (
  blocks: readonly EncodedBlock[],
) => Promise<{ verified: number; reason?: string; fault?: 'peer' | 'local' }>;

export interface SyncOptions {
  verify: BlockVerifier;
  /** Preferred over `verify` when given: a fetched batch at once (see sync-driver.ts). */
  verifyBatch?: BatchVerifier;
  /**
   * Told of each fetched batch as soon as it arrives, before the batches ahead of it are
   * verified (the same array is passed to verifyBatch later): work that does not depend on
   * them, like checking signatures, can start. Must not commit anything.
   */
  prepare?: (blocks: readonly EncodedBlock[]) => void;
  /** Called for each verified block, in order, before the next one is verified. */
  onBlock?: (block: EncodedBlock) => Promise<void> | void;
  signal?: AbortSignal;
}

export interface SyncResult {
  /** Highest height verified (from - 1 if none). */
  height: number;
  blocks: number;
  /** Peers that served at least one block. */
  peers: string[];
  /** Peers dropped during the sync, with why. */
  failures: { peerId: string; reason: string }[];
  /** Whether every block up to `to` was verified. */
  complete: boolean;
}

export interface ValidationStats {
  accepted: number;
  rejected: Record<string, number>;
  ignored: Record<string, number>;
}

export interface Network {
  readonly peerId: string;
  readonly chainId: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Gossip a message of `type` (payload = the core's encoding); delivered to subscribers. */
  publish(type: MessageType, payload: Uint8Array): Promise<void>;
  /** Receive validated messages of `type`; returns the unsubscribe function. */
  subscribe(type: MessageType, handler: MessageHandler): () => void;
  onPeerEvent(handler: PeerEventHandler): () => void;
  peers(): PeerSummary[];
  /** Counts of validation outcomes by reason, for metrics and tests. */
  validationStats(): ValidationStats;
  /** Fetch and verify blocks from..to from peers whose status reaches `to`, resuming elsewhere. */
  syncRange(from: number, to: number, options: SyncOptions): Promise<SyncResult>;
}
