// Range sync under attack, over real libp2p streams on loopback: a peer that drips bytes, one
// that claims a height it does not serve, one that serves a forged block, one that floods a
// reply past the byte cap or with heights nobody asked for. The client drops each within its
// deadlines and caps, finishes from an honest peer, and remembers: a penalised peer is not asked
// again, its status claims are ignored (they would start a catch-up), its gossipsub score drops,
// and peers are tried in the order of the blocks they proved, not of the heights they claim.
import type { Stream } from '@libp2p/interface';
import { afterEach, expect, test } from 'vitest';
import { BoundedChannel, encodeFrame, FrameReader } from '../../src/lib/net/frames';
import type { Libp2pNetwork } from '../../src/lib/net/libp2p-network';
import { SYNC_FRAME_BYTES_MAX } from '../../src/lib/net/limits';
import { syncProtocol } from '../../src/lib/net/message-types';
import type { EncodedBlock, PeerEvent, SyncStatus } from '../../src/lib/net/network';
import { createNodeNetwork } from '../../src/lib/net/node-network';
import {
  decodeSyncMessage,
  encodeSyncMessage,
  type SyncMessage,
} from '../../src/lib/net/sync-messages';
import {
  arraySource,
  CHAIN_ID,
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

const CHAIN = syntheticChain(300);
/** Short deadlines so a stalled reply fails in a second, not in half a minute. */
const SYNC_LIMITS = { frameTimeoutMs: 2_000, batchTimeoutMs: 1_000 };

/**
 * A Node peer on loopback TCP that dials `dial` (the client) and serves `chain`; its status says
 * `claim` if given (in the exchanges it starts and those it answers).
 */
async function peer(
  chain: EncodedBlock[],
  dial: Libp2pNetwork[] = [],
  claim?: SyncStatus,
): Promise<Libp2pNetwork> {
  const source = arraySource(CHAIN_ID, chain);
  const network = await createNodeNetwork(
    { chainId: CHAIN_ID, bootstrap: dial.flatMap((n) => n.node.getMultiaddrs().map(String)) },
    { blocks: claim ? { ...source, status: () => claim } : source },
  );
  await network.start();
  networks.push(network);
  return network;
}

/** The client: short deadlines (or `limits`), everything else as shipped. */
async function client(limits: typeof SYNC_LIMITS = SYNC_LIMITS): Promise<Libp2pNetwork> {
  const network = await createNodeNetwork(
    { chainId: CHAIN_ID, syncLimits: limits },
    { blocks: arraySource(CHAIN_ID, []) },
  );
  await network.start();
  networks.push(network);
  return network;
}

interface AttackContext {
  out: BoundedChannel<Uint8Array>;
  send(message: SyncMessage): Promise<void>;
  range: { from: number; to: number };
}

/**
 * Replace `attacker`'s sync server: it answers status exchanges with `claim` and range requests
 * with `onRange`. Returns how many range requests it got.
 */
async function serveAttack(
  attacker: Libp2pNetwork,
  claim: SyncStatus,
  onRange: (context: AttackContext) => Promise<void>,
): Promise<{ ranges: number }> {
  const counts = { ranges: 0 };
  const protocol = syncProtocol(CHAIN_ID);
  await attacker.node.unhandle(protocol);
  await attacker.node.handle(protocol, ({ stream }: { stream: Stream }) => {
    const out = new BoundedChannel<Uint8Array>(4);
    void stream.sink(out).catch(() => undefined);
    const send = (message: SyncMessage) => out.push(encodeFrame(encodeSyncMessage(message)));
    void (async () => {
      const reader = new FrameReader(stream.source, SYNC_FRAME_BYTES_MAX);
      for (;;) {
        const frame = await reader.next();
        if (frame === null) break;
        const message = decodeSyncMessage(frame);
        if (message.t === 'status') await send({ t: 'status', ...claim });
        if (message.t === 'range') {
          counts.ranges += 1;
          await onRange({ out, send, range: { from: message.from, to: message.to } });
        }
      }
    })().catch(() => undefined);
  });
  return counts;
}

const FAR_AHEAD: SyncStatus = {
  chainId: CHAIN_ID,
  height: 1_000_000,
  headHash: new Uint8Array(32),
};

async function statusOf(from: Libp2pNetwork, peerId: string, height: number): Promise<void> {
  await waitFor(`status ${height} of ${peerId}`, () =>
    from.peers().some((p) => p.id === peerId && (p.status?.height ?? 0) >= height),
  );
}

test('a peer that drips bytes is dropped at the reply deadline and the range completes elsewhere', async () => {
  const syncer = await client();
  const dripper = await peer([], [syncer], FAR_AHEAD);
  await serveAttack(dripper, FAR_AHEAD, async ({ out }) => {
    // A block frame's length, then one byte every 50 ms: each chunk beats any per-chunk timer.
    const frame = encodeFrame(encodeSyncMessage({ t: 'block', ...CHAIN[0]! }));
    for (const byte of frame) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      await out.push(new Uint8Array([byte]));
    }
  });
  await statusOf(syncer, dripper.peerId, FAR_AHEAD.height);
  // The dripper's status came first, so with equal (no) proofs it is tried first.
  const honest = await peer(CHAIN, [syncer]);
  await statusOf(syncer, honest.peerId, CHAIN.length);

  const result = await syncer.syncRange(1, CHAIN.length, { verify: verifySynthetic });

  expect(result).toMatchObject({ complete: true, height: CHAIN.length });
  expect(result.failures).toEqual([{ peerId: dripper.peerId, reason: 'batch-timeout' }]);
  expect(result.peers).toEqual([honest.peerId]);
  const dripperRecord = syncer.syncPeerReport().find((r) => r.peerId === dripper.peerId);
  expect(dripperRecord?.penalty).toBe('failed');
}, 30_000);

test('a claimed height it does not serve is a lie: the peer is penalised and its claims ignored', async () => {
  const syncer = await client();
  const liar = await peer([], [syncer], FAR_AHEAD);
  const asked = await serveAttack(liar, FAR_AHEAD, async ({ send }) => send({ t: 'end' }));
  await statusOf(syncer, liar.peerId, FAR_AHEAD.height);
  const honest = await peer(CHAIN, [syncer]);
  await statusOf(syncer, honest.peerId, CHAIN.length);

  const result = await syncer.syncRange(1, CHAIN.length, { verify: verifySynthetic });

  expect(result.complete).toBe(true);
  expect(result.failures).toEqual([
    { peerId: liar.peerId, reason: 'no blocks at height 1 it claimed' },
  ]);
  expect(asked.ranges).toBe(1);
  // Penalised: its status is forgotten, a fresh far-ahead claim is not even reported (it would
  // start a catch-up), and gossipsub no longer sends it gossip.
  expect(syncer.peers().find((p) => p.id === liar.peerId)?.status).toBeNull();
  const events: PeerEvent[] = [];
  syncer.onPeerEvent((event) => events.push(event));
  await liar.refreshStatuses();
  await honest.refreshStatuses();
  await waitFor('the honest status', () =>
    events.some((e) => e.type === 'status' && e.peerId === honest.peerId),
  );
  expect(events.filter((e) => e.type === 'status' && e.peerId === liar.peerId)).toEqual([]);
  await waitFor(
    'gossip score below the gossip threshold',
    () => syncer.gossipScore(liar.peerId) < -10,
  );
  // Not asked again while penalised, however high it claims.
  const again = await syncer.syncRange(1, 10, { verify: verifySynthetic });
  expect(again.complete).toBe(true);
  expect(asked.ranges).toBe(1);
}, 30_000);

test('peers are tried by the blocks they proved, not the height they claim', async () => {
  const syncer = await client();
  const honest = await peer(CHAIN, [syncer]);
  await statusOf(syncer, honest.peerId, CHAIN.length);
  expect((await syncer.syncRange(1, 100, { verify: verifySynthetic })).peers).toEqual([
    honest.peerId,
  ]);
  // A newcomer claims far more; the peer that proved 100 blocks is asked first all the same.
  const boaster = await peer([], [syncer], FAR_AHEAD);
  const asked = await serveAttack(boaster, FAR_AHEAD, async ({ send }) => send({ t: 'end' }));
  await statusOf(syncer, boaster.peerId, FAR_AHEAD.height);

  const result = await syncer.syncRange(101, CHAIN.length, { verify: verifySynthetic });

  expect(result).toMatchObject({ complete: true, peers: [honest.peerId], failures: [] });
  expect(asked.ranges).toBe(0);
}, 30_000);

test('a peer that served a forged block is not asked again and is graylisted for gossip', async () => {
  const forged = CHAIN.map((block) =>
    block.height === 150 ? { ...block, commit: new Uint8Array(32) } : block,
  );
  const syncer = await client();
  const forger = await peer(forged, [syncer]);
  await statusOf(syncer, forger.peerId, CHAIN.length);
  const honest = await peer(CHAIN.slice(0, 200), [syncer]);
  await statusOf(syncer, honest.peerId, 200);

  const first = await syncer.syncRange(1, 200, { verify: verifySynthetic });
  expect(first.complete).toBe(true);
  expect(first.failures).toEqual([
    { peerId: forger.peerId, reason: 'invalid block 150: commit does not match block' },
  ]);
  // The next sync (a new call: nothing carried over but what the network remembers) cannot use
  // the forger, though it alone claims the heights asked for.
  const second = await syncer.syncRange(201, CHAIN.length, { verify: verifySynthetic });
  expect(second).toMatchObject({ complete: false, height: 200, failures: [] });
  expect(syncer.syncPeerReport().find((r) => r.peerId === forger.peerId)?.penalty).toBe('invalid');
  await waitFor('gossip score below the graylist', () => syncer.gossipScore(forger.peerId) < -80);
}, 30_000);

test.each([
  [
    'a reply past the byte cap',
    // 64 valid 500 kB blocks (32 MB) for one request; the server-side cap is 4 MiB.
    syntheticChain(64, 500_000),
    'batch too large',
  ],
  ['blocks nobody asked for', syntheticChain(80).slice(40), 'unexpected block 41'],
])(
  '%s: the client stops reading, drops the peer and penalises it',
  async (_, served, reason) => {
    // A batch deadline long enough that 4 MiB arrive under load: the cap, not the clock, decides.
    const syncer = await client({ ...SYNC_LIMITS, batchTimeoutMs: 15_000 });
    const flooder = await peer([], [syncer], FAR_AHEAD);
    await serveAttack(flooder, FAR_AHEAD, async ({ send }) => {
      for (const block of served) await send({ t: 'block', ...block });
      await send({ t: 'end' });
    });
    await statusOf(syncer, flooder.peerId, FAR_AHEAD.height);

    const result = await syncer.syncRange(1, 64, { verify: verifySynthetic });

    expect(result).toMatchObject({ complete: false, height: 0 });
    expect(result.failures).toEqual([{ peerId: flooder.peerId, reason }]);
    expect(syncer.syncPeerReport().find((r) => r.peerId === flooder.peerId)?.penalty).toBe(
      'invalid',
    );
  },
  30_000,
);

test('a peer flooding status frames is reported to the node at most once a second, the latest last', async () => {
  const victim = await client();
  const attacker = await peer([], [victim]);
  await statusOf(victim, attacker.peerId, 0);
  // Both sides' exchanges on connecting are over (and reported) before the flood.
  await new Promise((resolve) => setTimeout(resolve, 2_500));
  const reported: number[] = [];
  victim.onPeerEvent((event: PeerEvent) => {
    if (event.type === 'status' && event.peerId === attacker.peerId) {
      reported.push(event.status.height);
    }
  });
  const stream = await attacker.node.dialProtocol(victim.node.peerId, syncProtocol(CHAIN_ID));
  const out = new BoundedChannel<Uint8Array>(4);
  void stream.sink(out).catch(() => undefined);
  // The victim answers every status; read the answers so it is never held up.
  const answers = (async () => {
    const reader = new FrameReader(stream.source, SYNC_FRAME_BYTES_MAX);
    let count = 0;
    while ((await reader.next().catch(() => null)) !== null) count += 1;
    return count;
  })();
  const FRAMES = 300;
  const started = Date.now();
  for (let height = 1; height <= FRAMES; height += 1) {
    const status = { t: 'status', chainId: CHAIN_ID, height, headHash: new Uint8Array(32) };
    await out.push(encodeFrame(encodeSyncMessage(status as SyncMessage)));
  }
  const floodMs = Date.now() - started;
  await waitFor('the latest status reported', () => reported.at(-1) === FRAMES, 10_000);
  out.end();
  expect(await answers).toBe(FRAMES);
  // One report when the flood began, one a second during it, and the latest at the end (which
  // is why nothing is lost: the last status is always reported).
  expect(reported.length).toBeLessThanOrEqual(Math.ceil(floodMs / 1_000) + 2);
  console.log(`${FRAMES} status frames in ${floodMs} ms: ${reported.length} reports`);
});
