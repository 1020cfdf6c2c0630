// Connectivity: the node's network, which comes and goes with the device's connection. Offline
// stops it (nothing dials into the void, the status says so, and transactions signed meanwhile
// wait in the outbox); back online builds a fresh one, which reconnects, learns the peers'
// heights and lets the outbox resubmit. Changes apply one at a time, in call order.

import type { LedgerCipher } from '../net/ledger-cipher';
import type { MessageType } from '../net/message-types';
import type { BlockSource, MessageValidator, Network, PeerEvent } from '../net/network';

/** What the node plugs into the network it is given. */
export interface NetworkParts {
  validator: MessageValidator;
  blocks: BlockSource;
  /** A private ledger's names and encryption (null: a public ledger). */
  readonly cipher: LedgerCipher | null;
}

export interface ConnectivityComponents {
  /** Builds the network with the node's gossip validator and block source plugged in. */
  createNetwork(parts: NetworkParts): Network | Promise<Network>;
  parts: NetworkParts;
  /** Subscribes the node to a fresh network; returns the unsubscribe functions. */
  attach(network: Network): (() => void)[];
  /** Runs once a network is built, before it starts (it knows its peer id by then). */
  prepare?(network: Network): Promise<void>;
  onPeerEvent(event: PeerEvent): void;
  /** The network changed (started or stopped). */
  changed(): void;
  /** Lets the page breathe between building and starting libp2p (tens of ms each). */
  yieldNow(): Promise<void>;
}

/** Stands in while there is no network: no peers, publishing is a no-op. */
export const OFFLINE_NETWORK: Network = {
  peerId: '',
  chainId: '',
  start: async () => undefined,
  stop: async () => undefined,
  publish: async () => undefined,
  subscribe: () => () => undefined,
  onPeerEvent: () => () => undefined,
  peers: () => [],
  validationStats: () => ({ accepted: 0, rejected: {}, ignored: {} }),
  syncRange: async (from) => ({
    height: from - 1,
    blocks: 0,
    peers: [],
    failures: [],
    complete: false,
  }),
};

export class Connectivity {
  readonly #c: ConnectivityComponents;
  #network: Network = OFFLINE_NETWORK;
  #unsubscribe: (() => void)[] = [];
  #wantOnline = true;
  #changes: Promise<void> = Promise.resolve();

  constructor(components: ConnectivityComponents) {
    this.#c = components;
  }

  get network(): Network {
    return this.#network;
  }

  get online(): boolean {
    return this.#network !== OFFLINE_NETWORK;
  }

  /** Follow the device's connectivity; resolves once the change took effect. */
  setOnline(online: boolean): Promise<void> {
    this.#wantOnline = online;
    const change = this.#changes.then(() => this.#apply());
    this.#changes = change.catch(() => undefined);
    return change;
  }

  /** Start online (unless told otherwise before). */
  start(): Promise<void> {
    return this.setOnline(this.#wantOnline);
  }

  async stop(): Promise<void> {
    await this.#changes;
    await this.#disconnect();
  }

  /** Gossip `payload`; offline or without peers it is dropped (resubmits and rebroadcasts repair). */
  async publish(type: MessageType, payload: Uint8Array): Promise<void> {
    try {
      await this.#network.publish(type, payload);
    } catch {
      // Offline or no peers yet: consensus rebroadcasts and the outbox resubmits.
    }
  }

  async #apply(): Promise<void> {
    if (this.#wantOnline === this.online) return;
    if (this.#wantOnline) await this.#connect();
    else await this.#disconnect();
    this.#c.changed();
  }

  async #connect(): Promise<void> {
    const network = await this.#c.createNetwork(this.#c.parts);
    this.#unsubscribe = [
      ...this.#c.attach(network),
      network.onPeerEvent((event) => this.#c.onPeerEvent(event)),
    ];
    this.#network = network;
    await this.#c.prepare?.(network);
    // Building a libp2p node and starting it each take tens of ms of main thread: in separate
    // tasks, opening a ledger leaves the page responsive (bench row 4, longest task).
    await this.#c.yieldNow();
    await network.start();
  }

  async #disconnect(): Promise<void> {
    const network = this.#network;
    this.#network = OFFLINE_NETWORK;
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
    await network.stop();
  }
}
