// The inbox: validated gossip (already decoded once, by the gossip validator) waiting for the
// node's serial queue. One bounded FIFO channel per message type, each with its drop policy
// (params.ts INBOX_LIMITS), so a flood of one type cannot crowd out another and memory stays
// bounded whatever peers send. Messages leave in arrival order across channels.
//
// Drops are counted per type and shown in the node's status: a node that drops is overloaded
// or attacked, and says so.

import type { InboxChannelLimit } from './params';

interface Entry<T> {
  seq: number;
  message: T;
}

/** A FIFO with O(1) push, shift and drop-oldest (an array with a moving head). */
class Fifo<T> {
  #items: (T | undefined)[] = [];
  #head = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }

  push(item: T): void {
    this.#items.push(item);
  }

  peek(): T | undefined {
    return this.#items[this.#head];
  }

  shift(): T | undefined {
    if (this.length === 0) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head += 1;
    // Compact once the dead prefix dominates, so memory follows the live length.
    if (this.#head > 1_024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  clear(): void {
    this.#items = [];
    this.#head = 0;
  }
}

export type InboxMessage<M, K extends keyof M = keyof M> = {
  [P in K]: { type: P; message: M[P] };
}[K];

export class Inbox<M extends Record<string, unknown>> {
  readonly #limits: Readonly<Record<keyof M, InboxChannelLimit>>;
  readonly #channels = new Map<keyof M, Fifo<Entry<unknown>>>();
  readonly #dropped = new Map<keyof M, number>();
  #seq = 0;
  #size = 0;

  constructor(limits: Readonly<Record<keyof M, InboxChannelLimit>>) {
    this.#limits = limits;
    for (const type of Object.keys(limits) as (keyof M)[]) this.#channels.set(type, new Fifo());
  }

  /** Messages waiting, all channels together. */
  get size(): number {
    return this.#size;
  }

  /** Messages waiting in one channel. */
  sizeOf(type: keyof M): number {
    return this.#channel(type).length;
  }

  /**
   * Add a message; returns false if it (or, under drop-oldest, the oldest of its channel) was
   * dropped for want of room.
   */
  push<K extends keyof M>(type: K, message: M[K]): boolean {
    const channel = this.#channel(type);
    const limit = this.#limits[type];
    if (channel.length >= limit.messagesMax) {
      this.#dropped.set(type, (this.#dropped.get(type) ?? 0) + 1);
      if (limit.policy === 'drop-newest' || limit.messagesMax === 0) return false;
      channel.shift();
      this.#size -= 1;
      channel.push({ seq: this.#seq++, message });
      this.#size += 1;
      return false;
    }
    channel.push({ seq: this.#seq++, message });
    this.#size += 1;
    return true;
  }

  /** The oldest waiting message of any channel, or undefined when empty. */
  take(): InboxMessage<M> | undefined {
    let oldestType: keyof M | undefined;
    let oldestSeq = Infinity;
    for (const [type, channel] of this.#channels) {
      const head = channel.peek();
      if (head !== undefined && head.seq < oldestSeq) {
        oldestSeq = head.seq;
        oldestType = type;
      }
    }
    if (oldestType === undefined) return undefined;
    const entry = this.#channel(oldestType).shift() as Entry<unknown>;
    this.#size -= 1;
    return { type: oldestType, message: entry.message } as InboxMessage<M>;
  }

  /** Drop everything waiting (the node stopped or the network went away). Not counted. */
  clear(): void {
    for (const channel of this.#channels.values()) channel.clear();
    this.#size = 0;
  }

  /** Messages dropped for want of room, by type (only types that dropped any). */
  dropped(): Partial<Record<keyof M, number>> {
    return Object.fromEntries(this.#dropped) as Partial<Record<keyof M, number>>;
  }

  #channel(type: keyof M): Fifo<Entry<unknown>> {
    const channel = this.#channels.get(type);
    if (!channel) throw new RangeError(`no inbox channel for ${String(type)}`);
    return channel;
  }
}
