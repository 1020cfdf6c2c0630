// An in-memory Network for the simulator and fast tests: every member of a MemoryHub that is
// linked to another gets its gossip (after the same edge validation as libp2p) and can sync
// from it. Links can be cut and restored to model partitions and dropped peers.
import { MessageHandlers } from './message-handlers';
import { encodeEnvelope } from './envelope';
import { TOPIC_OF, type MessageType } from './message-types';
import type {
  BlockSource,
  EncodedBlock,
  MessageHandler,
  MessageValidator,
  Network,
  PeerEvent,
  PeerEventHandler,
  PeerSummary,
  SyncOptions,
  SyncResult,
  ValidationStats,
} from './network';
import { syncRange, type SyncSession } from './sync-driver';
import { SYNC_BATCH_BLOCKS_MAX } from './limits';
import { acceptAll, checkMessage, ReplayGuard, ValidationCounter } from './validation';
import { SyncEpochAheadError, type LedgerCipher } from './ledger-cipher';
import { decodeValue, encodeValue } from '../core/encoding';
import { BLOCK_BYTES_MAX } from '../core/params';

/**
 * How messages travel between linked members: at once (the default, for fast tests) or through
 * a fault model on a virtual clock (the simulator: loss, delay, duplication, partitions).
 */
export interface MemoryLinks {
  /** Carry one gossip message from `from` to `to`: call `deliver` zero or more times, later. */
  send(from: string, to: string, deliver: () => void): void;
  /** A sync request and its reply: resolves when the reply would be back; rejects if cut off. */
  roundTrip(from: string, to: string): Promise<void>;
}

/** Delivery on the next macrotask, as a real network never delivers inside publish(). */
export const IMMEDIATE_LINKS: MemoryLinks = {
  send: (_from, _to, deliver) => void setTimeout(deliver, 0),
  roundTrip: async () => undefined,
};

export class MemoryHub {
  readonly members = new Map<string, MemoryNetwork>();
  private readonly links = new Set<string>();

  constructor(readonly transport: MemoryLinks = IMMEDIATE_LINKS) {}

  private key(a: string, b: string): string {
    return a < b ? `${a}|${b}` : `${b}|${a}`;
  }

  linked(a: string, b: string): boolean {
    return this.links.has(this.key(a, b));
  }

  link(a: string, b: string): void {
    if (a === b || this.linked(a, b)) return;
    this.links.add(this.key(a, b));
    this.members.get(a)?.peerLinked(b);
    this.members.get(b)?.peerLinked(a);
  }

  unlink(a: string, b: string): void {
    if (!this.links.delete(this.key(a, b))) return;
    this.members.get(a)?.peerUnlinked(b);
    this.members.get(b)?.peerUnlinked(a);
  }

  /** Link every running member to every other. */
  linkAll(): void {
    const ids = [...this.members.keys()];
    for (const a of ids) for (const b of ids) if (a < b) this.link(a, b);
  }

  neighbours(id: string): MemoryNetwork[] {
    return [...this.members.values()].filter((m) => m.peerId !== id && this.linked(id, m.peerId));
  }
}

export interface MemoryNetworkDeps {
  hub: MemoryHub;
  blocks: BlockSource;
  validator?: MessageValidator;
  /** A private ledger's cipher: gossip and sync frames are sealed, as on libp2p. */
  cipher?: LedgerCipher | null;
}

export class MemoryNetwork implements Network {
  private readonly handlers = new MessageHandlers();
  private readonly peerHandlers = new Set<PeerEventHandler>();
  private readonly counter = new ValidationCounter();
  private readonly replays = new ReplayGuard();
  private readonly validator: MessageValidator;
  /** Net score per sender: -1 per rejected message (a stand-in for gossipsub scoring). */
  private readonly scores = new Map<string, number>();
  private running = false;

  constructor(
    readonly peerId: string,
    readonly chainId: string,
    private readonly deps: MemoryNetworkDeps,
  ) {
    this.validator = deps.validator ?? acceptAll;
  }

  async start(): Promise<void> {
    this.running = true;
    this.deps.hub.members.set(this.peerId, this);
  }

  async stop(): Promise<void> {
    for (const peer of this.deps.hub.neighbours(this.peerId)) {
      this.deps.hub.unlink(this.peerId, peer.peerId);
    }
    this.deps.hub.members.delete(this.peerId);
    this.running = false;
  }

  async publish(type: MessageType, payload: Uint8Array): Promise<void> {
    this.replays.remember(this.replays.key(type, payload));
    const envelope = encodeEnvelope(type, this.chainId, payload);
    const cipher = this.deps.cipher;
    const topic = TOPIC_OF[type];
    await this.publishRaw(topic, cipher ? await cipher.sealGossip(envelope, topic) : envelope);
  }

  /** Send arbitrary bytes on a topic (tests of bad input). */
  async publishRaw(topic: string, bytes: Uint8Array): Promise<void> {
    if (!this.running) throw new Error('network not started');
    const copy = bytes.slice();
    for (const peer of this.deps.hub.neighbours(this.peerId)) {
      this.deps.hub.transport.send(this.peerId, peer.peerId, () => {
        void peer.receive(topic, copy, this.peerId);
      });
    }
  }

  /** Send arbitrary bytes on a topic to one linked peer only (an equivocator's split sends). */
  async sendRawTo(peerId: string, topic: string, bytes: Uint8Array): Promise<void> {
    if (!this.running) throw new Error('network not started');
    const peer = this.deps.hub.members.get(peerId);
    if (!peer || !this.deps.hub.linked(this.peerId, peerId)) return;
    const copy = bytes.slice();
    this.deps.hub.transport.send(
      this.peerId,
      peerId,
      () => void peer.receive(topic, copy, this.peerId),
    );
  }

  private async receive(topic: string, bytes: Uint8Array, from: string): Promise<void> {
    if (!this.running) return;
    const name = topic as (typeof TOPIC_OF)[MessageType];
    let envelope = bytes;
    const cipher = this.deps.cipher;
    if (cipher) {
      // What does not open is dropped before anything is decoded.
      const opened = await cipher.openGossip(bytes, name);
      if (!opened.ok) {
        const undecryptable = opened.reason === 'undecryptable';
        this.counter.count({ result: undecryptable ? 'reject' : 'ignore', reason: opened.reason });
        if (undecryptable) this.scores.set(from, (this.scores.get(from) ?? 0) - 1);
        return;
      }
      envelope = opened.envelope;
    }
    const checked = await checkMessage(
      envelope,
      name,
      this.chainId,
      from,
      this.validator,
      this.replays,
    );
    this.counter.count(checked.verdict);
    if (checked.verdict.result === 'reject') {
      this.scores.set(from, (this.scores.get(from) ?? 0) - 1);
    }
    if (checked.verdict.result !== 'accept' || !checked.type || !checked.payload) return;
    const decoded = checked.verdict.message;
    this.handlers.deliver({ type: checked.type, payload: checked.payload, from, decoded });
  }

  subscribe(type: MessageType, handler: MessageHandler): () => void {
    return this.handlers.add(type, handler);
  }

  onPeerEvent(handler: PeerEventHandler): () => void {
    this.peerHandlers.add(handler);
    return () => this.peerHandlers.delete(handler);
  }

  peers(): PeerSummary[] {
    return this.deps.hub.neighbours(this.peerId).map((peer) => ({
      id: peer.peerId,
      transports: ['memory'],
      addresses: [`/memory/${peer.peerId}`],
      latencyMs: 0,
      status: peer.deps.blocks.status(),
    }));
  }

  validationStats(): ValidationStats {
    return this.counter.snapshot();
  }

  gossipScore(peerId: string): number {
    return this.scores.get(peerId) ?? 0;
  }

  async syncRange(from: number, to: number, options: SyncOptions): Promise<SyncResult> {
    return syncRange(from, to, options, {
      candidates: (height) =>
        this.deps.hub
          .neighbours(this.peerId)
          .filter((peer) => peer.deps.blocks.status().height >= height)
          .map((peer) => peer.peerId),
      open: async (peerId) => this.openSession(peerId),
    });
  }

  private openSession(peerId: string): SyncSession {
    const hub = this.deps.hub;
    const self = this.peerId;
    const reader = this.deps.cipher ?? null;
    return {
      async fetch(from: number, to: number): Promise<EncodedBlock[]> {
        const peer = hub.members.get(peerId);
        if (!peer || !hub.linked(self, peerId)) throw new Error('not connected');
        await hub.transport.roundTrip(self, peerId);
        const blocks = await peer.deps.blocks.getBlocks(
          from,
          Math.min(to, from + SYNC_BATCH_BLOCKS_MAX - 1),
        );
        // The link may have been cut while the peer was reading.
        if (!hub.linked(self, peerId)) throw new Error('connection dropped');
        const server = peer.deps.cipher ?? null;
        if (!server && !reader) return blocks;
        // A device without the ledger's secret does not even share a protocol name with it.
        if (server && !reader) throw new Error('not a member of this network');
        // A private ledger's frames travel sealed, as on libp2p: the server stops at the end of
        // the reader's key epoch; the reader keeps what it can open.
        const readable: EncodedBlock[] = [];
        for (const block of blocks) {
          const frame = encodeValue([block.height, block.block, block.commit]);
          const sealed = server
            ? await server.sealFrame(frame, block.height, reader?.readerEpoch() ?? -1)
            : frame;
          if (sealed === null) {
            if (readable.length === 0) throw new SyncEpochAheadError(block.height);
            break;
          }
          const opened = reader ? await reader.openFrame(sealed) : null;
          if (!opened) break;
          const [height, bytes, commit] = decodeValue(opened, BLOCK_BYTES_MAX * 2) as [
            number,
            Uint8Array,
            Uint8Array,
          ];
          readable.push({ height, block: bytes, commit });
        }
        if (readable.length === 0) throw new Error('undecryptable frame');
        return readable;
      },
      close() {},
    };
  }

  private emit(event: PeerEvent): void {
    for (const handler of this.peerHandlers) handler(event);
  }

  /** @internal called by the hub */
  peerLinked(peerId: string): void {
    this.emit({ type: 'connected', peerId, transport: 'memory' });
    const peer = this.deps.hub.members.get(peerId);
    if (peer) this.emit({ type: 'status', peerId, status: peer.deps.blocks.status() });
  }

  /** @internal called by the hub */
  peerUnlinked(peerId: string): void {
    this.emit({ type: 'disconnected', peerId });
  }
}
