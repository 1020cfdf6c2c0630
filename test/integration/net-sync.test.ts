// Range sync over the `/ledger/<chainId>/sync/1.0.0` stream protocol between libp2p peers on
// loopback: 1,000 blocks from a peer that drops the connection halfway, finished from another
// peer, every block verified in order; bad blocks make the client move to an honest peer.
import { afterEach, expect, test } from 'vitest';
import { encodeFrame } from '../../src/lib/net/frames';
import type { Libp2pNetwork } from '../../src/lib/net/libp2p-network';
import { syncProtocol } from '../../src/lib/net/message-types';
import { encodeSyncMessage } from '../../src/lib/net/sync-messages';
import type { BlockSource, EncodedBlock } from '../../src/lib/net/network';
import { createNodeNetwork } from '../../src/lib/net/node-network';
import {
  arraySource,
  CHAIN_ID,
  startMesh,
  stopAll,
  syntheticChain,
  verifySynthetic,
  waitFor,
} from './support/net-fixtures';

let networks: Libp2pNetwork[] = [];

afterEach(async () => {
  await stopAll(networks);
  networks = [];
});

const CHAIN = syntheticChain(1_000);

/** Serves normally until `dropAfter` blocks were served, then hangs up on the client. */
function droppingSource(chain: EncodedBlock[], dropAfter: number, hangUp: () => void) {
  let served = 0;
  const source = arraySource(CHAIN_ID, chain);
  return {
    ...source,
    async getBlocks(from: number, to: number) {
      if (served >= dropAfter) {
        hangUp();
        return new Promise<EncodedBlock[]>(() => {});
      }
      const blocks = await source.getBlocks(from, to);
      served += blocks.length;
      return blocks;
    },
  } satisfies BlockSource;
}

test('a 1,000-block range sync survives the serving peer dropping halfway', async () => {
  const dropperRef: { network?: Libp2pNetwork } = {};
  const dropperChain = syntheticChain(1_010);
  const dropperSource = droppingSource(dropperChain, 500, () => {
    void dropperRef.network?.node.hangUp(networks[0]!.node.peerId);
  });
  networks = await startMesh(CHAIN_ID, [{}, { blocks: dropperSource }]);
  const [client, dropper] = networks as [Libp2pNetwork, Libp2pNetwork];
  dropperRef.network = dropper;
  // The dropper's status comes first: with nothing proved yet, peers are tried in that order.
  await waitFor('status from the dropper', () => client.peers().some((p) => p.status !== null));
  const honest = await createNodeNetwork(
    { chainId: CHAIN_ID, bootstrap: client.node.getMultiaddrs().map(String) },
    { blocks: arraySource(CHAIN_ID, CHAIN) },
  );
  await honest.start();
  networks.push(honest);
  await waitFor(
    'status from both servers',
    () => client.peers().filter((p) => (p.status?.height ?? 0) >= 1_000).length === 2,
  );

  const heights: number[] = [];
  const result = await client.syncRange(1, 1_000, {
    verify: verifySynthetic,
    onBlock: (block) => void heights.push(block.height),
  });

  expect(result.complete).toBe(true);
  expect(result.height).toBe(1_000);
  expect(result.blocks).toBe(1_000);
  expect(heights).toEqual(CHAIN.map((b) => b.height));
  expect(result.peers.sort()).toEqual([dropper.peerId, honest.peerId].sort());
  expect(result.failures.map((f) => f.peerId)).toEqual([dropper.peerId]);
});

test('a peer serving an invalid block is abandoned and the range completes from another', async () => {
  const forged = syntheticChain(300).map((block) =>
    block.height === 150 ? { ...block, commit: new Uint8Array(32) } : block,
  );
  networks = await startMesh(CHAIN_ID, [
    {},
    { blocks: arraySource(CHAIN_ID, [...forged, ...syntheticChain(310).slice(300)]) },
  ]);
  const [client, forger] = networks as [Libp2pNetwork, Libp2pNetwork];
  // The forger's status comes first: with nothing proved yet, peers are tried in that order.
  await waitFor('status from the forger', () => client.peers().some((p) => p.status !== null));
  const honest = await createNodeNetwork(
    { chainId: CHAIN_ID, bootstrap: client.node.getMultiaddrs().map(String) },
    { blocks: arraySource(CHAIN_ID, syntheticChain(300)) },
  );
  await honest.start();
  networks.push(honest);
  await waitFor(
    'status from both servers',
    () => client.peers().filter((p) => (p.status?.height ?? 0) >= 300).length === 2,
  );
  const result = await client.syncRange(1, 300, { verify: verifySynthetic });
  expect(result.complete).toBe(true);
  expect(result.failures).toEqual([
    { peerId: forger.peerId, reason: 'invalid block 150: commit does not match block' },
  ]);
  expect(result.peers).toContain(honest.peerId);
});

test('a range nobody has ends incomplete at the best height reached', async () => {
  networks = await startMesh(CHAIN_ID, [{}, { blocks: arraySource(CHAIN_ID, syntheticChain(40)) }]);
  const [client] = networks as [Libp2pNetwork];
  await waitFor('status', () => client.peers().some((p) => p.status?.height === 40));
  const result = await client.syncRange(1, 100, { verify: verifySynthetic });
  expect(result.complete).toBe(false);
  expect(result.height).toBe(40);
});

test('garbage, truncated and oversized sync frames close that stream only', async () => {
  networks = await startMesh(CHAIN_ID, [{}, { blocks: arraySource(CHAIN_ID, CHAIN) }]);
  const [client, server] = networks as [Libp2pNetwork, Libp2pNetwork];
  await waitFor('status', () => client.peers().some((p) => p.status?.height === 1_000));
  const protocol = syncProtocol(CHAIN_ID);
  const attempts: Uint8Array[][] = [
    [new Uint8Array([5, 1, 2, 3, 4, 5])], // a frame that is not CBOR
    [encodeFrame(encodeSyncMessage({ t: 'range', from: 1, to: 10 })).subarray(0, 6)], // truncated
    [new Uint8Array([0xff, 0xff, 0xff, 0x7f])], // a length far beyond SYNC_FRAME_BYTES_MAX
    [encodeFrame(encodeSyncMessage({ t: 'range', from: 10, to: 1 }))], // a bad range
  ];
  for (const frames of attempts) {
    const stream = await client.node.dialProtocol(server.node.peerId, protocol);
    const replies: Uint8Array[] = [];
    try {
      await stream.sink(
        (async function* () {
          yield* frames;
        })(),
      );
      for await (const chunk of stream.source) replies.push(chunk.subarray());
    } catch (error) {
      // The server reset the stream: an accepted way to refuse garbage.
      expect((error as Error).name).toBe('StreamResetError');
    }
    // The server either reset the stream or answered with an error frame; never with blocks.
    const text = new TextDecoder().decode(
      replies.reduce((a, b) => new Uint8Array([...a, ...b]), new Uint8Array()),
    );
    expect(text).not.toContain('block');
  }
  const result = await client.syncRange(1, 100, { verify: verifySynthetic });
  expect(result).toMatchObject({ complete: true, height: 100 });
});
