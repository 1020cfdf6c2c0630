// The in-memory Network passes the same conformance suite as libp2p, plus partition behaviour.
import { expect, test } from 'vitest';
import { MemoryHub, MemoryNetwork } from '../../../src/lib/net/memory-network';
import type { Network } from '../../../src/lib/net/network';
import { networkConformance } from '../../support/network-conformance';
import {
  arraySource,
  CHAIN_ID,
  syntheticChain,
  verifySynthetic,
} from '../../integration/support/net-fixtures';

networkConformance('memory', {
  async start(sources) {
    const hub = new MemoryHub();
    const networks = sources.map(
      (blocks, i) => new MemoryNetwork(`peer-${i}`, CHAIN_ID, { hub, blocks }),
    );
    for (const network of networks) await network.start();
    hub.linkAll();
    return networks;
  },
  async stop(networks: Network[]) {
    for (const network of networks) await network.stop();
  },
});

test('memory: a cut link stops gossip and a sync resumes from another peer', async () => {
  const hub = new MemoryHub();
  const chain = syntheticChain(300);
  const client = new MemoryNetwork('a', CHAIN_ID, { hub, blocks: arraySource(CHAIN_ID, []) });
  let served = 0;
  const dropping = {
    ...arraySource(CHAIN_ID, chain),
    async getBlocks(from: number, to: number) {
      served += 1;
      if (served === 3) hub.unlink('a', 'b');
      return chain.slice(from - 1, to);
    },
  };
  const first = new MemoryNetwork('b', CHAIN_ID, { hub, blocks: dropping });
  const second = new MemoryNetwork('c', CHAIN_ID, { hub, blocks: arraySource(CHAIN_ID, chain) });
  for (const n of [client, first, second]) await n.start();
  hub.linkAll();
  const result = await client.syncRange(1, 300, { verify: verifySynthetic });
  expect(result.complete).toBe(true);
  expect(result.peers).toEqual(['b', 'c']);
  expect(result.failures).toEqual([{ peerId: 'b', reason: 'connection dropped' }]);
  expect(client.peers().map((p) => p.id)).toEqual(['c']);
});

test('memory: bad envelopes are rejected, counted and lower the sender score', async () => {
  const hub = new MemoryHub();
  const a = new MemoryNetwork('a', CHAIN_ID, { hub, blocks: arraySource(CHAIN_ID, []) });
  const b = new MemoryNetwork('b', CHAIN_ID, { hub, blocks: arraySource(CHAIN_ID, []) });
  await a.start();
  await b.start();
  hub.linkAll();
  const inbox: unknown[] = [];
  b.subscribe('tx', (m) => inbox.push(m));
  await a.publishRaw('tx', new Uint8Array([1, 2, 3]));
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(b.validationStats().rejected).toEqual({ 'envelope-malformed': 1 });
  expect(b.gossipScore('a')).toBeLessThan(0);
  expect(inbox).toEqual([]);
});
