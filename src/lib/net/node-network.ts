// A Node.js peer's Network (integration tests, the always-on peer): TCP + WebSockets libp2p, and
// optionally WebRTC and a relay server (libp2p-node.ts), wrapped in Libp2pNetwork. Node-only
// (imports @libp2p/tcp through libp2p-node.ts). A private ledger's cipher names its topics and
// protocols (networkId) and seals its traffic.
import type { PrivateKey } from '@libp2p/interface';
import { findGenesis, serveGenesis, type FindGenesisOptions } from './genesis-protocol';
import { networkNameOf, type LedgerCipher } from './ledger-cipher';
import { createNodeLibp2p, type NodeLibp2pOptions } from './libp2p-node';
import { Libp2pNetwork, type Libp2pNetworkOptions } from './libp2p-network';
import type { BlockSource, MessageValidator } from './network';
import { usableRelays } from './relay-address';

export interface NodeNetworkOptions
  extends
    Pick<NodeLibp2pOptions, 'announce' | 'webrtc' | 'relayServer' | 'tls' | 'kind'>,
    Pick<Libp2pNetworkOptions, 'syncLimits' | 'privateAddresses' | 'discoveryDials'> {
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
  deps: { blocks: BlockSource; validator?: MessageValidator; cipher?: LedgerCipher | null },
): Promise<Libp2pNetwork> {
  const {
    chainId,
    listen,
    relays,
    bootstrap,
    discovery,
    genesis,
    syncLimits,
    privateAddresses,
    discoveryDials,
    ...libp2pOptions
  } = options;
  const libp2p = await createNodeLibp2p({
    ...libp2pOptions,
    chainIds: [networkNameOf(chainId, deps.cipher)],
    listen: listen ?? ['/ip4/127.0.0.1/tcp/0'],
    discovery: discovery ?? false,
  });
  if (genesis) await serveGenesis(libp2p, chainId, genesis, deps.cipher ?? null);
  return new Libp2pNetwork(
    {
      chainId,
      relays: relays ?? [],
      bootstrap: bootstrap ?? [],
      ...(syncLimits ? { syncLimits } : {}),
      ...(privateAddresses ? { privateAddresses } : {}),
      ...(discoveryDials ? { discoveryDials } : {}),
    },
    { libp2p, ...deps },
  );
}

/**
 * The genesis of a short invite's ledger, from a device met through `relays` (the always-on peer
 * joining by a short link): a throwaway libp2p without listen addresses, stopped after.
 */
export async function fetchGenesisFromNodePeers(
  options: Omit<FindGenesisOptions, 'relays'> & { relays: string[] },
): Promise<Uint8Array> {
  // Discovery and the circuit transport: browsers serving the genesis are reached through relays.
  const libp2p = await createNodeLibp2p({
    chainIds: [networkNameOf(options.chainId, options.cipher)],
    listen: [],
    discovery: true,
    webrtc: { iceServers: [] },
  });
  return findGenesis(libp2p, { ...options, relays: usableRelays(options.relays).usable });
}
