// The full node's public API: what the UI (and any app embedding the node) may read and call.
// The UI never computes ledger facts; it renders `status` and query results and calls actions.
// Every value here is plain data (hex strings for hashes and keys) so it can cross a
// BroadcastChannel or a Worker boundary and be rendered directly.
import type { DeviceKind } from '../core/signing';
import type { PeerKind } from '../net/agent';

export type { DeviceKind, PeerKind };

export type Role =
  /** Holds this device's validator key in this tab and votes. */
  | 'validator'
  /** A validator device, but another tab of this browser holds the role (Web Locks). */
  | 'standby'
  /** Follows and verifies the chain; not in the validator set. */
  | 'observer'
  /** Behind the network; verifying blocks from peers. */
  | 'catching-up';

export type ConsensusStep = 'propose' | 'prevote' | 'precommit' | 'commit';

export interface SyncProgress {
  fromHeight: number;
  currentHeight: number;
  targetHeight: number;
}

export interface StorageInfo {
  usageBytes: number | null;
  quotaBytes: number | null;
  persisted: boolean;
}

export interface NodeStatus {
  chainId: string;
  ledgerName: string;
  height: number;
  headHash: string | null;
  /** Time (ms) of the last committed block, and how long its finality took (propose -> commit). */
  lastBlockTime: number | null;
  lastFinalityMs: number | null;
  role: Role;
  sync: SyncProgress | null;
  online: boolean;
  peerCount: number;
  consensus: { height: number; round: number; step: ConsensusStep };
  /** This device's account address and key fingerprint (hex). */
  address: string;
  fingerprint: string;
  storage: StorageInfo;
  /** The latest problem the user should know about (e.g. storage full); null when healthy. */
  problem: { code: string; message: string } | null;
  /**
   * Inbound messages this node dropped because it could not keep up (by message type), and
   * tasks its serial queue refused ('queue'): non-zero means overloaded or under attack.
   */
  drops: Record<string, number>;
}

export type Transport = 'webrtc' | 'relay' | 'websocket' | 'tcp' | 'tab';

export interface PeerInfo {
  id: string;
  /** What the peer says it is (libp2p identify's agent version); null when it did not say. */
  kind: PeerKind | null;
  transport: Transport;
  latencyMs: number | null;
  height: number | null;
}

export interface ValidatorInfo {
  address: string;
  publicKey: string;
  power: number;
  online: boolean;
  lastVote: { height: number; round: number; type: 'prevote' | 'precommit' } | null;
}

export type ActivityStatus = 'pending' | 'committed' | 'rejected';

/** One transaction this device signed, with its fate (the outbox). */
export interface ActivityEntry {
  hash: string;
  kind: string;
  summary: string;
  nonce: number;
  createdAt: number;
  status: ActivityStatus;
  height: number | null;
  code: string | null;
}

export interface BlockSummary {
  height: number;
  hash: string;
  time: number;
  proposer: string;
  txCount: number;
}

export interface TxView {
  hash: string;
  from: string;
  nonce: number;
  kind: string;
  summary: string;
  code: string;
}

export interface CommitSignatureView {
  validator: string;
  kind: 'commit' | 'nil' | 'absent';
  timestamp: number | null;
}

export interface BlockView extends BlockSummary {
  previousHash: string;
  stateRoot: string;
  txs: TxView[];
  commit: { round: number; signatures: CommitSignatureView[] } | null;
  evidence: { validator: string; height: number; round: number; type: string }[];
}

export interface AccountView {
  address: string;
  balance: number;
  nonce: number;
  history: { height: number; txHash: string; summary: string }[];
}

export interface RecordView {
  key: string;
  owner: string;
  value: string;
}

export interface JoinRequest {
  publicKey: string;
  address: string;
  label: string;
  /** What is asking: a browser, or an always-on peer (signed with the request). */
  kind: DeviceKind;
  /** When this device last heard the request (a device asking keeps repeating it while online). */
  lastSeenMs: number;
  /** The open governance proposal approving would approve, if one exists. */
  proposalId: string | null;
  /** Who proposed it (a validator's address), if one exists. */
  proposer: string | null;
  /** The voting power the device gets: the open proposal's, or the one approving proposes. */
  power: number;
  /** The device's share of the total voting power once the change applies (0..1). */
  shareAfter: number;
  /** Approvals so far (power) of the open proposal, out of the current total. */
  approvedPower: number;
  totalPower: number;
  approvedByMe: boolean;
}

export type NodeEvent =
  | { type: 'status'; status: NodeStatus }
  | { type: 'block'; block: BlockSummary }
  | { type: 'vote'; validator: string; height: number; round: number; voteType: string }
  | { type: 'activity'; entry: ActivityEntry }
  | { type: 'peers'; peers: PeerInfo[] }
  /** A device asked to join, or a request was settled (its device is now a validator). */
  | { type: 'join-requests'; requests: JoinRequest[] };

export interface LedgerNode {
  readonly status: NodeStatus;
  subscribe(listener: (event: NodeEvent) => void): () => void;
  start(options?: { signal?: AbortSignal }): Promise<void>;
  stop(): Promise<void>;

  transfer(to: string, amount: number): Promise<ActivityEntry>;
  putRecord(key: string, value: string): Promise<ActivityEntry>;
  deleteRecord(key: string): Promise<ActivityEntry>;
  /** Ask the validators to add this device (gossips a join request). */
  requestToJoin(label: string): Promise<void>;
  /**
   * Approve exactly what the user was shown: the open proposal `proposalId` for this key, or
   * (null) a new proposal at the power the view showed. Refused if the ledger changed since
   * (another proposal appeared, or the shown one is gone).
   */
  approveJoin(publicKey: string, proposalId: string | null): Promise<ActivityEntry>;
  inviteLink(baseUrl: string): string;

  blocks(page: { beforeHeight?: number; limit: number }): Promise<BlockSummary[]>;
  block(height: number): Promise<BlockView | null>;
  account(address: string): Promise<AccountView | null>;
  accounts(): Promise<{ address: string; balance: number }[]>;
  records(prefix: string): Promise<RecordView[]>;
  activity(): Promise<ActivityEntry[]>;
  validators(): Promise<ValidatorInfo[]>;
  peers(): PeerInfo[];
  joinRequests(): JoinRequest[];
}

export interface LedgerSummary {
  chainId: string;
  name: string;
  /** When this device created or joined it (ms). */
  addedAt: number;
  height: number;
}

/** Parsed invite: what a joining device needs to find and verify the ledger. */
export interface Invite {
  chainId: string;
  name: string;
  /** Canonical genesis bytes (base64url) so the joiner checks chainId = hash(genesis). */
  genesis: string;
  relays: string[];
}

/** This browser profile: its ledgers and its device key. One per tab. */
export interface Device {
  ledgers(): Promise<LedgerSummary[]>;
  /** Create a ledger with this device as its single validator; returns the chain id. */
  createLedger(options: {
    name: string;
    balances: { address: string; amount: number }[];
  }): Promise<string>;
  /** Accept an invite link (or its parsed form); returns the chain id. */
  joinLedger(invite: string | Invite): Promise<string>;
  open(chainId: string): Promise<LedgerNode>;
  /** This device's account address (same key for every ledger). */
  address(): Promise<string>;
}
