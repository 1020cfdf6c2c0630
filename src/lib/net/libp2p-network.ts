// The Network over a libp2p node (browser tab or Node): gossip topics with edge validation,
// the sync stream protocol, status exchange on connect, and connectivity upkeep (relays and
// known peers redialled with backoff; only the peer with the smaller id dials another peer).
//
// A private ledger (a LedgerCipher in the deps) goes by its networkId instead of its chain id in
// every name (topics, the sync protocol id), seals what it publishes, opens what it receives
// before anything else looks at it, and seals every sync frame both ways (sync-stream.ts).
import { MessageHandlers } from './message-handlers';
import type { GossipSub, GossipsubEvents } from '@chainsafe/libp2p-gossipsub';
import {
  TopicValidatorResult,
  type Connection,
  type IdentifyResult,
  type Libp2p,
  type Message,
  type PeerId,
  type PeerInfo,
  type PeerUpdate,
  type PubSub,
} from '@libp2p/interface';
import type { Identify } from '@libp2p/identify';
import type { Ping } from '@libp2p/ping';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import { kindOfAgent, type PeerKind } from './agent';
import { reconnectDelayMs, shouldRetry } from './backoff';
import { DialBudget, type DialBudgetLimits } from './dial-budget';
import { dialableAddresses, hasPrivateRelay, type DialPolicy } from './dial-policy';
import { DiscoveryGuard } from './discovery-guard';
import { startGossipRepair, type GossipRepair } from './gossip-watchdog';
import { KeyedThrottle } from './keyed-throttle';
import { encodeEnvelope } from './envelope';
import { networkNameOf, type LedgerCipher } from './ledger-cipher';
import {
  CONNECTIONS_MAX,
  DIAL_TIMEOUT_MS,
  DISCOVERY_DIAL_RATE,
  DISCOVERY_DIALS_CONCURRENT_MAX,
  KNOWN_PEERS_MAX,
  SYNC_INBOUND_STREAMS_MAX,
  SYNC_STATUS_REFRESH_INTERVAL_MS,
} from './limits';
import {
  DISCOVERY_TOPIC,
  TOPIC_NAMES,
  TOPIC_OF,
  syncProtocol,
  topicString,
  type MessageType,
  type TopicName,
} from './message-types';
import type {
  BlockSource,
  MessageHandler,
  MessageValidator,
  Network,
  PeerEvent,
  PeerEventHandler,
  PeerSummary,
  SyncOptions,
  SyncResult,
  SyncStatus,
  ValidationStats,
} from './network';
import { syncRange, type SyncSession } from './sync-driver';
import { SyncPeerBook, type SyncOutcome, type SyncPeerReport } from './sync-peers';
import {
  serveSyncStream,
  SYNC_CLIENT_LIMITS,
  SyncClientStream,
  type SyncClientLimits,
} from './sync-stream';
import { transportOf } from './transport-kind';
import { acceptAll, checkMessage, ReplayGuard, ValidationCounter } from './validation';

export type LedgerLibp2p = Libp2p<{
  pubsub: PubSub<GossipsubEvents>;
  identify: Identify;
  ping: Ping;
}>;

export interface Libp2pNetworkOptions {
  chainId: string;
  /** Relay multiaddrs, each ending in /p2p/<relayId>; kept connected with backoff. */
  relays?: string[];
  /** Direct peer multiaddrs to dial at start (Node peers), each ending in /p2p/<id>. */
  bootstrap?: string[];
  /** What range-sync replies must meet (deadlines, byte cap); tests shorten the deadlines. */
  syncLimits?: Partial<SyncClientLimits>;
  /** Wall clock for penalties and rates (tests); Date.now by default. */
  nowMs?: () => number;
  /**
   * Whether discovered peers may be dialled at private addresses (LAN, loopback). By default
   * only when a configured relay is itself private (a LAN setup, tests).
   */
  privateAddresses?: 'allow' | 'deny';
  /** Bounds on dials to discovered peers (tests shrink them). */
  discoveryDials?: Partial<DialBudgetLimits>;
}

export interface Libp2pNetworkDeps {
  libp2p: LedgerLibp2p;
  blocks: BlockSource;
  validator?: MessageValidator;
  /** A private ledger's names and sealing; null or absent: a public ledger. */
  cipher?: LedgerCipher | null;
}

/** What validation opened and decoded, from the validator to the 'message' event. */
interface Validated {
  type: MessageType;
  payload: Uint8Array;
  decoded: unknown;
}

interface KnownPeer {
  peerId: PeerId;
  /** Where it may be dialled (dial-policy.ts), best first; never empty. */
  addresses: Multiaddr[];
  attempt: number;
  lastError: string | null;
  /** The address of the last dial. */
  lastAddress: string | null;
}

/** Connectivity upkeep state, for diagnostics (a UI debug panel, tests). */
export interface ConnectivityReport {
  known: {
    id: string;
    attempt: number;
    lastError: string | null;
    lastAddress: string | null;
    dialer: boolean;
  }[];
  dialing: string[];
  /** Known peers waiting for the dial budget (discovery dials per interval, at once). */
  deferred: string[];
  listening: string[];
  /** Peers this node's gossipsub exchanges discovery announcements with. */
  discoveryPeers: string[];
  /** Gossip outbound streams re-requested after gossipsub gave up on them. */
  gossipRepairs: number;
}

const RELAY_ATTEMPT_CAP = 6;
const STATUS_ATTEMPTS_MAX = 3;
/**
 * The larger id dials too if the smaller one has not connected by then: discovery is gossip and
 * may reach one side only. Long enough that both sides almost never dial at once.
 */
const FALLBACK_DIAL_DELAY_MS = 8_000;
const STATUS_RETRY_DELAY_MS = 1_000;
/**
 * A peer's statuses are reported to the node at most this often (the latest one): a peer may
 * send status frames as fast as it likes, and each report updates the peer list and may start
 * a catch-up.
 */
const STATUS_EVENT_INTERVAL_MS = 1_000;

export class Libp2pNetwork implements Network {
  readonly chainId: string;
  /** What topics and protocol ids name: the networkId of a private ledger, else the chain id. */
  readonly networkName: string;
  private readonly cipher: LedgerCipher | null;
  private readonly libp2p: LedgerLibp2p;
  private readonly blocks: BlockSource;
  private readonly validator: MessageValidator;
  private readonly relays: Multiaddr[];
  private readonly bootstrap: Multiaddr[];
  private readonly handlers = new MessageHandlers();
  private readonly peerHandlers = new Set<PeerEventHandler>();
  private readonly statuses = new Map<string, SyncStatus>();
  /** What connected peers said they are (identify); forgotten on disconnect. */
  private readonly kinds = new Map<string, PeerKind>();
  private readonly known = new Map<string, KnownPeer>();
  private readonly relayAttempts = new Map<string, number>();
  private readonly dialing = new Set<string>();
  /** Peers with a fallback dial scheduled (bounded by KNOWN_PEERS_MAX through `known`). */
  private readonly fallbackDue = new Set<string>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private readonly counter = new ValidationCounter();
  private readonly replays = new ReplayGuard();
  /**
   * What validation opened and decoded, from validation to delivery (weak: gossipsub owns
   * messages). The 'message' event reads only this: a sealed payload is never decoded there.
   */
  private readonly validated = new WeakMap<Message, Validated>();
  /** What each sync peer proved, and who is penalised (ranking, ignored claims, gossip score). */
  private readonly syncPeers: SyncPeerBook;
  private readonly syncLimits: Readonly<SyncClientLimits>;
  private readonly nowMs: () => number;
  private lastStatusRefreshMs = -Infinity;
  private readonly dialPolicy: DialPolicy;
  private readonly dialBudget: DialBudget;
  /** Known peers with a dial waiting for the budget (bounded by KNOWN_PEERS_MAX via `known`). */
  private readonly deferred = new Set<string>();
  private readonly discoveryGuard: DiscoveryGuard;
  private running = false;
  private gossipRepair: GossipRepair | null = null;
  /** A peer's statuses become events at most once per STATUS_EVENT_INTERVAL_MS (the latest). */
  private readonly statusEvents = new KeyedThrottle(STATUS_EVENT_INTERVAL_MS, (peerId) => {
    const status = this.statuses.get(peerId);
    if (status && this.running) this.emit({ type: 'status', peerId, status });
  });
  /** Repairs of gossip repair runs already stopped (a restarted network keeps counting). */
  private repairsBefore = 0;

  constructor(options: Libp2pNetworkOptions, deps: Libp2pNetworkDeps) {
    this.chainId = options.chainId;
    this.cipher = deps.cipher ?? null;
    this.networkName = networkNameOf(options.chainId, this.cipher);
    this.libp2p = deps.libp2p;
    this.blocks = deps.blocks;
    this.validator = deps.validator ?? acceptAll;
    this.relays = (options.relays ?? []).map((a) => multiaddr(a));
    this.bootstrap = (options.bootstrap ?? []).map((a) => multiaddr(a));
    this.nowMs = options.nowMs ?? Date.now;
    this.syncPeers = new SyncPeerBook(this.nowMs);
    this.syncLimits = { ...SYNC_CLIENT_LIMITS, ...options.syncLimits };
    const allowPrivate =
      options.privateAddresses === undefined
        ? hasPrivateRelay(this.relays)
        : options.privateAddresses === 'allow';
    this.dialPolicy = { relays: this.relays, allowPrivate };
    this.dialBudget = new DialBudget(
      {
        concurrentMax: DISCOVERY_DIALS_CONCURRENT_MAX,
        rate: DISCOVERY_DIAL_RATE,
        ...options.discoveryDials,
      },
      this.nowMs,
    );
    this.discoveryGuard = new DiscoveryGuard({ nowMs: this.nowMs });
  }

  get peerId(): string {
    return this.libp2p.peerId.toString();
  }

  /** The underlying node, for tests and diagnostics. */
  get node(): LedgerLibp2p {
    return this.libp2p;
  }

  /** The gossipsub score this node gives `peerId` (negative after invalid messages). */
  gossipScore(peerId: string): number {
    return (this.libp2p.services.pubsub as GossipSub).getScore(peerId);
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const pubsub = this.libp2p.services.pubsub;
    // A peer penalised by range sync (invalid blocks, unserved claims) loses gossipsub score:
    // the application-specific term, which these settings leave unused otherwise.
    const score = (pubsub as Partial<GossipSub>).score;
    if (score) score.params.appSpecificScore = (peerId) => this.syncPeers.gossipScore(peerId);
    for (const name of TOPIC_NAMES) {
      pubsub.topicValidators.set(topicString(this.networkName, name), (peer, message) =>
        this.validate(name, peer, message),
      );
    }
    // Announcements name their own author's key only, within size and rate (discovery-guard.ts).
    pubsub.topicValidators.set(DISCOVERY_TOPIC, (peer, message) => {
      const verdict = this.discoveryGuard.check(peer.toString(), message);
      this.counter.count(verdict);
      if (verdict.result === 'accept') return TopicValidatorResult.Accept;
      return verdict.result === 'reject'
        ? TopicValidatorResult.Reject
        : TopicValidatorResult.Ignore;
    });
    await this.libp2p.handle(
      syncProtocol(this.networkName),
      ({ stream, connection }) => {
        void serveSyncStream(stream, {
          chainId: this.chainId,
          blocks: this.blocks,
          cipher: this.cipher,
          onStatus: (status) => this.recordStatus(connection.remotePeer.toString(), status),
        });
      },
      { maxInboundStreams: SYNC_INBOUND_STREAMS_MAX },
    );
    this.libp2p.addEventListener('peer:connect', this.onConnect);
    this.libp2p.addEventListener('peer:disconnect', this.onDisconnect);
    this.libp2p.addEventListener('peer:identify', this.onIdentify);
    this.libp2p.addEventListener('peer:discovery', this.onDiscovery);
    this.libp2p.addEventListener('peer:update', this.onPeerUpdate);
    pubsub.addEventListener('message', this.onMessage);
    await this.libp2p.start();
    for (const name of TOPIC_NAMES) pubsub.subscribe(topicString(this.networkName, name));
    this.gossipRepair = startGossipRepair({
      pubsub: this.libp2p.services.pubsub as GossipSub,
      connections: () => this.libp2p.getConnections(),
      protocols: async (peerId) => (await this.libp2p.peerStore.get(peerId)).protocols,
      nowMs: () => Date.now(),
    });
    for (const relay of this.relays) void this.dialRelay(relay);
    for (const address of this.bootstrap) {
      void this.libp2p
        .dial(address, { signal: AbortSignal.timeout(DIAL_TIMEOUT_MS) })
        .catch(() => undefined);
    }
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.statusEvents.stop();
    this.repairsBefore += this.gossipRepair?.repairs() ?? 0;
    this.gossipRepair?.stop();
    this.gossipRepair = null;
    this.fallbackDue.clear();
    this.deferred.clear();
    this.libp2p.removeEventListener('peer:connect', this.onConnect);
    this.libp2p.removeEventListener('peer:disconnect', this.onDisconnect);
    this.libp2p.removeEventListener('peer:identify', this.onIdentify);
    this.libp2p.removeEventListener('peer:discovery', this.onDiscovery);
    this.libp2p.removeEventListener('peer:update', this.onPeerUpdate);
    this.libp2p.services.pubsub.removeEventListener('message', this.onMessage);
    await this.libp2p.stop();
  }

  async publish(type: MessageType, payload: Uint8Array): Promise<void> {
    const name = TOPIC_OF[type];
    // A copy of our own message re-published by someone else is a replay, not news.
    this.replays.remember(this.replays.key(type, payload));
    const envelope = encodeEnvelope(type, this.chainId, payload);
    // Sealed bytes differ on every publish; gossipsub's message id (author, seqno) does not care.
    const data = this.cipher ? await this.cipher.sealGossip(envelope, name) : envelope;
    await this.libp2p.services.pubsub.publish(topicString(this.networkName, name), data);
  }

  subscribe(type: MessageType, handler: MessageHandler): () => void {
    return this.handlers.add(type, handler);
  }

  onPeerEvent(handler: PeerEventHandler): () => void {
    this.peerHandlers.add(handler);
    return () => this.peerHandlers.delete(handler);
  }

  peers(): PeerSummary[] {
    const byPeer = new Map<string, Connection[]>();
    for (const connection of this.libp2p.getConnections()) {
      if (connection.status !== 'open') continue;
      const id = connection.remotePeer.toString();
      byPeer.set(id, [...(byPeer.get(id) ?? []), connection]);
    }
    return [...byPeer].map(([id, connections]) => {
      const rtts = connections.map((c) => c.rtt).filter((rtt): rtt is number => rtt != null);
      const kind = this.kinds.get(id);
      return {
        id,
        transports: connections.map(transportOf),
        addresses: connections.map((c) => c.remoteAddr.toString()),
        latencyMs: rtts.length > 0 ? Math.min(...rtts) : null,
        status: this.statuses.get(id) ?? null,
        ...(kind ? { kind } : {}),
      };
    });
  }

  connectivity(): ConnectivityReport {
    return {
      known: [...this.known.values()].map((p) => ({
        id: p.peerId.toString(),
        attempt: p.attempt,
        lastError: p.lastError,
        lastAddress: p.lastAddress,
        dialer: this.peerId < p.peerId.toString(),
      })),
      dialing: [...this.dialing],
      deferred: [...this.deferred],
      listening: this.libp2p.getMultiaddrs().map(String),
      discoveryPeers: this.libp2p.services.pubsub.getSubscribers(DISCOVERY_TOPIC).map(String),
      gossipRepairs: this.repairsBefore + (this.gossipRepair?.repairs() ?? 0),
    };
  }

  validationStats(): ValidationStats {
    return this.counter.snapshot();
  }

  async syncRange(from: number, to: number, options: SyncOptions): Promise<SyncResult> {
    // A target nobody claims (a forged far-ahead message) must not cost a status exchange with
    // every peer on every attempt.
    const nowMs = this.nowMs();
    if (
      this.candidates(to).length === 0 &&
      nowMs - this.lastStatusRefreshMs >= SYNC_STATUS_REFRESH_INTERVAL_MS
    ) {
      this.lastStatusRefreshMs = nowMs;
      await this.refreshStatuses();
    }
    return syncRange(from, to, options, {
      candidates: (height) => this.candidates(height),
      open: (peerId, signal) => this.openSession(peerId, signal),
      report: (peerId, outcome) => this.reportSyncOutcome(peerId, outcome),
    });
  }

  /** refreshStatuses, unless that was done less than SYNC_STATUS_REFRESH_INTERVAL_MS ago. */
  private refreshStatusesAtMostEvery(): void {
    const nowMs = this.nowMs();
    if (nowMs - this.lastStatusRefreshMs < SYNC_STATUS_REFRESH_INTERVAL_MS) return;
    this.lastStatusRefreshMs = nowMs;
    void this.refreshStatuses();
  }

  /** Ask every connected peer that speaks the sync protocol (and is trusted) for its status. */
  async refreshStatuses(): Promise<void> {
    await Promise.all(
      this.libp2p
        .getConnections()
        .filter((c) => c.limits == null && c.status === 'open')
        .filter((c) => !this.syncPeers.distrusted(c.remotePeer.toString()))
        .map((c) => this.exchangeStatus(c).catch(() => undefined)),
    );
  }

  /** What range sync learnt of each peer: blocks proved, penalties (diagnostics, tests). */
  syncPeerReport(): SyncPeerReport[] {
    return this.syncPeers.report();
  }

  // --- gossip ---------------------------------------------------------------------------------

  private async validate(
    topic: TopicName,
    propagationSource: PeerId,
    message: Message,
  ): Promise<TopicValidatorResult> {
    const from = message.type === 'signed' ? message.from.toString() : propagationSource.toString();
    let envelope = message.data;
    if (this.cipher) {
      // What does not open is dropped before anything is decoded: 'undecryptable' costs the
      // sender score; a key epoch behind or ahead of ours is an honest member's, ignored.
      const opened = await this.cipher.openGossip(message.data, topic);
      if (!opened.ok) {
        // Peers are in an epoch this node has no key for yet: it missed the rotation block, and
        // none of their gossip will open here (nor tell it it is behind) until it syncs.
        if (opened.reason === 'future-epoch') this.refreshStatusesAtMostEvery();
        const undecryptable = opened.reason === 'undecryptable';
        this.counter.count({ result: undecryptable ? 'reject' : 'ignore', reason: opened.reason });
        return undecryptable ? TopicValidatorResult.Reject : TopicValidatorResult.Ignore;
      }
      envelope = opened.envelope;
    }
    const { verdict, type, payload } = await checkMessage(
      envelope,
      topic,
      this.chainId,
      from,
      this.validator,
      this.replays,
    );
    this.counter.count(verdict);
    if (verdict.result === 'accept' && type !== undefined && payload !== undefined) {
      // gossipsub hands this same Message object to the 'message' event right after.
      this.validated.set(message, { type, payload, decoded: verdict.message });
      return TopicValidatorResult.Accept;
    }
    if (verdict.result === 'accept') return TopicValidatorResult.Ignore; // unreachable
    return verdict.result === 'reject' ? TopicValidatorResult.Reject : TopicValidatorResult.Ignore;
  }

  private readonly onMessage = (event: CustomEvent<Message>): void => {
    const message = event.detail;
    // Only messages that passed validate() reach here, each with what it opened and decoded.
    const validated = this.validated.get(message);
    if (validated === undefined) return;
    this.validated.delete(message);
    const from = message.type === 'signed' ? message.from.toString() : '';
    const { type, payload, decoded } = validated;
    this.handlers.deliver({ type, payload, from, ...(decoded !== undefined ? { decoded } : {}) });
  };

  // --- peers and sync ---------------------------------------------------------------------------

  private emit(event: PeerEvent): void {
    for (const handler of this.peerHandlers) handler(event);
  }

  private reportSyncOutcome(peerId: string, outcome: SyncOutcome): void {
    this.syncPeers.record(peerId, outcome);
    // Its claims start no catch-up while it is penalised.
    if (this.syncPeers.distrusted(peerId)) this.statuses.delete(peerId);
  }

  private recordStatus(peerId: string, { chainId, height, headHash, device }: SyncStatus): void {
    if (chainId !== this.chainId || this.syncPeers.distrusted(peerId)) return;
    this.statuses.set(peerId, { chainId, height, headHash, ...(device ? { device } : {}) });
    // Reported at most once per STATUS_EVENT_INTERVAL_MS a peer, the latest one (keyed-throttle).
    this.statusEvents.call(peerId);
  }

  private candidates(height: number): string[] {
    const connected = new Set(
      this.libp2p
        .getConnections()
        .filter((c) => c.limits == null && c.status === 'open')
        .map((c) => c.remotePeer.toString()),
    );
    // Ranked by the blocks each proved, not by the height it claims (claims are free).
    return this.syncPeers.rank(
      [...this.statuses]
        .filter(([id, status]) => connected.has(id) && status.height >= height)
        .map(([id]) => id),
    );
  }

  private async openSession(peerId: string, signal?: AbortSignal): Promise<SyncSession> {
    const connection = this.libp2p
      .getConnections()
      .find((c) => c.remotePeer.toString() === peerId && c.limits == null && c.status === 'open');
    if (!connection) throw new Error('not connected');
    const stream = await connection.newStream(syncProtocol(this.networkName), {
      signal: signal ?? AbortSignal.timeout(DIAL_TIMEOUT_MS),
    });
    return new SyncClientStream(stream, this.syncLimits, this.cipher);
  }

  private async exchangeStatus(connection: Connection): Promise<void> {
    const stream = await connection.newStream(syncProtocol(this.networkName), {
      signal: AbortSignal.timeout(DIAL_TIMEOUT_MS),
    });
    const session = new SyncClientStream(stream, this.syncLimits, this.cipher);
    try {
      const status = await session.exchangeStatus(this.blocks.status());
      this.recordStatus(connection.remotePeer.toString(), status);
    } finally {
      session.close();
    }
  }

  /** A fresh connection may still be settling (muxer, identify on the other side): retry. */
  private async exchangeStatusWithRetry(connection: Connection, attempts: number) {
    try {
      await this.exchangeStatus(connection);
    } catch {
      if (attempts > 1 && connection.status === 'open') {
        this.later(
          () => void this.exchangeStatusWithRetry(connection, attempts - 1),
          STATUS_RETRY_DELAY_MS,
        );
      }
    }
  }

  private readonly onIdentify = (event: CustomEvent<IdentifyResult>): void => {
    const { protocols, connection, agentVersion } = event.detail;
    const kind = kindOfAgent(agentVersion);
    const peerId = connection.remotePeer.toString();
    if (kind !== null && (this.kinds.has(peerId) || this.kinds.size < CONNECTIONS_MAX)) {
      this.kinds.set(peerId, kind);
    }
    if (connection.limits != null || !protocols.includes(syncProtocol(this.networkName))) return;
    void this.exchangeStatusWithRetry(connection, STATUS_ATTEMPTS_MAX);
  };

  private readonly onConnect = (event: CustomEvent<PeerId>): void => {
    const peerId = event.detail.toString();
    const connection = this.libp2p.getConnections(event.detail)[0];
    const known = this.known.get(peerId);
    if (known) known.attempt = 0;
    if (this.isRelay(peerId)) this.relayAttempts.set(peerId, 0);
    this.emit({
      type: 'connected',
      peerId,
      transport: connection ? transportOf(connection) : 'other',
    });
  };

  private readonly onDisconnect = (event: CustomEvent<PeerId>): void => {
    const peerId = event.detail.toString();
    this.statuses.delete(peerId);
    this.statusEvents.forget(peerId);
    this.kinds.delete(peerId);
    this.emit({ type: 'disconnected', peerId });
    if (!this.running) return;
    const relay = this.relays.find((r) => r.getPeerId() === peerId);
    if (relay) {
      this.later(() => void this.dialRelay(relay), reconnectDelayMs(0));
      return;
    }
    if (this.known.has(peerId)) this.scheduleRedial(peerId);
  };

  // --- connectivity -----------------------------------------------------------------------------

  private isRelay(peerId: string): boolean {
    return this.relays.some((r) => r.getPeerId() === peerId);
  }

  private later(task: () => void, delayMs: number): void {
    if (!this.running) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.running) task();
    }, delayMs);
    this.timers.add(timer);
  }

  private async dialRelay(relay: Multiaddr): Promise<void> {
    const id = relay.getPeerId() ?? relay.toString();
    if (this.dialing.has(id) || !this.running) return;
    this.dialing.add(id);
    try {
      await this.libp2p.dial(relay, { signal: AbortSignal.timeout(DIAL_TIMEOUT_MS) });
      this.relayAttempts.set(id, 0);
    } catch {
      // Relays are configured, not discovered: keep trying forever at a bounded rate.
      const attempt = this.relayAttempts.get(id) ?? 0;
      this.relayAttempts.set(id, attempt + 1);
      this.later(
        () => void this.dialRelay(relay),
        reconnectDelayMs(Math.min(attempt, RELAY_ATTEMPT_CAP)),
      );
    } finally {
      this.dialing.delete(id);
    }
  }

  private readonly onDiscovery = (event: CustomEvent<PeerInfo>): void => {
    this.learnPeer(event.detail.id, event.detail.multiaddrs);
  };

  /**
   * libp2p emits 'peer:discovery' only for peers new to its peer store: a peer that first
   * connected to us (inbound, or over the relay) never shows up there, although later discovery
   * announcements still update its addresses. So every peer-store update counts as discovery.
   */
  private readonly onPeerUpdate = (event: CustomEvent<PeerUpdate>): void => {
    const { peer } = event.detail;
    this.learnPeer(
      peer.id,
      peer.addresses.map((a) => a.multiaddr),
    );
  };

  private learnPeer(id: PeerId, multiaddrs: Multiaddr[]): void {
    const peerId = id.toString();
    if (peerId === this.peerId || this.isRelay(peerId)) return;
    // Only addresses a ledger peer can have, rebuilt on this node's own relays (dial-policy.ts);
    // announcements carry them without the trailing /p2p/<id>, which is appended.
    const addresses = dialableAddresses(multiaddrs, peerId, this.dialPolicy);
    if (addresses.length === 0) return;
    const existing = this.known.get(peerId);
    if (existing) {
      existing.addresses = addresses;
    } else {
      if (this.known.size >= KNOWN_PEERS_MAX) {
        const oldest = this.known.keys().next().value;
        if (oldest !== undefined) this.known.delete(oldest);
      }
      this.known.set(peerId, {
        peerId: id,
        addresses,
        attempt: 0,
        lastError: null,
        lastAddress: null,
      });
    }
    void this.dialKnown(peerId);
  }

  private hasDirectConnection(peerId: string): boolean {
    return this.libp2p
      .getConnections()
      .some((c) => c.remotePeer.toString() === peerId && c.limits == null && c.status === 'open');
  }

  private async dialKnown(peerId: string, fallback = false): Promise<void> {
    const peer = this.known.get(peerId);
    if (!peer || !this.running) return;
    // Only the smaller id dials, so two peers never race two connections at each other; the
    // other side dials only as a late fallback.
    if (this.peerId > peerId && !fallback) {
      if (!this.hasDirectConnection(peerId) && !this.fallbackDue.has(peerId)) {
        this.fallbackDue.add(peerId);
        this.later(() => {
          this.fallbackDue.delete(peerId);
          void this.dialKnown(peerId, true);
        }, FALLBACK_DIAL_DELAY_MS);
      }
      return;
    }
    if (this.dialing.has(peerId) || this.hasDirectConnection(peerId)) return;
    if (this.deferred.has(peerId)) return;
    // WebRTC through a relay first, then direct addresses (dialableAddresses' order).
    const address = peer.addresses[0];
    if (!address) return;
    const slot = this.dialBudget.acquire();
    if ('retryMs' in slot) {
      this.deferred.add(peerId);
      this.later(() => {
        this.deferred.delete(peerId);
        void this.dialKnown(peerId, fallback);
      }, slot.retryMs);
      return;
    }
    this.dialing.add(peerId);
    peer.lastAddress = address.toString();
    try {
      await this.libp2p.dial(address, { signal: AbortSignal.timeout(DIAL_TIMEOUT_MS) });
      peer.attempt = 0;
      peer.lastError = null;
    } catch (error) {
      peer.lastError = `${(error as Error).name}: ${(error as Error).message}`;
      if (!fallback) this.scheduleRedial(peerId);
    } finally {
      slot.release();
      this.dialing.delete(peerId);
    }
  }

  private scheduleRedial(peerId: string): void {
    const peer = this.known.get(peerId);
    if (!peer || this.peerId > peerId) return;
    if (!shouldRetry(peer.attempt)) {
      this.known.delete(peerId);
      return;
    }
    const delayMs = reconnectDelayMs(peer.attempt);
    peer.attempt += 1;
    this.later(() => void this.dialKnown(peerId), delayMs);
  }
}
