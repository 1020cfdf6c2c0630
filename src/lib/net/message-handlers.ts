// The subscribers of one Network, by message type (bounded by SUBSCRIBERS_PER_TYPE_MAX); shared
// by the libp2p and in-memory implementations.
import { SUBSCRIBERS_PER_TYPE_MAX } from './limits';
import type { MessageType } from './message-types';
import type { InboundMessage, MessageHandler } from './network';

export class MessageHandlers {
  private readonly byType = new Map<MessageType, Set<MessageHandler>>();

  /** Adds a handler; returns the function that removes it. */
  add(type: MessageType, handler: MessageHandler): () => void {
    let set = this.byType.get(type);
    if (!set) this.byType.set(type, (set = new Set()));
    if (set.size >= SUBSCRIBERS_PER_TYPE_MAX) throw new Error(`too many ${type} subscribers`);
    set.add(handler);
    return () => set.delete(handler);
  }

  deliver(message: InboundMessage): void {
    for (const handler of this.byType.get(message.type) ?? []) handler(message);
  }
}
