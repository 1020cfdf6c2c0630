// An in-memory stand-in for the full node, only to feed the UI in UI tests (never shipped).
// It implements the public API of src/lib/node/api.ts with a toy ledger: one fake validator
// (this device) commits a block for each transaction after `commitDelayMs`, or when the test
// calls `commitPending()` (set `commitDelayMs: null` to step it by hand). Hashes are fake
// (FNV-1a), signatures do not exist. It exists to exercise every screen, not the protocol.
import type {
  AccountView,
  ActivityEntry,
  BlockSummary,
  BlockView,
  Device,
  Invite,
  JoinRequest,
  LedgerNode,
  LedgerSummary,
  NodeEvent,
  NodeStatus,
  PeerInfo,
  RecordView,
  TxView,
  ValidatorInfo,
} from '../../src/lib/node/api';

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
  /** Adds a join request from another device. */
  addJoinRequest(chainId: string, label: string): void;
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
  readonly #validators: ValidatorInfo[];
  readonly #peers: PeerInfo[];
  readonly #genesis: Invite;
  readonly #options: PreviewOptions;
  #clockMs: number;

  constructor(
    invite: Invite,
    address: string,
    role: NodeStatus['role'],
    balances: { address: string; amount: number }[],
    options: PreviewOptions,
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
      },
      {
        address: other,
        publicKey: fakeHash(`pk:${other}`),
        power: 5,
        online: false,
        lastVote: null,
      },
    ];
    this.#peers = [
      {
        id: `12D3KooW${fakeHash('peer-a').slice(0, 30)}`,
        kind: 'browser',
        transport: 'webrtc',
        latencyMs: 4,
        height: null,
      },
      {
        id: `12D3KooW${fakeHash('peer-b').slice(0, 30)}`,
        kind: 'peer',
        transport: 'relay',
        latencyMs: 38,
        height: null,
      },
      {
        id: `tab-${fakeHash('tab').slice(0, 12)}`,
        kind: null,
        transport: 'tab',
        latencyMs: 0.4,
        height: null,
      },
    ];
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
      peerCount: this.#peers.length,
      consensus: { height: 1, round: 0, step: 'propose' },
      address,
      fingerprint: fakeHash(`fingerprint:${address}`).slice(0, 32),
      storage: { usageBytes: 120_000, quotaBytes: 2_000_000_000, persisted: true },
      problem: null,
      drops: {},
    };
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
    return this.#submit('transfer', `Send ${amount} to ${to.slice(0, 8)}…`, () => {
      const balance = this.#balances.get(from) ?? 0;
      if (balance < amount) return 'insufficient-balance';
      this.#balances.set(from, balance - amount);
      this.#balances.set(to, (this.#balances.get(to) ?? 0) + amount);
      return 'ok';
    });
  }

  async putRecord(key: string, value: string): Promise<ActivityEntry> {
    const owner = this.status.address;
    return this.#submit('put', `Save record “${key}”`, () => {
      this.#records.set(`${owner}/${key}`, { key, owner, value });
      return 'ok';
    });
  }

  async deleteRecord(key: string): Promise<ActivityEntry> {
    const owner = this.status.address;
    return this.#submit('delete', `Delete record “${key}”`, () =>
      this.#records.delete(`${owner}/${key}`) ? 'ok' : 'record-not-found',
    );
  }

  async requestToJoin(_label: string): Promise<void> {}

  async approveJoin(publicKey: string, _proposalId: string | null): Promise<ActivityEntry> {
    const request = this.#joinRequests.find((r) => r.publicKey === publicKey);
    if (!request) throw new Error('no such join request');
    request.approvedByMe = true;
    request.proposalId ??= fakeHash(`proposal:${publicKey}`).slice(0, 16);
    request.approvedPower = 10;
    this.#emit({ type: 'join-requests', requests: this.joinRequests() });
    return this.#submit('validator-approve', `Approve ${request.label}`, () => 'ok');
  }

  inviteLink(baseUrl: string): string {
    // Same shape as the real node's links: <app base>/join#<invite>.
    return `${baseUrl.replace(/\/$/, '')}/join#${toBase64Url(JSON.stringify(this.#genesis))}`;
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

  async activity(): Promise<ActivityEntry[]> {
    return this.#activity.map((e) => ({ ...e }));
  }

  async validators(): Promise<ValidatorInfo[]> {
    return this.#validators.map((v) => ({ ...v }));
  }

  peers(): PeerInfo[] {
    return this.#peers.map((p) => ({ ...p, height: this.status.height }));
  }

  joinRequests(): JoinRequest[] {
    return this.#joinRequests.map((r) => ({ ...r }));
  }

  addJoinRequest(label: string): void {
    const publicKey = fakeHash(`join:${label}`);
    this.#joinRequests.push({
      publicKey,
      address: fakeAddress(publicKey),
      label,
      kind: 'browser',
      lastSeenMs: this.#clockMs,
      proposalId: null,
      proposer: null,
      power: 10,
      shareAfter: 10 / 25,
      approvedPower: 0,
      totalPower: 15,
      approvedByMe: false,
    });
    this.#emit({ type: 'join-requests', requests: this.joinRequests() });
  }

  patchStatus(change: Partial<NodeStatus>): void {
    this.#setStatus(change);
  }

  /** Commits every waiting transaction, one block each (a toy: one tx per block). */
  commitPending(): void {
    while (this.#pending.length > 0) {
      const tx = this.#pending.shift();
      if (tx) this.#commitBlock([tx], 700);
    }
  }

  #submit(kind: string, text: string, apply: () => string): ActivityEntry {
    const from = this.status.address;
    const nonce = this.#activity.length;
    const hash = fakeHash(`${this.status.chainId}:${from}:${nonce}:${text}`);
    const entry: ActivityEntry = {
      hash,
      kind,
      summary: text,
      nonce,
      createdAt: this.#clockMs,
      status: 'pending',
      height: null,
      code: null,
    };
    this.#activity.push(entry);
    const view: TxView = { hash, from, nonce, kind, summary: text, code: 'ok' };
    this.#pending.push({ view, apply, entry });
    this.#emit({ type: 'activity', entry: { ...entry } });
    const delayMs = this.#options.commitDelayMs;
    if (delayMs !== null) setTimeout(() => this.commitPending(), delayMs);
    return { ...entry };
  }

  #commitBlock(txs: PreviewTx[], intervalMs: number): void {
    const height = this.status.height + 1;
    this.#clockMs += intervalMs;
    const proposer = this.#validators[0]?.address ?? this.status.address;
    for (const [index, type] of (['prevote', 'precommit'] as const).entries()) {
      this.#setStatus({
        consensus: { height, round: 0, step: index === 0 ? 'prevote' : 'precommit' },
      });
      for (const validator of this.#validators.filter((v) => v.online)) {
        validator.lastVote = { height, round: 0, type };
        this.#emit({
          type: 'vote',
          validator: validator.address,
          height,
          round: 0,
          voteType: type,
        });
      }
    }
    const txViews = txs.map((tx) => {
      const code = tx.apply();
      const from = tx.view.from;
      this.#nonces.set(from, (this.#nonces.get(from) ?? 0) + 1);
      const history = this.#history.get(from) ?? [];
      history.push({ height, txHash: tx.view.hash, summary: tx.view.summary });
      this.#history.set(from, history);
      Object.assign(tx.entry, {
        status: code === 'ok' ? 'committed' : 'rejected',
        height: code === 'ok' ? height : null,
        code: code === 'ok' ? null : code,
      });
      return { ...tx.view, code };
    });
    const previous = this.#blocks.at(-1)?.view;
    if (previous) {
      // A block's commit travels in the next block.
      previous.commit = {
        round: 0,
        signatures: this.#validators.map((v) => ({
          validator: v.address,
          kind: v.online ? 'commit' : 'absent',
          timestamp: v.online ? this.#clockMs : null,
        })),
      };
    }
    const view: BlockView = {
      height,
      hash: fakeHash(`${this.status.chainId}:block:${height}`),
      time: this.#clockMs,
      proposer,
      txCount: txViews.length,
      previousHash: previous?.hash ?? fakeHash(`${this.status.chainId}:genesis`),
      stateRoot: fakeHash(`${this.status.chainId}:state:${height}`),
      txs: txViews,
      commit: null,
      evidence: [],
    };
    this.#blocks.push({ view });
    this.#emit({ type: 'block', block: summary(view) });
    for (const tx of txs) this.#emit({ type: 'activity', entry: { ...tx.entry } });
    this.#emit({ type: 'peers', peers: this.#peers.map((p) => ({ ...p, height })) });
    this.#setStatus({
      height,
      headHash: view.hash,
      lastBlockTime: view.time,
      lastFinalityMs: 180 + (height % 5) * 40,
      consensus: { height: height + 1, round: 0, step: 'propose' },
    });
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

function toBase64Url(text: string): string {
  const binary = String.fromCharCode(...new TextEncoder().encode(text));
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

function fromBase64Url(encoded: string): string {
  const binary = atob(encoded.replaceAll('-', '+').replaceAll('_', '/'));
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

function parseInvite(invite: string | Invite): Invite {
  if (typeof invite !== 'string') return invite;
  const fragment = invite.includes('#') ? invite.slice(invite.indexOf('#') + 1) : invite;
  try {
    return JSON.parse(fromBase64Url(fragment)) as Invite;
  } catch {
    throw new Error('This invite link is damaged or incomplete.');
  }
}

export function createPreviewDevice(partial: Partial<PreviewOptions> = {}): PreviewControl {
  const options: PreviewOptions = { ...DEFAULTS, ...partial };
  const address = fakeAddress('this-device');
  const ledgers = new Map<string, { node: PreviewLedger; addedAt: number }>();
  let created = 0;

  function ledger(chainId: string): PreviewLedger {
    const found = ledgers.get(chainId);
    if (!found) throw new Error(`no ledger ${chainId} on this device`);
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
    async createLedger({ name, balances }): Promise<string> {
      created += 1;
      const chainId = fakeHash(`chain:${name}:${created}`);
      const invite: Invite = { chainId, name, genesis: fakeHash(`genesis:${chainId}`), relays: [] };
      const node = new PreviewLedger(invite, address, 'validator', balances, options);
      ledgers.set(chainId, { node, addedAt: options.startTimeMs });
      return chainId;
    },
    async joinLedger(invite): Promise<string> {
      const parsed = parseInvite(invite);
      if (!ledgers.has(parsed.chainId)) {
        const node = new PreviewLedger(parsed, address, 'observer', [], options);
        ledgers.set(parsed.chainId, { node, addedAt: options.startTimeMs });
      }
      return parsed.chainId;
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
    addJoinRequest(chainId, label) {
      ledger(chainId).addJoinRequest(label);
    },
  };
}
