// A Node.js peer's Network (integration tests, the always-on peer): TCP + WebSockets libp2p, and
// optionally WebRTC and a relay server (libp2p-node.ts), wrapped in Libp2pNetwork. Node-only
// (imports @libp2p/tcp through libp2p-node.ts).
import type { PrivateKey } from '@libp2p/interface';
import { createNodeLibp2p, type NodeLibp2pOptions } from './libp2p-node';
import { Libp2pNetwork } from './libp2p-network';
import type { BlockSource, MessageValidator } from './network';

export interface NodeNetworkOptions extends Pick<
  NodeLibp2pOptions,
  'announce' | 'webrtc' | 'relayServer' | 'tls' | 'kind'
> {
  chainId: string;
  listen?: string[];
  relays?: string[];
  bootstrap?: string[];
  discovery?: boolean;
  privateKey?: PrivateKey;
}

export async function createNodeNetwork(
  options: NodeNetworkOptions,
  deps: { blocks: BlockSource; validator?: MessageValidator },
): Promise<Libp2pNetwork> {
  const { chainId, listen, relays, bootstrap, discovery, ...libp2pOptions } = options;
  const libp2p = await createNodeLibp2p({
    ...libp2pOptions,
    chainIds: [chainId],
    listen: listen ?? ['/ip4/127.0.0.1/tcp/0'],
    discovery: discovery ?? false,
  });
  return new Libp2pNetwork(
    { chainId, relays: relays ?? [], bootstrap: bootstrap ?? [] },
    { libp2p, ...deps },
  );
}
