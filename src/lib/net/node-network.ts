// A Node.js peer's Network (integration tests, headless nodes): TCP + WebSockets libp2p wrapped
// in Libp2pNetwork. Node-only (imports @libp2p/tcp through libp2p-node.ts).
import type { PrivateKey } from '@libp2p/interface';
import { serveGenesis } from './genesis-protocol';
import { createNodeLibp2p } from './libp2p-node';
import { Libp2pNetwork, type Libp2pNetworkOptions } from './libp2p-network';
import type { BlockSource, MessageValidator } from './network';

export interface NodeNetworkOptions extends Pick<
  Libp2pNetworkOptions,
  'syncLimits' | 'privateAddresses' | 'discoveryDials'
> {
  chainId: string;
  listen?: string[];
  relays?: string[];
  bootstrap?: string[];
  discovery?: boolean;
  privateKey?: PrivateKey;
  /** This ledger's genesis (canonical bytes), served to devices that join by a short invite. */
  genesis?: Uint8Array;
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
  if (options.genesis) await serveGenesis(libp2p, options.chainId, options.genesis);
  return new Libp2pNetwork(
    {
      chainId: options.chainId,
      relays: options.relays ?? [],
      bootstrap: options.bootstrap ?? [],
      ...(options.syncLimits ? { syncLimits: options.syncLimits } : {}),
      ...(options.privateAddresses ? { privateAddresses: options.privateAddresses } : {}),
      ...(options.discoveryDials ? { discoveryDials: options.discoveryDials } : {}),
    },
    { libp2p, ...deps },
  );
}
