// Builds the parts of one full node and wires them to each other (docs/architecture.md). Each
// part gets only the components it uses; parts that need each other do so through closures over
// `parts`, read when called, never during construction.

import type { TimeoutParams } from '../consensus/types';
import { encodeBlock, encodeEvidence, encodeProposalMessage, encodeVote } from '../core/encoding';
import { addressOf } from '../core/hash';
import type { DeviceKind, Signer, Verifier } from '../core/signing';
import type { MessageType } from '../net/message-types';
import type { DeviceClaim, Network, PeerEvent } from '../net/network';
import type { LedgerStore } from '../store/types';
import type { StorageInfo } from './api';
import { createAfterCommit, type AfterCommitComponents } from './after-commit';
import { BlockImporter } from './block-importer';
import { storeBlockSource } from './block-source';
import { deviceClaim, PeerDevices } from './peer-devices';
import { CatchUp } from './catch-up';
import type { Clock, Timers } from './clock';
import { Connectivity, type NetworkParts } from './connectivity';
import { ConsensusDriver, type ConsensusHost } from './consensus-driver';
import { createConsensusHost, type ProposalTamper } from './consensus-host';
import { EvidencePool } from './evidence-pool';
import { createGossipHandler } from './gossip-handler';
import { createGossipValidator } from './gossip-validator';
import { Ingress } from './ingress';
import { JoinAnnouncer } from './join-announcer';
import { KeyRotation } from './key-rotation';
import type { Keyring } from './keyring';
import type { BoxKey } from '../crypto/box';
import { JoinRequests } from './join-requests';
import { LedgerHead } from './ledger-head';
import { Mempool } from './mempool';
import { NodeEvents } from './node-events';
import { NodeStatusView } from './node-status';
import { Outbox } from './outbox';
import { SERIAL_QUEUE_TASKS_MAX } from './params';
import { RecordLoader } from './record-loader';
import { SerialQueue } from './serial-queue';
import { createSignerGuard, type SignerGuard } from './signer-guard';
import { yieldToEventLoop } from './sync-pipeline';
import type { TabLink } from './tab-link';
import { admitTx } from './tx-admission';
import type { SignatureBatchVerifier } from './verify';
import { VoteActivity } from './vote-activity';

export interface FullNodeOptions {
  ledgerName: string;
  /** Relay multiaddrs written into invite links. */
  relays?: string[];
  timeouts?: Partial<TimeoutParams>;
  /** Whether this tab starts as the device's validator (Web Locks decide across tabs). */
  mayValidate?: () => boolean;
  /** What this device is, signed into its join request (default 'browser'). */
  kind?: DeviceKind;
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
  storageInfo?: () => Promise<StorageInfo>;
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
  /** This device's X25519 key: a private ledger's rotated keys are sealed to it. */
  boxKey?: BoxKey | null;
}

export interface NodeParts {
  address: string;
  queue: SerialQueue;
  events: NodeEvents;
  head: LedgerHead;
  mempool: Mempool;
  evidence: EvidencePool;
  votes: VoteActivity;
  joins: JoinRequests;
  announcer: JoinAnnouncer;
  importer: BlockImporter;
  host: ConsensusHost;
  driver: ConsensusDriver;
  ingress: Ingress;
  connectivity: Connectivity;
  catchUp: CatchUp;
  outbox: Outbox;
  status: NodeStatusView;
  /** A private ledger's keys on this device (opened at start; null: public, or no key). */
  keyring: Keyring | null;
  rotation: KeyRotation;
  /** Which device each connected peer proved to be (its status's signed claim). */
  peerDevices: PeerDevices;
}

/** What the parts need to know of the node that owns them. */
export interface NodeControl {
  running(): boolean;
  validatorRole(): boolean;
  /** Runs a task in the serial queue; a failure is reported, not thrown. */
  run(task: () => Promise<void>): void;
  onPeerEvent(event: PeerEvent): void;
  /** The join-request views changed. */
  joinsChanged(): void;
  /** The network came or went. */
  networkChanged(): void;
}

export function buildNodeParts(
  options: FullNodeOptions,
  deps: FullNodeDeps,
  control: NodeControl,
): NodeParts {
  const { store, signer, verifier, clock, timers, tabs } = deps;
  const p = {} as NodeParts;
  const address = addressOf(signer.publicKey);
  const head = new LedgerHead(store);
  const state = () => head.state;
  const events = new NodeEvents();
  const queue = new SerialQueue(SERIAL_QUEUE_TASKS_MAX);
  const mempool = new Mempool();
  const evidence = new EvidencePool();
  const yieldNow = deps.yieldNow ?? yieldToEventLoop;
  const problem = (code: string, message: string) => p.status.problem(code, message);
  const publish = (type: MessageType, payload: Uint8Array) => p.connectivity.publish(type, payload);
  const postToTabs = (type: MessageType, payload: Uint8Array) => tabs?.post(type, payload);
  Object.assign(p, { address, queue, events, head, mempool, evidence, votes: new VoteActivity() });
  p.keyring = null;
  p.rotation = new KeyRotation({
    state,
    keyring: () => p.keyring,
    address,
    timers,
    submit: (body) => p.outbox.submit('epoch-rotate', body),
    problem,
  });

  p.status = new NodeStatusView({
    ledgerName: options.ledgerName,
    address,
    publicKey: signer.publicKey,
    events,
    state,
    engine: () => p.driver.status(),
    mayValidate: control.validatorRole,
    sync: () => ({ syncing: p.catchUp.syncing, target: p.catchUp.target }),
    peers: () => p.connectivity.network.peers(),
    proposedAtMs: () => p.driver.proposedAtMs,
    nowMs: () => clock.nowMs(),
    drops: () => ({ ...p.ingress.dropped(), ...(queue.refused ? { queue: queue.refused } : {}) }),
    keyring: () => p.keyring,
  });
  p.joins = new JoinRequests(control.joinsChanged);
  p.announcer = new JoinAnnouncer({
    state,
    signer,
    kind: options.kind ?? 'browser',
    boxKey: deps.boxKey?.publicKey ?? null,
    timers,
    publish,
    postToTabs,
  });
  const records = new RecordLoader(store, head);
  p.importer = new BlockImporter({
    head,
    store,
    records,
    verifier,
    clock,
    problem,
    yieldNow,
    async learnKeys(entries) {
      const keyring = p.keyring;
      if (!keyring) return;
      for (const { block, results } of entries) await keyring.learn(block, results);
    },
    afterCommit: createAfterCommit({
      head,
      store,
      mempool,
      evidence,
      joins: p.joins,
      events,
      publicKey: signer.publicKey,
      address,
      publishDecided: (payload) => void publish('commit', payload),
      postToTabs: (payload) => postToTabs('commit', payload),
      statusChanged: () => p.status.changed(),
      checkRotation: () => p.rotation.check(),
      onCommitted: deps.onCommitted,
    }),
  });
  p.host = createConsensusHost(
    {
      head,
      mempool,
      evidence,
      verifier,
      clock,
      address,
      problem,
      async commitDecided(block, commit) {
        const bytes = encodeBlock(block);
        return (await p.importer.import([{ block, commit, bytes }], 'consensus')).committed === 1;
      },
      publishEvidence: (item) => void publish('evidence', encodeEvidence(item)),
    },
    deps.tamper?.proposal,
  );
  const honestGuard = createSignerGuard(store.signerState);
  p.driver = new ConsensusDriver(
    { chainId: store.chainId, address, timeouts: options.timeouts },
    {
      host: p.host,
      outbound: {
        proposal: (message) => void publish('proposal', encodeProposalMessage(message)),
        vote(vote) {
          p.votes.note(vote.validator, vote);
          void publish('vote', encodeVote(vote));
        },
        rebroadcast() {
          for (const item of evidence.items()) void publish('evidence', encodeEvidence(item));
        },
      },
      guard: deps.tamper?.guard?.(honestGuard) ?? honestGuard,
      signer,
      clock,
      timers,
      run: control.run,
      mayValidate: control.validatorRole,
    },
  );
  const validator = createGossipValidator({
    state,
    verifier,
    onAhead: (height) => p.catchUp.request(height),
  });
  p.ingress = new Ingress({
    queue,
    validator,
    failed: (error) => problem('internal', (error as Error).message),
    handle: createGossipHandler({ ...p, state, nowMs: () => clock.nowMs() }),
  });
  p.peerDevices = new PeerDevices({
    chainId: store.chainId,
    verifier,
    nowMs: () => clock.monotonicMs(),
  });
  // This device's claim to be its network's peer, signed once per network (its peer id).
  let claim: DeviceClaim | null = null;
  p.connectivity = new Connectivity({
    createNetwork: deps.createNetwork,
    prepare: async (network) => {
      claim = null;
      // Without a claim the peer list shows this device by its peer id only; never a reason
      // not to go online.
      claim = await deviceClaim(signer, store.chainId, network.peerId).catch(() => null);
    },
    parts: {
      validator,
      blocks: storeBlockSource(
        store,
        () => (head.loaded ? head.state : null),
        () => claim,
      ),
      get cipher() {
        return p.keyring;
      },
    },
    attach: (network) => p.ingress.attach(network),
    onPeerEvent: control.onPeerEvent,
    changed: control.networkChanged,
    yieldNow,
  });
  p.catchUp = new CatchUp({
    state,
    network: () => p.connectivity.network,
    verifier,
    clock,
    timers,
    openVerifyPool: deps.openVerifyPool,
    changed: () => p.status.changed(),
    mayRead: () => !(p.keyring?.locked ?? false),
    importBlocks: (blocks, blockVerifier) =>
      queue.enqueue(async () => {
        const result = await p.importer.import(blocks, 'sync', blockVerifier);
        await p.driver.startHeight();
        return result;
      }),
  });
  p.outbox = new Outbox({
    head,
    store,
    signer,
    clock,
    events,
    address,
    running: control.running,
    publish,
    postToTabs,
    exclusive: deps.exclusive,
    inQueue: (task) => queue.enqueue(task),
    loadRecords: (txs) => records.load(txs),
    admit: (txs) =>
      control.run(async () => {
        const hadWork = p.host.hasWork();
        for (const { tx, sizeBytes } of txs) admitTx(head.state, mempool, tx, sizeBytes);
        if (!hadWork && p.host.hasWork()) await p.driver.input({ type: 'work-available' });
      }),
  });
  return p;
}
