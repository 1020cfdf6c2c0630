// A Node.js peer's Network (integration tests, headless nodes): TCP + WebSockets libp2p wrapped
// in Libp2pNetwork. Node-only (imports @libp2p/tcp through libp2p-node.ts).
import type { PrivateKey } from '@libp2p/interface';
import { createNodeLibp2p } from './libp2p-node';
import { Libp2pNetwork } from './libp2p-network';
import type { BlockSource, MessageValidator } from './network';
import type { SyncClientLimits } from './sync-stream';

export interface NodeNetworkOptions {
  chainId: string;
  listen?: string[];
  relays?: string[];
  bootstrap?: string[];
  discovery?: boolean;
  privateKey?: PrivateKey;
  /** Range-sync deadlines and caps (tests shorten the deadlines). */
  syncLimits?: Partial<SyncClientLimits>;
}

export async function createNodeNetwork(
  options: NodeNetworkOptions,
  deps: { blocks: BlockSource; validator?: MessageValidator },
): Promise<Libp2pNetwork> {
  const libp2p = await createNodeLibp2p({
    chainIds: [options.chainId],
    listen: options.listen ?? ['/ip4/127.0.0.1/tcp/0'],
    discovery: options.discovery ?? false,
    ...(options.privateKey ? { privateKey: options.privateKey } : {}),
  });
  return new Libp2pNetwork(
    {
      chainId: options.chainId,
      relays: options.relays ?? [],
      bootstrap: options.bootstrap ?? [],
      ...(options.syncLimits ? { syncLimits: options.syncLimits } : {}),
    },
    { libp2p, ...deps },
  );
}
