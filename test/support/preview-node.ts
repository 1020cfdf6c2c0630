// An in-memory stand-in for the full node, only to feed the UI in UI tests (never shipped).
// It implements the public API of src/lib/node/api.ts with a toy ledger: one fake validator
// (this device) commits a block for each transaction after `commitDelayMs`, or when the test
// calls `commitPending()` (set `commitDelayMs: null` to step it by hand). Hashes are fake
// (FNV-1a), signatures do not exist. It exists to exercise every screen, not the protocol.
import type {
  AccessStatus,
  AccountView,
  ActivityEntry,
  BlockSummary,
  BlockView,
  Device,
  Invite,
  InviteSummary,
  JoinRequest,
  JoinRole,
  LedgerAccess,
  MemberView,
  LedgerNode,
  LedgerRemoval,
  LedgerSummary,
  NodeEvent,
  NodeStatus,
  PeerInfo,
  RecordView,
  RememberedAddress,
  SearchResult,
  TxAction,
  TxView,
  ValidatorInfo,
} from '../../src/lib/node/api';
import {
  boundedInviterName,
  inviteFragment,
  inviteLink,
  parseInvite,
} from '../../src/lib/node/invite';
import { relayAddressProblem } from '../../src/lib/net/relay-address';

export interface PreviewOptions {
  /** Delay before a submitted transaction commits; null = only on `commitPending()`. */
  commitDelayMs: number | null;
  /** Start time of the fake chain (ms); blocks before the first tx are spaced 1 s apart. */
  startTimeMs: number;
  /** Empty blocks the ledger starts with, so explorer and plot have something to show. */
  initialBlocks: number;
}

export interface PreviewControl {
  device: Device;
  /** Commits every pending transaction of every ledger in one block each. */
  commitPending(): Promise<void>;
  /** Changes what the node reports (a problem, a role, sync progress...) and emits it. */
  patchStatus(chainId: string, change: Partial<NodeStatus>): void;
  /**
   * Adds a join request from another device. On a private ledger it asks to become a member
   * (`asks: 'validator'` asks for votes too); on a public one, to become a validator.
   */
  addJoinRequest(chainId: string, label: string, options?: { asks?: 'member' | 'validator' }): void;
  /** The approvals of every open proposal reach more than two thirds (other validators agreed). */
  approveAll(chainId: string): Promise<void>;
  /** What this device asked for with requestToJoin, oldest first. */
  asked(chainId: string): { label: string; role: 'member' | 'validator' }[];
  /** The choice the last createLedger was given. */
  lastCreated(): { access: LedgerAccess; admission: AccessStatus['admission'] } | null;
  /** Takes the ledger's network away (or gives it back), as the browser going offline would. */
  setOnline(chainId: string, online: boolean): void;
  /**
   * Makes the next action (send, save, delete, approve, ask to join, join) throw this error, as
   * the real node would throw it (matched by name and code).
   */
  failNext(error: { name: string; message: string; code?: string }): void;
  /** Drops a ledger's records behind the UI's back (as another tab's delete would). */
  forgetRecords(chainId: string): void;
  /** Stores an address in a ledger's remembered list as is (as an older version did). */
  rememberAddress(chainId: string, address: string): void;
  /**
   * Commits every pending transaction as `commitPending` does, but lists each one twice (in its
   * block and in account history) and delivers every vote twice: lists must not assume unique
   * hashes (issue 13, item 13).
   */
  commitPendingTwice(): Promise<void>;
}

/** The failure the next action throws (set by failNext); one at a time. */
let nextFailure: Error | null = null;
function takeFailure(): void {
  const failure = nextFailure;
  nextFailure = null;
  if (failure) throw failure;
}

/** The node's typed rejection, as the UI meets it (matched by name and code). */
class TxRejectedError extends Error {
  override name = 'TxRejectedError';
  constructor(readonly code: string) {
    super(code);
  }
}

const DEFAULTS: PreviewOptions = { commitDelayMs: 600, startTimeMs: Date.now(), initialBlocks: 12 };

/** 64 hex chars derived from text: stable fake hashes and keys for screenshots and tests. */
export function fakeHash(text: string): string {
  let out = '';
  for (let round = 0; out.length < 64; round += 1) {
    let hash = 0x811c9dc5 ^ round;
    for (let i = 0; i < text.length; i += 1) {
      hash ^= text.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    out += hash.toString(16).padStart(8, '0');
  }
  return out.slice(0, 64);
}

const fakeAddress = (text: string) => fakeHash(`address:${text}`).slice(0, 40);

interface PreviewTx {
  view: TxView;
  apply: () => string;
  entry: ActivityEntry;
}

interface PreviewBlock {
  view: BlockView;
}

class PreviewLedger implements LedgerNode {
  status: NodeStatus;
  readonly #listeners = new Set<(event: NodeEvent) => void>();
  readonly #blocks: PreviewBlock[] = [];
  readonly #balances = new Map<string, number>();
  readonly #nonces = new Map<string, number>();
  readonly #history = new Map<string, AccountView['history']>();
  readonly #records = new Map<string, RecordView>();
  readonly #activity: ActivityEntry[] = [];
  readonly #pending: PreviewTx[] = [];
  readonly #joinRequests: JoinRequest[] = [];
  /** Requests declined on this device (hidden, as the real node does). */
  readonly #declined = new Set<string>();
  /** A private ledger's members and rules; null for a public ledger. */
  #access: { admission: AccessStatus['admission']; epoch: number; members: MemberView[] } | null;
  /** Remembered addresses (address -> last seen ms), from the invite this ledger joined with. */
  readonly remembered = new Map<string, number>();
  readonly #validators: ValidatorInfo[];
  #peers: PeerInfo[];
  readonly #allPeers: PeerInfo[];
  readonly #genesis: Invite;
  readonly #options: PreviewOptions;
  #clockMs: number;

  constructor(
    invite: Invite,
    address: string,
    role: NodeStatus['role'],
    balances: { address: string; amount: number }[],
    options: PreviewOptions,
    access: { admission: AccessStatus['admission']; standing: AccessStatus['standing'] } | null,
  ) {
    this.#genesis = invite;
    this.#options = options;
    this.#clockMs = options.startTimeMs;
    for (const { address: owner, amount } of balances) this.#balances.set(owner, amount);
    const other = fakeAddress(`${invite.chainId}:validator-2`);
    this.#validators = [
      {
        address: role === 'observer' ? fakeAddress(`${invite.chainId}:creator`) : address,
        publicKey: fakeHash(`pk:${address}`),
        power: 10,
        online: true,
        lastVote: null,
        removal: null,
      },
      {
        address: other,
        publicKey: fakeHash(`pk:${other}`),
        power: 5,
        online: false,
        lastVote: null,
        removal: null,
      },
    ];
    // Two devices of this ledger (one direct, one still through the relay) and the relay.
    this.#allPeers = [
      {
        id: `12D3KooW${fakeHash('peer-a').slice(0, 30)}`,
        // The other validator's device, as its signed claim would show it.
        address: other,
        role: 'device',
        kind: 'browser',
        transport: 'webrtc',
        latencyMs: 4,
        height: null,
      },
      {
        id: `12D3KooW${fakeHash('peer-b').slice(0, 30)}`,
        address: null,
        role: 'device',
        kind: 'peer',
        transport: 'relay',
        latencyMs: 38,
        height: null,
      },
      {
        id: `12D3KooW${fakeHash('relay').slice(0, 30)}`,
        address: null,
        role: 'relay',
        kind: 'relay',
        transport: 'websocket',
        latencyMs: 2,
        height: null,
      },
    ];
    this.#peers = this.#allPeers;
    this.status = {
      chainId: invite.chainId,
      ledgerName: invite.name,
      height: 0,
      headHash: null,
      lastBlockTime: null,
      lastFinalityMs: null,
      role,
      sync: null,
      online: true,
      peerCount: this.#peers.filter((peer) => peer.role === 'device').length,
      consensus: { height: 1, round: 0, step: 'propose' },
      address,
      fingerprint: fakeHash(`fingerprint:${address}`).slice(0, 32),
      storage: { usageBytes: 120_000, quotaBytes: 2_000_000_000, persisted: true },
      problem: null,
      drops: {},
      access: null,
    };
    // A private ledger's validators are members; a device that joined with an invite is not yet.
    this.#access = access && {
      admission: access.admission,
      epoch: 0,
      members: this.#validators.map((v) => ({
        address: v.address,
        publicKey: v.publicKey,
        validator: true,
        leaving: false,
        removal: null,
      })),
    };
    if (access) this.status.access = this.#accessStatus(access.standing);
    for (let i = 0; i < options.initialBlocks; i += 1)
      this.#commitBlock([], 800 + ((i * 337) % 900));
  }

  subscribe(listener: (event: NodeEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  async transfer(to: string, amount: number): Promise<ActivityEntry> {
    const from = this.status.address;
    return this.#submit('transfer', { kind: 'transfer', to, amount }, () => {
      const balance = this.#balances.get(from) ?? 0;
      if (balance < amount) return 'insufficient-balance';
      this.#balances.set(from, balance - amount);
      this.#balances.set(to, (this.#balances.get(to) ?? 0) + amount);
      return 'ok';
    });
  }

  async putRecord(key: string, value: string): Promise<ActivityEntry> {
    const owner = this.status.address;
    return this.#submit('put', { kind: 'put', key }, () => {
      this.#records.set(`${owner}/${key}`, { key, owner, value });
      return 'ok';
    });
  }

  async deleteRecord(key: string): Promise<ActivityEntry> {
    const owner = this.status.address;
    // The real node refuses at once what the committed state refuses (no such record).
    if (!this.#records.has(`${owner}/${key}`)) throw new TxRejectedError('record-not-found');
    return this.#submit('delete', { kind: 'delete', key }, () =>
      this.#records.delete(`${owner}/${key}`) ? 'ok' : 'record-not-found',
    );
  }

  /** What this device asked for last (the tests read it: one request per join). */
  asked: { label: string; role: 'member' | 'validator' }[] = [];

  async requestToJoin(
    label: string,
    options: { role?: 'member' | 'validator' } = {},
  ): Promise<void> {
    takeFailure();
    this.asked.push({ label, role: this.#access ? (options.role ?? 'member') : 'validator' });
  }

  forgetRecords(): void {
    this.#records.clear();
  }

  async approveJoin(
    publicKey: string,
    proposalId: string | null,
    grants: JoinRole = this.#access ? 'member' : 'validator',
  ): Promise<ActivityEntry> {
    takeFailure();
    const request = this.#joinRequests.find((r) => r.publicKey === publicKey);
    if (!request || this.#declined.has(publicKey)) throw new TxRejectedError('unknown-request');
    // As the real node: approve exactly what the row showed.
    if (request.proposalId !== proposalId || request.grants !== grants) {
      throw new TxRejectedError('request-changed');
    }
    const existing = request.proposalId;
    request.approvedByMe = true;
    request.proposalId ??= fakeHash(`proposal:${publicKey}:${request.grants}`);
    request.proposer ??= this.status.address;
    request.approvedPower = 10;
    this.#emit({ type: 'join-requests', requests: this.joinRequests() });
    if (request.grants === 'member') {
      // A private ledger: the device becomes a member (reads and writes), not a validator.
      const action: TxAction = { kind: 'member-add', address: request.address };
      return this.#submit('member-add', action, () => {
        if (this.#access?.admission === 'any-validator') this.#admit(request);
        return 'ok';
      });
    }
    // As the real node: the first approval proposes the device, later ones approve the proposal.
    const action: TxAction = existing
      ? { kind: 'validator-approve', proposalId: existing }
      : { kind: 'validator-propose', address: request.address, power: 10 };
    return this.#submit(action.kind, action, () => 'ok');
  }

  async declineJoin(publicKey: string): Promise<void> {
    takeFailure();
    this.#declined.add(publicKey);
    this.#emit({ type: 'join-requests', requests: this.joinRequests() });
  }

  /** A member-add that passed: the device is a member, its request settled. */
  #admit(request: JoinRequest): void {
    if (!this.#access) return;
    this.#access.members.push({
      address: request.address,
      publicKey: request.publicKey,
      validator: false,
      leaving: false,
      removal: null,
    });
    this.#joinRequests.splice(this.#joinRequests.indexOf(request), 1);
    this.#setStatus({ access: this.#accessStatus(this.status.access?.standing ?? 'member') });
    this.#emit({ type: 'join-requests', requests: this.joinRequests() });
  }

  /** Every open proposal passes (the other validators approved): members join or leave. */
  approveAll(): void {
    const self = this.status.address;
    const access = this.#access;
    if (access && this.status.access?.standing === 'invited' && this.asked.length > 0) {
      // This device's own request: the others let it in.
      access.members.push({
        address: self,
        publicKey: fakeHash(`pk:${self}`),
        validator: false,
        leaving: false,
        removal: null,
      });
      this.#setStatus({ access: this.#accessStatus('member') });
    }
    for (const request of [...this.#joinRequests]) {
      if (request.grants === 'member' && request.proposalId) this.#admit(request);
    }
    for (const member of [...(this.#access?.members ?? [])]) {
      if (member.removal) this.#removeNow(member.address);
    }
    const leaving = this.#validators.filter((validator) => validator.removal);
    for (const validator of leaving) this.#takeVotes(validator.address);
    // The others' approvals came in a block, as on the real ledger.
    if (leaving.length > 0) this.#commitBlock([], 900);
  }

  /** A validator's removal passed: it votes no more (a member still, on a private ledger). */
  #takeVotes(address: string): void {
    const index = this.#validators.findIndex((v) => v.address === address);
    if (index >= 0) this.#validators.splice(index, 1);
    const member = this.#access?.members.find((m) => m.address === address);
    if (member) member.validator = false;
    if (address === this.status.address) this.#setStatus({ role: 'observer' });
  }

  /** A removal decided and the key rotated (the real node does both in consecutive blocks). */
  #removeNow(address: string): void {
    const access = this.#access;
    if (!access) return;
    access.members = access.members.filter((m) => m.address !== address);
    access.epoch += 1;
    const standing = address === this.status.address ? 'removed' : this.status.access?.standing;
    this.#setStatus({ access: this.#accessStatus(standing ?? 'member') });
  }

  #accessStatus(standing: AccessStatus['standing']): AccessStatus | null {
    const access = this.#access;
    if (!access) return null;
    return {
      standing,
      epoch: access.epoch,
      members: access.members.length,
      admission: access.admission,
    };
  }

  inviteLink(baseUrl: string, options: { inviterName?: string } = {}): string {
    // Same shape as the real node's links: <app base>/join#<invite>, naming this device.
    const name = boundedInviterName(options.inviterName ?? '');
    const inviter = { address: this.status.address, name };
    return inviteLink(baseUrl, name === '' ? this.#genesis : { ...this.#genesis, inviter });
  }

  async blocks(page: { beforeHeight?: number; limit: number }): Promise<BlockSummary[]> {
    const before = page.beforeHeight ?? Number.POSITIVE_INFINITY;
    return this.#blocks
      .filter((b) => b.view.height < before)
      .reverse()
      .slice(0, page.limit)
      .map((b) => summary(b.view));
  }

  async block(height: number): Promise<BlockView | null> {
    return this.#blocks.find((b) => b.view.height === height)?.view ?? null;
  }

  async account(address: string): Promise<AccountView | null> {
    const balance = this.#balances.get(address);
    if (balance === undefined) return null;
    return {
      address,
      balance,
      nonce: this.#nonces.get(address) ?? 0,
      history: [...(this.#history.get(address) ?? [])].reverse(),
    };
  }

  async accounts(): Promise<{ address: string; balance: number }[]> {
    return [...this.#balances].map(([address, balance]) => ({ address, balance }));
  }

  async records(prefix: string): Promise<RecordView[]> {
    return [...this.#records.values()].filter((r) => r.key.startsWith(prefix));
  }

  async search(text: string): Promise<SearchResult> {
    const query = text.trim().toLowerCase();
    if (/^\d+$/.test(query)) {
      const height = Number(query);
      return height <= this.status.height
        ? { kind: 'block', height }
        : { kind: 'none', searchedBlocks: 0 };
    }
    if (/^[0-9a-f]{40}$/.test(query)) {
      return this.#balances.has(query)
        ? { kind: 'account', address: query }
        : { kind: 'none', searchedBlocks: 0 };
    }
    if (!/^[0-9a-f]{64}$/.test(query)) return { kind: 'not-understood' };
    const block = this.#blocks.find((b) => b.view.hash === query);
    if (block) return { kind: 'block', height: block.view.height };
    if (this.#pending.some((tx) => tx.view.hash === query))
      return { kind: 'pending-tx', hash: query };
    const holder = this.#blocks.find((b) => b.view.txs.some((tx) => tx.hash === query));
    return holder
      ? { kind: 'tx', hash: query, height: holder.view.height }
      : { kind: 'none', searchedBlocks: this.#blocks.length };
  }

  async activity(): Promise<ActivityEntry[]> {
    return this.#activity.map((e) => ({ ...e }));
  }

  async validators(): Promise<ValidatorInfo[]> {
    return this.#validators.map((v) => ({ ...v, removal: v.removal && { ...v.removal } }));
  }

  async removeValidator(address: string, proposalId: string | null): Promise<ActivityEntry> {
    takeFailure();
    const validator = this.#validators.find((v) => v.address === address);
    if (!validator) throw new TxRejectedError('not-a-validator');
    if ((validator.removal?.proposalId ?? null) !== proposalId) {
      throw new TxRejectedError('request-changed');
    }
    const total = this.#validators.reduce((sum, v) => sum + v.power, 0);
    if (proposalId !== null) {
      const removal = validator.removal!;
      Object.assign(removal, { approvedPower: total, approvedByMe: true });
      return this.#submit('validator-approve', { kind: 'validator-approve', proposalId }, () => {
        this.#takeVotes(address);
        return 'ok';
      });
    }
    // As the ledger: more than two thirds must agree; this device's 10 of 15 is not enough.
    validator.removal = {
      proposalId: fakeHash(`validator-removal:${address}`),
      proposer: this.status.address,
      approvedPower: 10,
      totalPower: total,
      approvedByMe: true,
    };
    const action: TxAction = { kind: 'validator-propose', address, power: 0 };
    return this.#submit('validator-propose', action, () => 'ok');
  }

  peers(): PeerInfo[] {
    // Devices report their height; the one through the relay lags a block behind.
    return this.#peers.map((p, index) => ({
      ...p,
      height: p.role === 'device' ? Math.max(0, this.status.height - index) : null,
    }));
  }

  joinRequests(): JoinRequest[] {
    return this.#joinRequests
      .filter((r) => !this.#declined.has(r.publicKey))
      .map((r) => ({ ...r }));
  }

  members(): MemberView[] {
    return (this.#access?.members ?? []).map((m) => ({
      ...m,
      removal: m.removal && { ...m.removal },
    }));
  }

  async removeMember(address: string, proposalId: string | null): Promise<ActivityEntry> {
    takeFailure();
    const member = this.#access?.members.find((m) => m.address === address);
    if (!member) throw new TxRejectedError('not-a-member');
    // As the ledger: a validator gives up its votes first.
    if (member.validator) throw new TxRejectedError('is-a-validator');
    if ((member.removal?.proposalId ?? null) !== proposalId) {
      throw new TxRejectedError('request-changed');
    }
    const action: TxAction = { kind: 'member-remove', address };
    if (address === this.status.address) {
      // Leaving needs no one's approval: final once the block (and the rotation) is in.
      this.#setStatus({ access: this.#accessStatus('leaving') });
      return this.#submit('member-remove', action, () => {
        this.#removeNow(address);
        return 'ok';
      });
    }
    // Removing another needs more than two thirds: this device's 10 of 15 is not enough.
    const total = this.#validators.reduce((sum, v) => sum + v.power, 0);
    member.removal = {
      proposalId: fakeHash(`removal:${address}`),
      proposer: this.status.address,
      approvedPower: 10,
      totalPower: total,
      approvedByMe: true,
    };
    return this.#submit('member-remove', action, () => 'ok');
  }

  addJoinRequest(label: string, asks: 'member' | 'validator' = 'member'): void {
    const publicKey = fakeHash(`join:${label}`);
    const member = this.#access?.members.some((m) => m.publicKey === publicKey) ?? false;
    const grants = this.#access && !member ? 'member' : 'validator';
    const power = grants === 'member' ? 0 : 10;
    this.#joinRequests.push({
      publicKey,
      address: fakeAddress(publicKey),
      label,
      kind: 'browser',
      boxKey: fakeHash(`box:${label}`),
      asks: this.#access ? asks : 'validator',
      member,
      grants,
      lastSeenMs: this.#clockMs,
      proposalId: null,
      proposer: null,
      power,
      shareAfter: power / (15 + power),
      approvedPower: 0,
      totalPower: 15,
      approvedByMe: false,
    });
    this.#emit({ type: 'join-requests', requests: this.joinRequests() });
  }

  patchStatus(change: Partial<NodeStatus>): void {
    this.#setStatus(change);
  }

  setOnline(online: boolean): void {
    this.#peers = online ? this.#allPeers : [];
    this.#emit({ type: 'peers', peers: this.peers() });
    this.#setStatus({
      online,
      peerCount: this.#peers.filter((peer) => peer.role === 'device').length,
    });
  }

  /** Commits every waiting transaction, one block each (a toy: one tx per block). */
  commitPending(copies = 1): void {
    while (this.#pending.length > 0) {
      const tx = this.#pending.shift();
      if (tx) this.#commitBlock([tx], 700, copies);
    }
  }

  /** What removing this ledger would lose (the first validator is this device unless observer). */
  removal(): LedgerRemoval {
    const self = this.#validators.find((v) => v.address === this.status.address);
    const totalPower = this.#validators.reduce((sum, v) => sum + v.power, 0);
    return {
      chainId: this.status.chainId,
      name: this.status.ledgerName,
      height: this.status.height,
      validator: self ? { power: self.power, totalPower } : null,
      unconfirmed: this.#pending.length,
    };
  }

  #submit(kind: string, action: TxAction, apply: () => string): ActivityEntry {
    takeFailure();
    const from = this.status.address;
    const text = `${kind} ${JSON.stringify(action)}`;
    const nonce = this.#activity.length;
    const hash = fakeHash(`${this.status.chainId}:${from}:${nonce}:${text}`);
    const entry: ActivityEntry = {
      hash,
      kind,
      summary: text,
      action,
      nonce,
      createdAt: this.#clockMs,
      status: 'pending',
      height: null,
      code: null,
    };
    this.#activity.push(entry);
    const view: TxView = { hash, from, nonce, kind, summary: text, action, code: 'ok' };
    this.#pending.push({ view, apply, entry });
    this.#emit({ type: 'activity', entry: { ...entry } });
    const delayMs = this.#options.commitDelayMs;
    if (delayMs !== null) setTimeout(() => this.commitPending(), delayMs);
    return { ...entry };
  }

  #commitBlock(txs: PreviewTx[], intervalMs: number, copies = 1): void {
    const height = this.status.height + 1;
    this.#clockMs += intervalMs;
    const proposer = this.#validators[0]?.address ?? this.status.address;
    for (const [index, type] of (['prevote', 'precommit'] as const).entries()) {
      this.#setStatus({
        consensus: { height, round: 0, step: index === 0 ? 'prevote' : 'precommit' },
      });
      for (const validator of this.#validators.filter((v) => v.online)) {
        validator.lastVote = { height, round: 0, type };
        for (let copy = 0; copy < copies; copy += 1) {
          this.#emit({
            type: 'vote',
            validator: validator.address,
            height,
            round: 0,
            voteType: type,
          });
        }
      }
    }
    const txViews = txs.map((tx) => {
      const code = tx.apply();
      const from = tx.view.from;
      this.#nonces.set(from, (this.#nonces.get(from) ?? 0) + 1);
      const history = this.#history.get(from) ?? [];
      for (let copy = 0; copy < copies; copy += 1) {
        history.push({
          height,
          txHash: tx.view.hash,
          from,
          summary: tx.view.summary,
          action: tx.view.action,
        });
      }
      this.#history.set(from, history);
      Object.assign(tx.entry, {
        status: code === 'ok' ? 'committed' : 'rejected',
        height: code === 'ok' ? height : null,
        code: code === 'ok' ? null : code,
      });
      return { ...tx.view, code };
    });
    const listed = txViews.flatMap((view) => Array.from({ length: copies }, () => view));
    const previous = this.#blocks.at(-1)?.view;
    if (previous) {
      // A block's commit travels in the next block.
      previous.commit = {
        round: 0,
        signatures: this.#validators.flatMap((v) =>
          Array.from({ length: copies }, () => ({
            validator: v.address,
            kind: v.online ? ('commit' as const) : ('absent' as const),
            timestamp: v.online ? this.#clockMs : null,
          })),
        ),
      };
    }
    const view: BlockView = {
      height,
      hash: fakeHash(`${this.status.chainId}:block:${height}`),
      time: this.#clockMs,
      proposer,
      txCount: listed.length,
      previousHash: previous?.hash ?? fakeHash(`${this.status.chainId}:genesis`),
      stateRoot: fakeHash(`${this.status.chainId}:state:${height}`),
      txs: listed,
      commit: null,
      evidence: [],
    };
    this.#blocks.push({ view });
    this.#emit({ type: 'block', block: summary(view) });
    for (const tx of txs) this.#emit({ type: 'activity', entry: { ...tx.entry } });
    this.#setStatus({
      height,
      headHash: view.hash,
      lastBlockTime: view.time,
      lastFinalityMs: 180 + (height % 5) * 40,
      consensus: { height: height + 1, round: 0, step: 'propose' },
    });
    this.#emit({ type: 'peers', peers: this.peers() });
  }

  #setStatus(change: Partial<NodeStatus>): void {
    this.status = { ...this.status, ...change };
    this.#emit({ type: 'status', status: this.status });
  }

  #emit(event: NodeEvent): void {
    for (const listener of this.#listeners) listener(event);
  }
}

function summary(view: BlockView): BlockSummary {
  return {
    height: view.height,
    hash: view.hash,
    time: view.time,
    proposer: view.proposer,
    txCount: view.txCount,
  };
}

/** A private ledger's invite access: fake bytes of the real shape (the preview encrypts nothing). */
function fakeAccess(chainId: string): NonNullable<Invite['access']> {
  const bytes = (text: string) =>
    Uint8Array.from(fakeHash(text).match(/../g) ?? [], (pair) => parseInt(pair, 16));
  return { networkSecret: bytes(`secret:${chainId}`), epoch: 0, key: bytes(`key:${chainId}`) };
}

/** An error as the real node throws it: the UI matches errors by name and code. */
function namedError(name: string, message: string, code?: string): Error {
  const error = new Error(message);
  error.name = name;
  if (code !== undefined) Object.assign(error, { code });
  return error;
}

export function createPreviewDevice(partial: Partial<PreviewOptions> = {}): PreviewControl {
  const options: PreviewOptions = { ...DEFAULTS, ...partial };
  const address = fakeAddress('this-device');
  const ledgers = new Map<string, { node: PreviewLedger; addedAt: number }>();
  let created = 0;
  let lastCreated: { access: LedgerAccess; admission: AccessStatus['admission'] } | null = null;

  function ledger(chainId: string): PreviewLedger {
    const found = ledgers.get(chainId);
    if (!found) {
      throw namedError('LedgerNotOnDeviceError', `ledger ${chainId} is not on this device`);
    }
    return found.node;
  }

  const device: Device = {
    async ledgers(): Promise<LedgerSummary[]> {
      return [...ledgers.values()].map(({ node, addedAt }) => ({
        chainId: node.status.chainId,
        name: node.status.ledgerName,
        addedAt,
        height: node.status.height,
      }));
    },
    async createLedger({
      name,
      balances,
      access = 'private',
      admission = 'any-validator',
    }): Promise<string> {
      takeFailure();
      created += 1;
      const chainId = fakeHash(`chain:${name}:${created}`);
      const invite: Invite = {
        chainId,
        name,
        genesis: null,
        relays: [],
        access: access === 'private' ? fakeAccess(chainId) : null,
      };
      lastCreated = { access, admission };
      const node = new PreviewLedger(
        invite,
        address,
        'validator',
        balances,
        options,
        access === 'private' ? { admission, standing: 'member' } : null,
      );
      ledgers.set(chainId, { node, addedAt: options.startTimeMs });
      return chainId;
    },
    async describeInvite(link: string): Promise<InviteSummary> {
      const parsed = parseInvite(link);
      const here = ledgers.get(parsed.chainId);
      return {
        chainId: parsed.chainId,
        name: parsed.name,
        fragment: inviteFragment(link),
        private: parsed.access !== null,
        inviter: parsed.inviter ?? null,
        onDevice: here ? { name: here.node.status.ledgerName } : null,
        relays: parsed.relays,
        unusableRelays: parsed.unusableRelays ?? 0,
      };
    },
    async joinLedger(invite): Promise<string> {
      const parsed = typeof invite === 'string' ? parseInvite(invite) : invite;
      takeFailure();
      // As the real device: a ledger already here is left exactly as it is.
      if (!ledgers.has(parsed.chainId)) {
        const access =
          parsed.access !== null
            ? { admission: 'any-validator' as const, standing: 'invited' as const }
            : null;
        const node = new PreviewLedger(parsed, address, 'observer', [], options, access);
        for (const relay of parsed.relays) node.remembered.set(relay, options.startTimeMs);
        ledgers.set(parsed.chainId, { node, addedAt: options.startTimeMs });
      }
      return parsed.chainId;
    },
    async rememberedAddresses(chainId: string): Promise<RememberedAddress[]> {
      return [...ledger(chainId).remembered]
        .sort((a, b) => b[1] - a[1])
        .map(([relay, lastSeenMs]) => ({
          address: relay,
          lastSeenMs,
          usable: relayAddressProblem(relay) === null,
        }));
    },
    async forgetAddresses(chainId: string, addresses: string[]): Promise<void> {
      takeFailure();
      for (const relay of addresses) ledger(chainId).remembered.delete(relay);
    },
    async removalPreview(chainId: string): Promise<LedgerRemoval> {
      return ledger(chainId).removal();
    },
    async removeLedger(chainId: string): Promise<void> {
      takeFailure();
      ledger(chainId);
      ledgers.delete(chainId);
    },
    async open(chainId: string): Promise<LedgerNode> {
      return ledger(chainId);
    },
    async address(): Promise<string> {
      return address;
    },
  };

  return {
    device,
    async commitPending() {
      for (const { node } of ledgers.values()) node.commitPending();
    },
    patchStatus(chainId, change) {
      ledger(chainId).patchStatus(change);
    },
    addJoinRequest(chainId, label, { asks } = {}) {
      ledger(chainId).addJoinRequest(label, asks);
    },
    async approveAll(chainId) {
      ledger(chainId).approveAll();
    },
    asked(chainId) {
      return [...ledger(chainId).asked];
    },
    lastCreated() {
      return lastCreated;
    },
    setOnline(chainId, online) {
      ledger(chainId).setOnline(online);
    },
    failNext({ name, message, code }) {
      nextFailure = namedError(name, message, code);
    },
    forgetRecords(chainId) {
      ledger(chainId).forgetRecords();
    },
    rememberAddress(chainId, relay) {
      ledger(chainId).remembered.set(relay, Date.now());
    },
    async commitPendingTwice() {
      for (const { node } of ledgers.values()) node.commitPending(2);
    },
  };
}
