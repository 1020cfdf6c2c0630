// Serves this node's committed blocks to peers' range sync, straight from the store's canonical
// bytes, and reports the head (and which device this is: peer-devices.ts) for the status
// exchange.
import { encodeCommit } from '../core/encoding';
import type { LedgerState } from '../core/state';
import type { BlockSource, DeviceClaim, EncodedBlock } from '../net/network';
import type { LedgerStore } from '../store/types';

export function storeBlockSource(
  store: LedgerStore,
  state: () => LedgerState | null,
  device: () => DeviceClaim | null = () => null,
): BlockSource {
  return {
    async getBlocks(from: number, to: number): Promise<EncodedBlock[]> {
      const blocks: EncodedBlock[] = [];
      for (let height = from; height <= to; height++) {
        const [bytes, stored] = await Promise.all([store.blockBytes(height), store.block(height)]);
        if (bytes === null || stored === null) break;
        blocks.push({ height, block: bytes, commit: encodeCommit(stored.commit) });
      }
      return blocks;
    },
    status() {
      const current = state();
      const claim = device();
      return {
        chainId: store.chainId,
        height: current?.height ?? 0,
        headHash: current?.lastBlockHash ?? new Uint8Array(32),
        ...(claim ? { device: claim } : {}),
      };
    },
  };
}
