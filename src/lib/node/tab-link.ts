// Tabs of one browser profile pass decided blocks and transactions to each other over a
// BroadcastChannel, so they stay in step with no network at all (they share the IndexedDB, so a
// block another tab wrote is applied in memory only). Messages are validated like gossip.
import type { MessageType } from '../net/message-types';
import { isMessageType } from '../net/message-types';

/** Messages larger than this are not posted between tabs (blocks are far smaller). */
export const TAB_MESSAGE_BYTES_MAX = 1024 * 1024;

export type TabMessageHandler = (type: MessageType, payload: Uint8Array) => void;

export interface TabLink {
  post(type: MessageType, payload: Uint8Array): void;
  subscribe(handler: TabMessageHandler): () => void;
  close(): void;
}

export function broadcastChannelLink(chainId: string): TabLink {
  const channel = new BroadcastChannel(`ledger-tabs-${chainId}`);
  const handlers = new Set<TabMessageHandler>();
  channel.onmessage = (event: MessageEvent) => {
    const data = event.data as { type?: unknown; payload?: unknown } | null;
    if (!data || !isMessageType(data.type) || !(data.payload instanceof Uint8Array)) return;
    if (data.payload.length > TAB_MESSAGE_BYTES_MAX) return;
    for (const handler of handlers) handler(data.type, data.payload);
  };
  return {
    post(type, payload) {
      if (payload.length <= TAB_MESSAGE_BYTES_MAX) channel.postMessage({ type, payload });
    },
    subscribe(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    close() {
      handlers.clear();
      channel.close();
    },
  };
}
