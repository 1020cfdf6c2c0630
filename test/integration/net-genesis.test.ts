// The genesis protocol: a device that knows only a chain id (a short invite link) and a relay
// meets the ledger's devices through the relay and gets the genesis from one of them; a device
// of another ledger is never asked for it, and a search nobody answers ends in a typed error.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { findGenesis, GenesisNotFoundError } from '../../src/lib/net/genesis-protocol';
import type { Libp2pNetwork } from '../../src/lib/net/libp2p-network';
import { createNodeLibp2p } from '../../src/lib/net/libp2p-node';
import { createNodeNetwork } from '../../src/lib/net/node-network';
import { startRelay, type Relay } from '../../src/relay/relay';
import { arraySource, CHAIN_ID, OTHER_CHAIN_ID, stopAll } from './support/net-fixtures';

/** Stand-ins for canonical genesis bytes: the protocol carries bytes, the caller checks them. */
const GENESIS = new TextEncoder().encode('the genesis of CHAIN_ID');
const OTHER_GENESIS = new TextEncoder().encode('the genesis of OTHER_CHAIN_ID');
const SEARCH_TIMEOUT_MS = 30_000;

let relay: Relay;
const networks: Libp2pNetwork[] = [];

beforeAll(async () => {
  relay = await startRelay({ listen: ['/ip4/127.0.0.1/tcp/0/ws'] });
  for (const [chainId, genesis] of [
    [OTHER_CHAIN_ID, OTHER_GENESIS],
    [CHAIN_ID, GENESIS],
  ] as const) {
    // A headless Node peer serves its genesis as a browser device does.
    const network = await createNodeNetwork(
      { chainId, relays: relay.multiaddrs(), discovery: true, genesis },
      { blocks: arraySource(chainId, []) },
    );
    await network.start();
    networks.push(network);
  }
});

afterAll(async () => {
  await stopAll(networks);
  await relay?.stop();
});

async function seeker() {
  return createNodeLibp2p({
    chainIds: [CHAIN_ID],
    listen: ['/ip4/127.0.0.1/tcp/0'],
    discovery: true,
  });
}

test('a device that knows only the chain id and a relay gets the genesis', async () => {
  const offered: string[] = [];
  const bytes = await findGenesis(await seeker(), {
    chainId: CHAIN_ID,
    relays: relay.multiaddrs(),
    accept: (candidate) => {
      offered.push(new TextDecoder().decode(candidate));
      return true;
    },
    signal: AbortSignal.timeout(SEARCH_TIMEOUT_MS),
  });
  expect(new TextDecoder().decode(bytes)).toBe('the genesis of CHAIN_ID');
  // Only a device of this ledger lists the protocol, so the other ledger's was never asked.
  expect(offered).not.toContain('the genesis of OTHER_CHAIN_ID');
});

test('bytes the caller does not accept are not returned; the search ends with a typed error', async () => {
  const search = findGenesis(await seeker(), {
    chainId: CHAIN_ID,
    relays: relay.multiaddrs(),
    accept: () => false,
    signal: AbortSignal.timeout(5_000),
  });
  await expect(search).rejects.toBeInstanceOf(GenesisNotFoundError);
});
