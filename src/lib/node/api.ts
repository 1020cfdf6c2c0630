// The full node's public API: what the UI (and any app embedding the node) may read and call.
// The UI never computes ledger facts; it renders `status` and query results and calls actions.
// Every value here is plain data (hex strings for hashes and keys) so it can cross a
// BroadcastChannel or a Worker boundary and be rendered directly.
import type { Admission } from '../core/types';
import type { DeviceKind, JoinRole } from '../core/signing';
import type { PeerKind } from '../net/agent';
import type { InviteAccess } from './private-ledger';

export type { Admission, DeviceKind, InviteAccess, JoinRole, PeerKind };

/**
 * Who can read a ledger: 'private' (members only: its traffic is encrypted and named by a secret
 * that travels only in invite links) or 'public' (anyone who learns its chain id).
 */
export type LedgerAccess = 'private' | 'public';

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
  /** Connected to the network: a relay or at least one device of this ledger. */
  online: boolean;
  /** Devices of this ledger connected now (relays and nodes of other ledgers not counted). */
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
  /** A private ledger: this device's standing and the key epoch; null for a public ledger. */
  access: AccessStatus | null;
}

/**
 * This device on a private ledger: 'member' (may write), 'leaving' (its removal is decided,
 * final at the next key rotation), 'removed' (a rotation passed it by: it can no longer read
 * new blocks), 'invited' (it holds an invite's key and may ask to join), 'no-key' (this device
 * has no key for the ledger at all: an invite link is needed).
 */
export interface AccessStatus {
  standing: 'member' | 'leaving' | 'removed' | 'invited' | 'no-key';
  /** The ledger's key epoch (each rotation starts the next). */
  epoch: number;
  members: number;
  admission: 'any-validator' | 'two-thirds';
}

export type Transport = 'webrtc' | 'relay' | 'websocket' | 'tcp' | 'tab';

/**
 * What a connected peer is: a device of this ledger (it exchanged this ledger's status), a
 * relay (signaling only), or something else (a node of another ledger met through discovery,
 * or a device whose status has not arrived yet).
 */
export type PeerRole = 'device' | 'relay' | 'other';

export interface PeerInfo {
  id: string;
  /** The device it proved to be (a signed claim in its status, peer-devices.ts), or null. */
  address: string | null;
  role: PeerRole;
  /** What the peer says it is (libp2p identify's agent version); null when it did not say. */
  kind: PeerKind | null;
  transport: Transport;
  latencyMs: number | null;
  /** The peer's height as it last told us (refreshed periodically); null before it does. */
  height: number | null;
}

export interface ValidatorInfo {
  address: string;
  publicKey: string;
  power: number;
  online: boolean;
  lastVote: { height: number; round: number; type: 'prevote' | 'precommit' } | null;
  /** An open proposal to take its votes away (power 0), if any. */
  removal: ProposalProgress | null;
}

/** What a transaction does, in parts a UI can put into words (with names for addresses). */
export type TxAction =
  | { kind: 'transfer'; to: string; amount: number }
  | { kind: 'put'; key: string }
  | { kind: 'delete'; key: string }
  /** Add (power > 0), re-weight or remove (power 0) the validator of `address`. */
  | { kind: 'validator-propose'; address: string; power: number }
  | { kind: 'validator-approve'; proposalId: string }
  /** Private ledgers: admit a device as a member, remove one (or leave), a new ledger key. */
  | { kind: 'member-add'; address: string }
  | { kind: 'member-remove'; address: string }
  | { kind: 'epoch-rotate'; epoch: number };

export type ActivityStatus = 'pending' | 'committed' | 'rejected';

/** One transaction this device signed, with its fate (the outbox). */
export interface ActivityEntry {
  hash: string;
  kind: string;
  /** Technical one-line summary (for details); `action` is what a UI puts into words. */
  summary: string;
  action: TxAction;
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
  action: TxAction;
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
  history: { height: number; txHash: string; from: string; summary: string; action: TxAction }[];
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
  /**
   * The device's X25519 public key (hex), signed with the request: a private ledger's new keys
   * are sealed to it. Null from a device without one (it cannot become a member).
   */
  boxKey: string | null;
  /** What the device asks for (signed): on a public ledger always 'validator'. */
  asks: JoinRole;
  /** The device is a member of this private ledger already (false on a public ledger). */
  member: boolean;
  /**
   * What approving does now: 'member' (private ledger, the device is not a member yet: it may
   * then read and write) or 'validator' (it gets voting power: `power`, `shareAfter`). A device
   * that asks to be a validator on a private ledger is first made a member, then shown again.
   */
  grants: JoinRole;
  /** When this device last heard the request (a device asking keeps repeating it while online). */
  lastSeenMs: number;
  /** The open governance proposal approving would approve, if one exists. */
  proposalId: string | null;
  /** Who proposed it (a validator's address), if one exists. */
  proposer: string | null;
  /**
   * The voting power the device gets: the open proposal's, or the one approving proposes (0 when
   * approving grants 'member').
   */
  power: number;
  /** The device's share of the total voting power once the change applies (0..1; 0: member). */
  shareAfter: number;
  /** Approvals so far (power) of the open proposal, out of the current total. */
  approvedPower: number;
  totalPower: number;
  approvedByMe: boolean;
}

/** An open governance proposal as the UI shows it: who proposed it and how far it got. */
export interface ProposalProgress {
  proposalId: string;
  proposer: string;
  /** Approvals so far (power), out of the current total; it passes beyond two thirds. */
  approvedPower: number;
  totalPower: number;
  approvedByMe: boolean;
}

/** A member of a private ledger (may write; gets each new key). */
export interface MemberView {
  address: string;
  publicKey: string;
  validator: boolean;
  /** Its removal is decided; final at the next key rotation (normally the next block). */
  leaving: boolean;
  /** An open proposal to remove it, if any. */
  removal: ProposalProgress | null;
}

/** Where a search of the explorer leads (see LedgerNode.search). */
export type SearchResult =
  | { kind: 'block'; height: number }
  | { kind: 'tx'; hash: string; height: number }
  /** A transaction this device signed that is not in a block yet. */
  | { kind: 'pending-tx'; hash: string }
  | { kind: 'account'; address: string }
  /** Nothing matched; `searchedBlocks` says how far back transactions were looked for. */
  | { kind: 'none'; searchedBlocks: number }
  /** The text is none of: a height, a 64-hex block or transaction hash, a 40-hex address. */
  | { kind: 'not-understood' };

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
  /**
   * Ask the validators to add this device under the name `label` (gossips a signed join request,
   * repeated until granted). `role`: what to ask for; default 'member' on a private ledger,
   * and always 'validator' on a public one (it has no members).
   */
  requestToJoin(label: string, options?: { role?: JoinRole }): Promise<void>;
  /**
   * Approve exactly what the user was shown: the open proposal `proposalId` for this key, or
   * (null) a new one (a member-add, or a validator proposal at the power the view showed), and
   * `grants` as the view said (pass `request.grants`). Omitted, it means 'member' on a private
   * ledger (giving power there is always explicit) and 'validator' on a public one. Refused if
   * the ledger changed since ('request-changed': another proposal appeared, the shown one is
   * gone, or approving would grant something else, e.g. the device became a member meanwhile).
   */
  approveJoin(
    publicKey: string,
    proposalId: string | null,
    grants?: JoinRole,
  ): Promise<ActivityEntry>;
  /**
   * Hide this device's request on this device (it is not sent anywhere; other validators still
   * see it). Kept in memory while the node runs, at most JOIN_DECLINED_MAX keys (oldest
   * forgotten first); a reload shows the request again if the device still asks.
   */
  declineJoin(publicKey: string): Promise<void>;
  /**
   * The invite link. A private ledger's link carries its secret and the newest key this device
   * holds (in the fragment only); throws InviteUnavailableError (a sentence) when this device
   * holds no key (it was removed, or never had one). With `inviterName` (this device's name,
   * at most INVITER_NAME_BYTES_MAX bytes) the link names this device as who invited.
   */
  inviteLink(baseUrl: string, options?: { inviterName?: string }): string;

  blocks(page: { beforeHeight?: number; limit: number }): Promise<BlockSummary[]>;
  block(height: number): Promise<BlockView | null>;
  account(address: string): Promise<AccountView | null>;
  accounts(): Promise<{ address: string; balance: number }[]>;
  records(prefix: string): Promise<RecordView[]>;
  /** A block by height or hash, a transaction by hash, or an account by address. */
  search(text: string): Promise<SearchResult>;
  activity(): Promise<ActivityEntry[]>;
  validators(): Promise<ValidatorInfo[]>;
  peers(): PeerInfo[];
  joinRequests(): JoinRequest[];
  /** A private ledger's members (empty for a public ledger). */
  members(): MemberView[];
  /**
   * Take a member out of a private ledger: this device itself (leave), or another by more than
   * two thirds of the power: a new proposal (`proposalId` null) or an approval of the open one
   * the user was shown. Refused if that changed meanwhile ('request-changed').
   */
  removeMember(address: string, proposalId: string | null): Promise<ActivityEntry>;
  /**
   * Take the votes of the validator `address` away (this device's own: give them up), by more
   * than two thirds of the power: a new proposal (`proposalId` null) or an approval of the open
   * one the user was shown. Refused if that changed meanwhile ('request-changed'), and by the
   * ledger if it would leave no validator. A lost device that votes no more is removed so, then
   * (a private ledger) taken out as a member.
   */
  removeValidator(address: string, proposalId: string | null): Promise<ActivityEntry>;
}

export interface LedgerSummary {
  chainId: string;
  name: string;
  /** When this device created or joined it (ms). */
  addedAt: number;
  height: number;
  /** Its database could not be read on this device (it can still be removed). */
  unreadable?: boolean;
}

/** Parsed invite: what a joining device needs to find and verify the ledger. */
export interface Invite {
  chainId: string;
  name: string;
  /**
   * Canonical genesis bytes (base64url) so the joiner checks chainId = hash(genesis); null when
   * the link carries only the chain id (the genesis hash) and the genesis comes from peers.
   */
  genesis: string | null;
  /** Relay addresses a browser can use (checked: net/relay-address.ts). */
  relays: string[];
  /** Addresses the link listed that no browser can use: dropped, never stored. */
  unusableRelays?: number;
  /** A private ledger's secret and key (from the link's fragment); null for a public ledger. */
  access: InviteAccess | null;
  /** The device that made the link, as it names itself (short links only; a claim of the link). */
  inviter?: InviteInviter;
}

/** Who made an invite link: its device address and the name that device gave itself. */
export interface InviteInviter {
  address: string;
  name: string;
}

/** What an invite link is, shown before anything is joined (the /join page asks first). */
export interface InviteSummary {
  chainId: string;
  /** The ledger's name as the link gives it (joining checks it against the ledger's own). */
  name: string;
  /** The link's payload (the part after '#'), to open it on /join. */
  fragment: string;
  /** The ledger is private (the link carries its key: only its members and invitees read it). */
  private: boolean;
  /** Who made the link, when it says so: the name that device gave itself, and its address. */
  inviter: InviteInviter | null;
  /** This device's entry for the ledger, when it is here already (then joining changes nothing). */
  onDevice: { name: string } | null;
  /** Relay addresses it brings, and how many it listed that no browser can use (dropped). */
  relays: string[];
  unusableRelays: number;
}

/** An address a ledger remembers for reaching its devices (from the invite it joined with). */
export interface RememberedAddress {
  address: string;
  lastSeenMs: number;
  /** False when no browser can dial it (damaged, or a transport a browser lacks): skipped. */
  usable: boolean;
}

/** What removing a ledger from this device would lose, read from its store. */
export interface LedgerRemoval {
  chainId: string;
  name: string;
  height: number;
  /** This device's voting power and the total, when it is one of the ledger's validators. */
  validator: { power: number; totalPower: number } | null;
  /** Changes this device signed that no block holds yet: removing the ledger drops them. */
  unconfirmed: number;
}

/** This browser profile: its ledgers and its device key. One per tab. */
export interface Device {
  ledgers(): Promise<LedgerSummary[]>;
  /**
   * Create a ledger with this device as its single validator (and, private, its first member);
   * returns the chain id. `access` defaults to 'private'; `admission` (private only) is who
   * admits a new member: 'any-validator' (default: one approval, a personal ledger) or
   * 'two-thirds' (more than two thirds of the voting power).
   */
  createLedger(options: {
    name: string;
    balances: { address: string; amount: number }[];
    access?: LedgerAccess;
    admission?: Admission;
  }): Promise<string>;
  /** What an invite link is, without joining. Throws InviteError (a sentence) for a bad link. */
  describeInvite(link: string): Promise<InviteSummary>;
  /**
   * Accept an invite link (or its parsed form); returns the chain id. A ledger already on this
   * device is left exactly as it is (the invite's relays are not stored).
   */
  joinLedger(invite: string | Invite): Promise<string>;
  /** The addresses a ledger remembers, most recently seen first. */
  rememberedAddresses(chainId: string): Promise<RememberedAddress[]>;
  /** Forget these remembered addresses; an open node reconnects without them. */
  forgetAddresses(chainId: string, addresses: string[]): Promise<void>;
  /** What `removeLedger` would lose. */
  removalPreview(chainId: string): Promise<LedgerRemoval>;
  /**
   * Remove a ledger from this device: stop its node, delete its database and its entry. The
   * device key stays (every ledger of this browser profile signs with it); other ledgers are
   * untouched. Other tabs that have it open reload.
   */
  removeLedger(chainId: string): Promise<void>;
  /**
   * The ledger's node, started. The device owns its lifecycle: it starts it once (however
   * often `open` is called) and follows the browser's connectivity; callers never start it.
   */
  open(chainId: string): Promise<LedgerNode>;
  /** This device's account address (same key for every ledger). */
  address(): Promise<string>;
}
