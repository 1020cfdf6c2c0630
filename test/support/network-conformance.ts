// One behavioural suite for every Network implementation (libp2p on loopback, in-memory):
// what the node relies on must hold for both.
import { expect, test } from 'vitest';
import { MESSAGE_TYPES } from '../../src/lib/net/message-types';
import type { BlockSource, InboundMessage, Network } from '../../src/lib/net/network';
import {
  arraySource,
  CHAIN_ID,
  syntheticChain,
  verifySynthetic,
  waitFor,
} from '../integration/support/net-fixtures';

export interface ConformanceHarness {
  /** Start networks with these block sources, connected to each other, ready to gossip. */
  start(sources: BlockSource[]): Promise<Network[]>;
  stop(networks: Network[]): Promise<void>;
}

export function networkConformance(name: string, harness: ConformanceHarness): void {
  const empty = () => arraySource(CHAIN_ID, []);

  test(`${name}: gossip reaches every other peer once, not the publisher`, async () => {
    const networks = await harness.start([empty(), empty(), empty()]);
    try {
      const inboxes = networks.map(() => [] as InboundMessage[]);
      networks.forEach((n, i) => {
        for (const type of MESSAGE_TYPES) n.subscribe(type, (m) => inboxes[i]?.push(m));
      });
      for (const type of MESSAGE_TYPES) {
        await networks[0]!.publish(type, new TextEncoder().encode(type));
      }
      await waitFor('delivery', () =>
        inboxes.slice(1).every((inbox) => inbox.length === MESSAGE_TYPES.length),
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(inboxes[0]).toEqual([]);
      for (const inbox of inboxes.slice(1)) {
        expect(inbox.map((m) => m.type)).toEqual([...MESSAGE_TYPES]);
        expect(inbox.every((m) => m.from === networks[0]!.peerId)).toBe(true);
      }
    } finally {
      await harness.stop(networks);
    }
  });

  test(`${name}: unsubscribing stops delivery`, async () => {
    const networks = await harness.start([empty(), empty()]);
    try {
      const inbox: InboundMessage[] = [];
      const unsubscribe = networks[1]!.subscribe('tx', (m) => inbox.push(m));
      await networks[0]!.publish('tx', new Uint8Array([1]));
      await waitFor('first', () => inbox.length === 1);
      unsubscribe();
      const after: InboundMessage[] = [];
      networks[1]!.subscribe('tx', (m) => after.push(m));
      await networks[0]!.publish('tx', new Uint8Array([2]));
      await waitFor('second', () => after.length === 1);
      expect(inbox).toHaveLength(1);
    } finally {
      await harness.stop(networks);
    }
  });

  test(`${name}: peers are listed with their sync status, and a range syncs`, async () => {
    const chain = syntheticChain(200);
    const networks = await harness.start([empty(), arraySource(CHAIN_ID, chain)]);
    try {
      const [client, server] = networks as [Network, Network];
      await waitFor('status', () =>
        client.peers().some((p) => p.id === server.peerId && p.status?.height === 200),
      );
      const heights: number[] = [];
      const result = await client.syncRange(1, 200, {
        verify: verifySynthetic,
        onBlock: (b) => void heights.push(b.height),
      });
      expect(result).toMatchObject({ complete: true, height: 200, blocks: 200 });
      expect(result.peers).toEqual([server.peerId]);
      expect(heights).toEqual(chain.map((b) => b.height));
    } finally {
      await harness.stop(networks);
    }
  });
}
