// The libp2p Network (Node peers on loopback TCP) against the shared conformance suite.
import type { Libp2pNetwork } from '../../src/lib/net/libp2p-network';
import { networkConformance } from '../support/network-conformance';
import { CHAIN_ID, startMesh, stopAll, waitForTopicPeers } from './support/net-fixtures';

networkConformance('libp2p', {
  async start(sources) {
    const networks = await startMesh(
      CHAIN_ID,
      sources.map((blocks) => ({ blocks })),
    );
    await waitForTopicPeers(CHAIN_ID, networks);
    return networks;
  },
  async stop(networks) {
    await stopAll(networks as Libp2pNetwork[]);
  },
});
