// Test page: one tab's libp2p Network, driven by test/browser/net*.test.ts and bench/net.ts
// through window.net. Blocks are synthetic (opaque bytes, commit = SHA-256 of the block).
import { sha256 } from '@noble/hashes/sha2.js';
import { createBrowserNetwork } from '$lib/net/browser-network';
import type { Libp2pNetwork } from '$lib/net/libp2p-network';
import { MESSAGE_TYPES, type MessageType } from '$lib/net/message-types';
import type { EncodedBlock, PeerSummary, SyncResult } from '$lib/net/network';

interface Received {
  type: MessageType;
  text: string;
  from: string;
  atMs: number;
}

interface NetPage {
  ready: true;
  loadedAtMs: number;
  /** Wall-clock ms when start() began creating the libp2p node (0 before). */
  startedAtMs: number;
  start(options: {
    chainId: string;
    relays: string[];
    blocks?: number;
    blockBytes?: number;
  }): Promise<string>;
  peerId(): string;
  peers(): PeerSummary[];
  refreshStatuses(): Promise<void>;
  connectivity(): unknown;
  publish(type: MessageType, text: string): Promise<void>;
  received(): Received[];
  sync(from: number, to: number): Promise<SyncResult & { bytes: number; elapsedMs: number }>;
  stop(): Promise<void>;
}

declare global {
  interface Window {
    net: NetPage;
  }
}

function syntheticChain(length: number, blockBytes: number): EncodedBlock[] {
  const chain: EncodedBlock[] = [];
  for (let height = 1; height <= length; height += 1) {
    const block = new Uint8Array(blockBytes);
    new DataView(block.buffer).setUint32(0, height);
    for (let i = 4; i < blockBytes; i += 1) block[i] = (height * 31 + i) & 0xff;
    chain.push({ height, block, commit: sha256(block) });
  }
  return chain;
}

let network: Libp2pNetwork | null = null;
const received: Received[] = [];

window.net = {
  ready: true,
  loadedAtMs: performance.timeOrigin,
  startedAtMs: 0,
  async start({ chainId, relays, blocks = 0, blockBytes = 256 }) {
    window.net.startedAtMs = performance.timeOrigin + performance.now();
    const chain = syntheticChain(blocks, blockBytes);
    network = await createBrowserNetwork(
      { chainId, relays, iceServers: [] },
      {
        blocks: {
          getBlocks: async (from, to) => chain.slice(from - 1, to),
          status: () => ({
            chainId,
            height: chain.length,
            headHash: chain.length ? sha256(chain[chain.length - 1]!.block) : new Uint8Array(32),
          }),
        },
      },
    );
    for (const type of MESSAGE_TYPES) {
      network.subscribe(type, (message) =>
        received.push({
          type,
          text: new TextDecoder().decode(message.payload),
          from: message.from,
          atMs: performance.timeOrigin + performance.now(),
        }),
      );
    }
    await network.start();
    return network.peerId;
  },
  peerId: () => network?.peerId ?? '',
  peers: () => network?.peers() ?? [],
  connectivity: () => network?.connectivity() ?? null,
  async refreshStatuses() {
    await network?.refreshStatuses();
  },
  async publish(type, text) {
    await network?.publish(type, new TextEncoder().encode(text));
  },
  received: () => received,
  async sync(from, to) {
    if (!network) throw new Error('not started');
    let bytes = 0;
    const startedMs = performance.now();
    const result = await network.syncRange(from, to, {
      verify: async ({ height, block, commit }) => {
        const digest = sha256(block);
        const ok =
          new DataView(block.buffer, block.byteOffset).getUint32(0) === height &&
          digest.every((b, i) => b === commit[i]);
        return ok ? { ok: true } : { ok: false, reason: 'bad block' };
      },
      onBlock: ({ block, commit }) => {
        bytes += block.byteLength + commit.byteLength;
      },
    });
    return { ...result, bytes, elapsedMs: performance.now() - startedMs };
  },
  async stop() {
    await network?.stop();
    network = null;
  },
};
