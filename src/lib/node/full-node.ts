// The full node of one tab: the composition root. It builds the parts (see docs/architecture.md),
// starts them in order, stops them in reverse, and implements the LedgerNode API by delegation.
//
//   gossip -> gossip validator (decode once, check) -> ingress -> inbox (bounded) -> serial queue
//     -> consensus driver (engine, effects, timers, signer guard) <-> consensus host
//     -> block importer (the only verify + commit path) -> store -> after-commit
//
// Everything that reads and changes the engine, the head state or the mempool runs in the one
// serial queue; network callbacks and timers only push into the inbox or enqueue.

import type { TimeoutParams } from '../consensus/types';
import { encodeBlock, encodeEvidence, encodeProposalMessage, encodeVote } from '../core/encoding';
import { addressOf, toHex } from '../core/hash';
import type { Signer, Verifier } from '../core/signing';
import type { LedgerState } from '../core/state';
import type { TxKind, TxBody } from '../core/types';
import type { MessageType } from '../net/message-types';
import type { Network, PeerEvent } from '../net/network';
import type { LedgerStore } from '../store/types';
import type * as Api from './api';
import { createAfterCommit, type AfterCommitComponents } from './after-commit';
import { BlockImporter } from './block-importer';
import { storeBlockSource } from './block-source';
import { CatchUp } from './catch-up';
import type { Clock, Timers } from './clock';
import { Connectivity, type NetworkParts } from './connectivity';
import { ConsensusDriver } from './consensus-driver';
import { createConsensusHost, type ProposalTamper } from './consensus-host';
import type { ConsensusHost } from './consensus-driver';
import { EvidencePool } from './evidence-pool';
import { createGossipHandler } from './gossip-handler';
import { createGossipValidator } from './gossip-validator';
import { Ingress } from './ingress';
import { inviteLink, makeInvite } from './invite';
import { JoinAnnouncer } from './join-announcer';
import { JoinRequests } from './join-requests';
import { LedgerHead } from './ledger-head';
import { Mempool } from './mempool';
import { NodeEvents } from './node-events';
import { NodeStatusView } from './node-status';
import { Outbox, TxRejectedError } from './outbox';
import { OUTBOX_RESUBMIT_MS, SERIAL_QUEUE_TASKS_MAX, STORAGE_POLL_MS } from './params';
import * as queries from './queries';
import { SerialQueue } from './serial-queue';
import { createSignerGuard, type SignerGuard } from './signer-guard';
import { yieldToEventLoop } from './sync-pipeline';
import type { TabLink } from './tab-link';
import { admitTx } from './tx-admission';
import type { SignatureBatchVerifier } from './verify';
import { VoteActivity } from './vote-activity';

export { NodeStoppedError, TxRejectedError } from './outbox';
export type { NetworkParts } from './connectivity';

export interface FullNodeOptions {
  ledgerName: string;
  /** Relay multiaddrs written into invite links. */
  relays?: string[];
  timeouts?: Partial<TimeoutParams>;
  /** Whether this tab starts as the device's validator (Web Locks decide across tabs). */
  mayValidate?: () => boolean;
}

/** Where an adversary deviates (the simulator's byzantine validators); honest nodes: none. */
export interface NodeTamper {
  /** What it proposes. */
  proposal?: ProposalTamper;
  /** What it signs: a guard that refuses nothing, say. */
  guard?: (honest: SignerGuard) => SignerGuard;
}

export interface FullNodeDeps {
  store: LedgerStore;
  createNetwork(parts: NetworkParts): Network | Promise<Network>;
  signer: Signer;
  verifier: Verifier;
  clock: Clock;
  timers: Timers;
  /** Other tabs of this browser profile (BroadcastChannel); absent outside browsers. */
  tabs?: TabLink;
  /** Storage usage for the status (navigator.storage); absent outside browsers. */
  storageInfo?: () => Promise<Api.StorageInfo>;
  /** A pool verifying in bulk off the main thread, for a long range sync (verify-pool.ts). */
  openVerifyPool?: () => (SignatureBatchVerifier & { close(): void }) | null;
  /** Runs `task` holding this profile's submit lock (Web Locks); absent: this node only. */
  exclusive?: <T>(task: () => Promise<T>) => Promise<T>;
  /** Told of every committed block (the simulator's invariant checker). */
  onCommitted?: AfterCommitComponents['onCommitted'];
  /**
   * Lets the page handle events between slices of long work (default: a MessageChannel round
   * trip); the simulator, whose time stands still within an event, passes a no-op.
   */
  yieldNow?: () => Promise<void>;
  tamper?: NodeTamper;
}

export class FullNode implements Api.LedgerNode {
  readonly address: string;
  readonly #options: FullNodeOptions;
  readonly #deps: FullNodeDeps;
  readonly #queue = new SerialQueue(SERIAL_QUEUE_TASKS_MAX);
  readonly #events = new NodeEvents();
  readonly #head: LedgerHead;
  readonly #mempool = new Mempool();
  readonly #evidence = new EvidencePool();
  readonly #votes = new VoteActivity();
  readonly #joins: JoinRequests;
  readonly #announcer: JoinAnnouncer;
  readonly #importer: BlockImporter;
  readonly #driver: ConsensusDriver;
  readonly #host: ConsensusHost;
  readonly #ingress: Ingress;
  readonly #connectivity: Connectivity;
  readonly #catchUp: CatchUp;
  readonly #outbox: Outbox;
  readonly #status: NodeStatusView;
  readonly #cancelTimers = new Set<() => void>();
  readonly #unsubscribe: (() => void)[] = [];
  #validatorRole: boolean;
  #running = false;

  constructor(options: FullNodeOptions, deps: FullNodeDeps) {
    this.#options = options;
    this.#deps = deps;
    const { store, signer, verifier, clock, timers, tabs } = deps;
    this.address = addressOf(signer.publicKey);
    this.#validatorRole = options.mayValidate?.() ?? true;
    const head = (this.#head = new LedgerHead(store));
    const state = () => head.state;
    const problem = (code: string, message: string) => this.#status.problem(code, message);
    const run = (task: () => Promise<void>) => this.#run(task);
    const publish = (type: MessageType, payload: Uint8Array) =>
      this.#connectivity.publish(type, payload);
    const events = this.#events;
    const yieldNow = deps.yieldNow ?? yieldToEventLoop;
    this.#status = new NodeStatusView({
      ledgerName: options.ledgerName,
      address: this.address,
      publicKey: signer.publicKey,
      events,
      state,
      engine: () => this.#driver.status(),
      mayValidate: () => this.#validatorRole,
      sync: () => ({ syncing: this.#catchUp.syncing, target: this.#catchUp.target }),
      peers: () => this.#connectivity.network.peers(),
      proposedAtMs: () => this.#driver.proposedAtMs,
      nowMs: () => clock.nowMs(),
      drops: () => ({
        ...this.#ingress.dropped(),
        ...(this.#queue.refused ? { queue: this.#queue.refused } : {}),
      }),
    });
    this.#joins = new JoinRequests(() =>
      events.emit({ type: 'join-requests', requests: this.joinRequests() }),
    );
    this.#announcer = new JoinAnnouncer({
      state,
      publicKey: signer.publicKey,
      timers,
      publish,
      postToTabs: (type, payload) => tabs?.post(type, payload),
    });
    this.#importer = new BlockImporter({
      head,
      store,
      verifier,
      clock,
      problem,
      yieldNow,
      afterCommit: createAfterCommit({
        head,
        store,
        mempool: this.#mempool,
        evidence: this.#evidence,
        joins: this.#joins,
        events,
        publicKey: signer.publicKey,
        address: this.address,
        publishDecided: (payload) => void publish('commit', payload),
        postToTabs: (payload) => tabs?.post('commit', payload),
        statusChanged: () => this.#status.changed(),
        onCommitted: deps.onCommitted,
      }),
    });
    const honestGuard = createSignerGuard(store.signerState);
    this.#host = createConsensusHost(
      {
        head,
        mempool: this.#mempool,
        evidence: this.#evidence,
        verifier,
        clock,
        address: this.address,
        problem,
        commitDecided: async (block, commit) => {
          const bytes = encodeBlock(block);
          const result = await this.#importer.import([{ block, commit, bytes }], 'consensus');
          return result.committed === 1;
        },
        publishEvidence: (item) => void publish('evidence', encodeEvidence(item)),
      },
      deps.tamper?.proposal,
    );
    this.#driver = new ConsensusDriver(
      { chainId: store.chainId, address: this.address, timeouts: options.timeouts },
      {
        host: this.#host,
        outbound: {
          proposal: (message) => void publish('proposal', encodeProposalMessage(message)),
          vote: (vote) => {
            this.#votes.note(vote.validator, vote);
            void publish('vote', encodeVote(vote));
          },
          rebroadcast: () => {
            for (const item of this.#evidence.items())
              void publish('evidence', encodeEvidence(item));
          },
        },
        guard: deps.tamper?.guard?.(honestGuard) ?? honestGuard,
        signer,
        clock,
        timers,
        run,
        mayValidate: () => this.#validatorRole,
      },
    );
    const validator = createGossipValidator({
      state,
      verifier,
      onAhead: (height) => this.#catchUp.request(height),
    });
    this.#ingress = new Ingress({
      queue: this.#queue,
      validator,
      failed: (error) => problem('internal', (error as Error).message),
      handle: createGossipHandler({
        state,
        driver: this.#driver,
        host: this.#host,
        importer: this.#importer,
        mempool: this.#mempool,
        evidence: this.#evidence,
        joins: this.#joins,
        votes: this.#votes,
        events,
        status: this.#status,
      }),
    });
    this.#connectivity = new Connectivity({
      createNetwork: deps.createNetwork,
      parts: {
        validator,
        blocks: storeBlockSource(store, () => (head.loaded ? head.state : null)),
      },
      attach: (network) => this.#ingress.attach(network),
      onPeerEvent: (event) => this.#onPeerEvent(event),
      changed: () => {
        this.#status.changed();
        events.emit({ type: 'peers', peers: this.peers() });
        if (this.#connectivity.online) void this.#outbox.resubmit();
      },
      yieldNow,
    });
    this.#catchUp = new CatchUp({
      state,
      network: () => this.#connectivity.network,
      verifier,
      clock,
      timers,
      openVerifyPool: deps.openVerifyPool,
      changed: () => this.#status.changed(),
      importBlocks: (blocks, blockVerifier) =>
        this.#queue.enqueue(async () => {
          const result = await this.#importer.import(blocks, 'sync', blockVerifier);
          await this.#driver.startHeight();
          return result;
        }),
    });
    this.#outbox = new Outbox({
      head,
      store,
      signer,
      clock,
      events,
      address: this.address,
      running: () => this.#running,
      publish,
      postToTabs: (type, payload) => tabs?.post(type, payload),
      exclusive: deps.exclusive,
      admit: (txs) =>
        run(async () => {
          const hadWork = this.#host.hasWork();
          for (const { tx, sizeBytes } of txs) admitTx(head.state, this.#mempool, tx, sizeBytes);
          if (!hadWork && this.#host.hasWork())
            await this.#driver.input({ type: 'work-available' });
        }),
    });
  }

  /** The committed state (read-only for callers). */
  get state(): LedgerState {
    return this.#head.state;
  }

  get status(): Api.NodeStatus {
    return this.#status.current;
  }

  /** The parts, for tests and the simulator (read them; do not drive them from outside). */
  get parts() {
    return {
      queue: this.#queue,
      mempool: this.#mempool,
      evidence: this.#evidence,
      ingress: this.#ingress,
      network: () => this.#connectivity.network,
    };
  }

  // --- Lifecycle: start in order, stop in reverse ------------------------------------------

  async start(): Promise<void> {
    if (this.#running) return;
    await this.#head.reload();
    this.#running = true;
    this.#status.changed();
    if (this.#deps.tabs) {
      this.#unsubscribe.push(
        this.#deps.tabs.subscribe((type, payload) => void this.#ingress.fromTab(type, payload)),
      );
    }
    await this.#connectivity.start();
    await this.#outbox.restore();
    this.#run(() => this.#driver.start());
    this.#every(OUTBOX_RESUBMIT_MS, () => void this.#outbox.resubmit());
    this.#every(STORAGE_POLL_MS, () => void this.#refreshStorage());
    void this.#refreshStorage();
  }

  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    for (const cancel of this.#cancelTimers) cancel();
    this.#cancelTimers.clear();
    this.#announcer.stop();
    this.#catchUp.stop();
    this.#driver.stop();
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
    this.#ingress.clear();
    await this.#queue.close();
    await this.#connectivity.stop();
  }

  /** Resolves once every task queued so far has run (tests). */
  settled(): Promise<void> {
    return this.#queue.idle();
  }

  /**
   * Take or give up the device's validator role (another tab of this profile may hold it).
   * Taking it restarts the current height with this node signing; the persisted signer state
   * refuses anything the previous holder already signed, so the hand-over cannot double-sign.
   */
  setValidatorRole(active: boolean): void {
    if (this.#validatorRole === active) return;
    this.#validatorRole = active;
    this.#run(async () => {
      await this.#driver.restart();
      this.#status.changed();
    });
  }

  /** Follow the device's connectivity (the browser's online/offline events). */
  setOnline(online: boolean): Promise<void> {
    return this.#connectivity
      .setOnline(online)
      .catch((error: unknown) => this.#status.problem('network', (error as Error).message));
  }

  subscribe(listener: (event: Api.NodeEvent) => void): () => void {
    return this.#events.subscribe(listener);
  }

  // --- Actions ------------------------------------------------------------------------------

  transfer(to: string, amount: number): Promise<Api.ActivityEntry> {
    return this.#submit('transfer', { to, amount });
  }

  putRecord(key: string, value: string): Promise<Api.ActivityEntry> {
    return this.#submit('put', { key, value: new TextEncoder().encode(value) });
  }

  deleteRecord(key: string): Promise<Api.ActivityEntry> {
    return this.#submit('delete', { key });
  }

  requestToJoin(label: string): Promise<void> {
    return this.#announcer.request(label);
  }

  approveJoin(publicKeyHex: string): Promise<Api.ActivityEntry> {
    const state = this.#head.state;
    const existing = [...state.proposals.values()].find(
      (proposal) => toHex(proposal.publicKey) === publicKeyHex,
    );
    if (existing) return this.#submit('validator-approve', { proposalId: existing.id });
    const power = Math.max(1, ...state.validators.validators.map((v) => v.power));
    return this.#submit('validator-propose', { publicKey: hexToKey(publicKeyHex), power });
  }

  inviteLink(baseUrl: string): string {
    return inviteLink(baseUrl, makeInvite(this.#head.genesis, this.#options.relays ?? []));
  }

  #submit(kind: TxKind, body: TxBody): Promise<Api.ActivityEntry> {
    return this.#outbox.submit(kind, body);
  }

  // --- Queries ------------------------------------------------------------------------------

  blocks(page: { beforeHeight?: number; limit: number }): Promise<Api.BlockSummary[]> {
    return queries.blockSummaries(this.#deps.store, page);
  }

  block(height: number): Promise<Api.BlockView | null> {
    return queries.blockView(this.#deps.store, this.#head.state, height);
  }

  account(address: string): Promise<Api.AccountView | null> {
    return queries.accountView(this.#deps.store, address);
  }

  async accounts(): Promise<{ address: string; balance: number }[]> {
    return queries.balances(this.#head.state);
  }

  records(prefix: string): Promise<Api.RecordView[]> {
    return queries.recordViews(this.#deps.store, prefix);
  }

  activity(): Promise<Api.ActivityEntry[]> {
    return this.#outbox.activity();
  }

  async validators(): Promise<Api.ValidatorInfo[]> {
    const selfOnline = this.#validatorRole ? this.address : null;
    return queries.validatorInfos(this.#head.state, this.#votes.latest, selfOnline);
  }

  peers(): Api.PeerInfo[] {
    return queries.peerInfos(this.#connectivity.network.peers());
  }

  joinRequests(): Api.JoinRequest[] {
    return this.#joins.views(this.#head.state, this.address);
  }

  // --- Internals ----------------------------------------------------------------------------

  #run(task: () => Promise<void>): void {
    this.#queue.enqueue(task).catch((error: unknown) => {
      if (!this.#running) return;
      console.error('node task failed', error);
      this.#status.problem('internal', (error as Error).message);
    });
  }

  #onPeerEvent(event: PeerEvent): void {
    if (event.type === 'status') this.#catchUp.request(event.status.height);
    if (event.type === 'connected') void this.#outbox.resubmit();
    this.#events.emit({ type: 'peers', peers: this.peers() });
    this.#status.changed();
  }

  async #refreshStorage(): Promise<void> {
    const info = await this.#deps.storageInfo?.().catch(() => null);
    if (info && this.#running) this.#status.setStorage(info);
  }

  #every(intervalMs: number, callback: () => void): void {
    const tick = () => {
      const cancel = this.#deps.timers.after(intervalMs, () => {
        this.#cancelTimers.delete(cancel);
        if (!this.#running) return;
        callback();
        tick();
      });
      this.#cancelTimers.add(cancel);
    };
    tick();
  }
}

function hexToKey(hex: string): Uint8Array {
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    throw new TxRejectedError('bad-body', 'expected a 32-byte hex public key');
  }
  const bytes = new Uint8Array(32);
  for (let i = 0; i < 32; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}
