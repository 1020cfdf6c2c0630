// Helpers for libp2p integration tests: synthetic chains (opaque block bytes whose commit is
// the block's SHA-256, so a verifier can check them), block sources, and meshes of Node peers.
import { sha256 } from '@noble/hashes/sha2.js';
import { createNodeNetwork } from '../../../src/lib/net/node-network';
import type { Libp2pNetwork } from '../../../src/lib/net/libp2p-network';
import { TOPIC_NAMES, topicString } from '../../../src/lib/net/message-types';
import type {
  BlockSource,
  BlockVerifier,
  EncodedBlock,
  MessageValidator,
  SyncStatus,
} from '../../../src/lib/net/network';

export const CHAIN_ID = 'a1'.repeat(32);
export const OTHER_CHAIN_ID = 'b2'.repeat(32);

/** Block h: 4-byte height then filler; commit: SHA-256 of the block bytes. */
export function syntheticChain(length: number, blockBytes = 256): EncodedBlock[] {
  const chain: EncodedBlock[] = [];
  for (let height = 1; height <= length; height += 1) {
    const block = new Uint8Array(blockBytes);
    new DataView(block.buffer).setUint32(0, height);
    for (let i = 4; i < blockBytes; i += 1) block[i] = (height * 31 + i) & 0xff;
    chain.push({ height, block, commit: sha256(block) });
  }
  return chain;
}

export const verifySynthetic: BlockVerifier = async ({ height, block, commit }) => {
  if (new DataView(block.buffer, block.byteOffset).getUint32(0) !== height) {
    return { ok: false, reason: 'height mismatch' };
  }
  const digest = sha256(block);
  const same = digest.length === commit.length && digest.every((b, i) => b === commit[i]);
  return same ? { ok: true } : { ok: false, reason: 'commit does not match block' };
};

export function arraySource(chainId: string, chain: EncodedBlock[]): BlockSource {
  return {
    async getBlocks(from, to) {
      return chain.slice(from - 1, to);
    },
    status(): SyncStatus {
      const head = chain[chain.length - 1];
      return {
        chainId,
        height: chain.length,
        headHash: head ? sha256(head.block) : new Uint8Array(32),
      };
    },
  };
}

export interface PeerSpec {
  blocks?: BlockSource;
  validator?: MessageValidator;
}

/** Start `specs.length` Node peers on loopback TCP, every one dialing all before it. */
export async function startMesh(chainId: string, specs: PeerSpec[]): Promise<Libp2pNetwork[]> {
  const networks: Libp2pNetwork[] = [];
  for (const spec of specs) {
    const network = await createNodeNetwork(
      { chainId, bootstrap: networks.flatMap((n) => n.node.getMultiaddrs().map(String)) },
      {
        blocks: spec.blocks ?? arraySource(chainId, []),
        ...(spec.validator ? { validator: spec.validator } : {}),
      },
    );
    await network.start();
    networks.push(network);
  }
  return networks;
}

/** Resolves once `predicate` holds (polled), or rejects after `timeoutMs`. */
export async function waitFor(
  what: string,
  predicate: () => boolean,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Every peer sees every other subscribed to every ledger topic. */
export async function waitForTopicPeers(chainId: string, networks: Libp2pNetwork[]) {
  await waitFor('topic subscriptions', () =>
    networks.every((n) =>
      TOPIC_NAMES.every(
        (name) =>
          n.node.services.pubsub.getSubscribers(topicString(chainId, name)).length >=
          networks.length - 1,
      ),
    ),
  );
}

export async function stopAll(networks: Libp2pNetwork[]): Promise<void> {
  await Promise.all(networks.map((n) => n.stop()));
}
