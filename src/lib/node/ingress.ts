// Ingress: how validated messages reach the node. Gossip arrives already decoded by the gossip
// validator (the network hands its decoded form on); messages from this profile's other tabs
// are validated the same way here. Either way they wait in the bounded inbox (inbox.ts), and
// one serial-queue task at a time drains it, at most INBOX_DRAIN_BATCH_MAX messages per task so
// timers and submits get their turn between batches.

import type { MessageType } from '../net/message-types';
import type { MessageValidator, Network } from '../net/network';
import type { DecodedGossip } from './gossip-validator';
import { Inbox } from './inbox';
import { INBOX_DRAIN_BATCH_MAX, INBOX_LIMITS } from './params';
import type { SerialQueue } from './serial-queue';

export type IngressSource = 'gossip' | 'tab';

export interface Inbound<K extends MessageType = MessageType> {
  message: DecodedGossip[K];
  source: IngressSource;
  /** The peer it came from (gossipsub's author), or 'tab'. */
  from: string;
}

type InboundByType = { [K in MessageType]: Inbound<K> };

/** Handles one inbound message inside the serial queue. */
export type InboundHandler = <K extends MessageType>(type: K, inbound: Inbound<K>) => Promise<void>;

export interface IngressComponents {
  queue: SerialQueue;
  validator: MessageValidator;
  handle: InboundHandler;
  /** A handler threw (a bug): reported, and the next message goes on. */
  failed(error: unknown): void;
}

const TYPES = Object.keys(INBOX_LIMITS) as MessageType[];

export class Ingress {
  readonly #c: IngressComponents;
  readonly #inbox = new Inbox<InboundByType>(INBOX_LIMITS);
  #drainScheduled = false;
  #undecoded = 0;

  constructor(components: IngressComponents) {
    this.#c = components;
  }

  /** Messages waiting now, and dropped for want of room so far (by type). */
  get waiting(): number {
    return this.#inbox.size;
  }

  dropped(): Partial<Record<MessageType | 'undecoded', number>> {
    const dropped: Partial<Record<MessageType | 'undecoded', number>> = this.#inbox.dropped();
    if (this.#undecoded > 0) dropped.undecoded = this.#undecoded;
    return dropped;
  }

  /** Subscribe to every gossip type of `network`; returns the unsubscribe functions. */
  attach(network: Network): (() => void)[] {
    return TYPES.map((type) =>
      network.subscribe(type, (inbound) => {
        if (inbound.decoded === undefined) {
          // The node's own validator always decodes; a network without one is misconfigured.
          this.#undecoded += 1;
          return;
        }
        this.push(type, {
          message: inbound.decoded as DecodedGossip[typeof type],
          source: 'gossip',
          from: inbound.from,
        });
      }),
    );
  }

  /** A message from another tab of this profile: validated like gossip, then queued. */
  async fromTab(type: MessageType, payload: Uint8Array): Promise<void> {
    const verdict = await this.#c.validator(type, payload, 'tab');
    if (verdict.result !== 'accept' || verdict.message === undefined) return;
    this.push(type, {
      message: verdict.message as DecodedGossip[typeof type],
      source: 'tab',
      from: 'tab',
    });
  }

  push<K extends MessageType>(type: K, inbound: Inbound<K>): void {
    this.#inbox.push(type, inbound as InboundByType[K]);
    this.#scheduleDrain();
  }

  /** Forget what waits (the node stops). */
  clear(): void {
    this.#inbox.clear();
  }

  #scheduleDrain(): void {
    if (this.#drainScheduled) return;
    this.#drainScheduled = true;
    this.#c.queue
      .enqueue(() => this.#drain())
      .catch((error: unknown) => {
        // Queue closed (stopping) or full: the messages stay; the next push retries.
        this.#drainScheduled = false;
        if ((error as Error).name === 'QueueFullError') this.#c.failed(error);
      });
  }

  async #drain(): Promise<void> {
    this.#drainScheduled = false;
    for (let handled = 0; handled < INBOX_DRAIN_BATCH_MAX; handled++) {
      const next = this.#inbox.take();
      if (next === undefined) return;
      try {
        await this.#c.handle(next.type, next.message as Inbound);
      } catch (error) {
        this.#c.failed(error);
      }
    }
    if (this.#inbox.size > 0) this.#scheduleDrain();
  }
}
