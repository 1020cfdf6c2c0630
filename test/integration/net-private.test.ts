// A private ledger on real libp2p (loopback sockets, the relay from src/relay, FullNodes over
// node networks): what the relay sees, what a stranger who knows the chain id can do, what one
// told the networkId but not the key can do; a member removed at height h cannot sync past h
// and its gossip is ignored, while a member that was away across the rotation catches up.
// The tests run in order on one cluster (each leaves it as the next expects).
import type { GossipSub } from '@chainsafe/libp2p-gossipsub';
import type { RPC } from '@chainsafe/libp2p-gossipsub/message';
import type { Libp2p, PeerId } from '@libp2p/interface';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { decodeGenesis, encodeGenesis, encodeTx } from '../../src/lib/core/encoding';
import { genesisState } from '../../src/lib/core/genesis';
import { chainIdOf } from '../../src/lib/core/hash';
import { epochKeyHash } from '../../src/lib/core/membership';
import type { Genesis } from '../../src/lib/core/types';
import { generateBoxKey, newEpochKey, type BoxKey } from '../../src/lib/crypto/box';
import { cachingVerifier, webCryptoSigner, webCryptoVerifier } from '../../src/lib/crypto/index';
import { genesisProtocol } from '../../src/lib/net/genesis-protocol';
import { SyncEpochAheadError } from '../../src/lib/net/ledger-cipher';
import type { Libp2pNetwork } from '../../src/lib/net/libp2p-network';
import { createNodeLibp2p } from '../../src/lib/net/libp2p-node';
import {
  DISCOVERY_TOPIC,
  syncProtocol,
  TOPIC_NAMES,
  topicString,
} from '../../src/lib/net/message-types';
import { createNodeNetwork, fetchGenesisFromNodePeers } from '../../src/lib/net/node-network';
import { SyncClientStream } from '../../src/lib/net/sync-stream';
import type { NodeEvent } from '../../src/lib/node/api';
import { systemClock, systemTimers } from '../../src/lib/node/clock';
import { FullNode } from '../../src/lib/node/full-node';
import { inviteCipher, Keyring, networkIdOf } from '../../src/lib/node/keyring';
import { createMemoryLedgerStore } from '../../src/lib/store/memory-ledger-store';
import type { LedgerStore, StoredKeyring } from '../../src/lib/store/types';
import { startRelay, type Relay } from '../../src/relay/relay';
import { addressOfKey, makeGenesis, newKeys, signTx, type SigningKey } from '../support/fixtures';
import {
  arraySource,
  CHAIN_ID,
  syntheticChain,
  waitFor,
  waitForTopicPeers,
} from './support/net-fixtures';
import { FAST_TIMEOUTS } from '../support/node-events';

const VALIDATORS = 3;
/** Validators 0..2, then the member that is removed, then the one away across the rotation. */
const [REMOVED, AWAY] = [VALIDATORS, VALIDATORS + 1];

/** Everything the relay is told: topic names, protocol ids, agent strings, gossip messages. */
const relaySaw = {
  names: new Set<string>(),
  messages: [] as { topic: string; data: Uint8Array }[],
};
const stops: (() => Promise<unknown>)[] = [];
let relay: Relay;
let genesis: Genesis;
let chainId: string;
let networkSecret: Uint8Array;
let networkId: string;
let epochKey: Uint8Array;
let keys: SigningKey[];
let boxKeys: BoxKey[];
const stores: LedgerStore[] = [];
const nodes: (FullNode | undefined)[] = [];

/** Records, before the relay handles them, every subscription and message a peer sends it. */
function recordRelay(relayNode: Relay): void {
  const pubsub = relayNode.node.services.pubsub as GossipSub;
  const handle = pubsub.handleReceivedRpc.bind(pubsub);
  pubsub.handleReceivedRpc = async (from: PeerId, rpc: RPC) => {
    for (const sub of rpc.subscriptions) if (sub.topic) relaySaw.names.add(sub.topic);
    for (const message of rpc.messages) {
      relaySaw.messages.push({ topic: message.topic, data: message.data ?? new Uint8Array() });
    }
    return handle(from, rpc);
  };
  relayNode.node.addEventListener('peer:identify', (event) => {
    for (const protocol of event.detail.protocols) relaySaw.names.add(protocol);
    if (event.detail.agentVersion) relaySaw.names.add(event.detail.agentVersion);
  });
}

/** Whether `bytes` hold the chain id, as hex text or as its 32 raw bytes. */
function holdsChainId(bytes: Uint8Array): boolean {
  if (Buffer.from(bytes).toString('latin1').includes(chainId)) return true;
  return Buffer.from(bytes).includes(Buffer.from(chainId, 'hex'));
}

function running(): FullNode[] {
  return nodes.filter((node): node is FullNode => node !== undefined);
}

function network(node: FullNode): Libp2pNetwork {
  return node.parts.network() as Libp2pNetwork;
}

function addressesOf(node: FullNode): string[] {
  return network(node)
    .node.getMultiaddrs()
    .map(String)
    .filter((address) => address.includes('/tcp/') && !address.includes('/ws'));
}

async function startMember(index: number): Promise<FullNode> {
  let store = stores[index];
  if (!store) {
    store = createMemoryLedgerStore(chainId);
    await store.initialize(genesis, genesisState(genesis));
    const keyring: StoredKeyring = {
      networkSecret,
      epochs: [
        {
          epoch: 0,
          key: epochKey,
          fromHeight: 0,
          keyHash: epochKeyHash(0, epochKey),
          wrappedPrevious: null,
        },
      ],
    };
    await store.keyring.save(keyring);
    stores[index] = store;
  }
  const bootstrap = running().flatMap(addressesOf);
  const node = new FullNode(
    { ledgerName: genesis.name, timeouts: FAST_TIMEOUTS },
    {
      store,
      createNetwork: ({ validator, blocks, cipher }) =>
        createNodeNetwork(
          {
            chainId,
            relays: relay.multiaddrs(),
            bootstrap,
            discovery: true,
            genesis: encodeGenesis(genesis),
          },
          { blocks, validator, cipher },
        ),
      signer: webCryptoSigner(keys[index] as SigningKey),
      verifier: cachingVerifier(webCryptoVerifier()),
      clock: systemClock,
      timers: systemTimers,
      boxKey: boxKeys[index] as BoxKey,
    },
  );
  await node.start();
  nodes[index] = node;
  return node;
}

async function stopMember(index: number): Promise<void> {
  await nodes[index]?.stop();
  nodes[index] = undefined;
}

function committed(node: FullNode, hash: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`${hash} not committed at height ${node.status.height}`));
    }, 20_000);
    const stop = node.subscribe((event: NodeEvent) => {
      if (
        event.type === 'activity' &&
        event.entry.hash === hash &&
        event.entry.status === 'committed'
      ) {
        clearTimeout(timer);
        stop();
        resolve(event.entry.height as number);
      }
    });
  });
}

async function write(node: FullNode, key: string): Promise<number> {
  const entry = await node.putRecord(key, 'members only');
  return committed(node, entry.hash);
}

/** A bare libp2p node that dials the members: what a stranger does with what it knows. */
async function bareNode(topicsOf: string): Promise<Libp2p & { services: { pubsub: GossipSub } }> {
  const node = await createNodeLibp2p({ chainIds: [topicsOf], listen: ['/ip4/127.0.0.1/tcp/0'] });
  await node.start();
  stops.push(async () => node.stop());
  for (const member of running()) await node.dial(network(member).node.getMultiaddrs()[0]!);
  return node as unknown as Libp2p & { services: { pubsub: GossipSub } };
}

beforeAll(async () => {
  relay = await startRelay({
    listen: ['/ip4/127.0.0.1/tcp/0/ws'],
    limits: { newConnectionsPerAddressPerS: 100 },
  });
  recordRelay(relay);
  keys = await newKeys(VALIDATORS + 2);
  boxKeys = await Promise.all(keys.map(() => generateBoxKey()));
  epochKey = newEpochKey();
  genesis = {
    ...makeGenesis(keys.slice(0, VALIDATORS), { time: Date.now() - 60_000 }),
    membership: {
      admission: 'two-thirds',
      members: keys.map((key, i) => ({
        publicKey: key.publicKey,
        boxKey: (boxKeys[i] as BoxKey).publicKey,
      })),
      keyHash: epochKeyHash(0, epochKey),
    },
  };
  chainId = chainIdOf(genesis);
  networkSecret = crypto.getRandomValues(new Uint8Array(32));
  networkId = networkIdOf(networkSecret);
  for (let index = 0; index < VALIDATORS + 2; index += 1) await startMember(index);
  await waitFor('a full mesh', () =>
    running().every(
      (node) =>
        network(node)
          .peers()
          .filter((p) => p.status !== null).length >=
        VALIDATORS + 1,
    ),
  );
  await write(nodes[0] as FullNode, 'first');
});

afterAll(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop().catch(() => undefined)));
  await Promise.all(running().map((node) => node.stop()));
  await relay?.stop();
});

describe('a private ledger on libp2p', () => {
  test('a stranger who knows the chain id finds no topic, message, sync or genesis', async () => {
    const stranger = await bareNode(chainId);
    const heard: string[] = [];
    stranger.services.pubsub.addEventListener('message', (event) => heard.push(event.detail.topic));
    for (const name of TOPIC_NAMES) stranger.services.pubsub.subscribe(topicString(chainId, name));
    // The ledger keeps committing meanwhile; its gossip goes to its own topics only.
    await write(nodes[1] as FullNode, 'while a stranger listens');
    await write(nodes[2] as FullNode, 'still');
    expect(heard.filter((topic) => topic !== DISCOVERY_TOPIC)).toEqual([]);

    for (const member of running()) {
      const peer = network(member).node.peerId;
      // Identify told it every protocol the member speaks: none names the chain.
      const protocols = (await stranger.peerStore.get(peer)).protocols;
      expect(protocols).toContain(syncProtocol(networkId));
      expect(protocols.filter((protocol) => protocol.includes(chainId))).toEqual([]);
      for (const protocol of [syncProtocol(chainId), genesisProtocol(chainId)]) {
        await expect(stranger.dialProtocol(peer, protocol)).rejects.toThrow();
      }
    }
  });

  test('a stranger told the networkId but not the key: rejected, penalised, served nothing', async () => {
    const wrongKey = inviteCipher({ networkSecret, epoch: 0, key: newEpochKey() });
    const members = running();
    const insider = await createNodeNetwork(
      { chainId, bootstrap: members.flatMap(addressesOf) },
      {
        blocks: {
          status: () => ({ chainId, height: 0, headHash: new Uint8Array(32) }),
          getBlocks: async () => [],
        },
        cipher: wrongKey,
      },
    );
    await insider.start();
    stops.push(() => insider.stop());
    await waitFor('the insider in the members’ mesh', () =>
      members.every((member) =>
        network(member)
          .node.services.pubsub.getSubscribers(topicString(networkId, 'tx'))
          .some((peer) => peer.toString() === insider.peerId),
      ),
    );

    // Write: a validly signed tx, sealed under a key that is not the ledger's, costs score.
    const [outsider] = await newKeys(1);
    const tx = await signTx(outsider as SigningKey, {
      chainId,
      nonce: 0,
      kind: 'put',
      body: { key: 'x', value: Uint8Array.of(1) },
    });
    await waitFor('every member to penalise the insider', () => {
      void insider.publish('tx', encodeTx(tx)).catch(() => undefined);
      return members.every((member) => network(member).gossipScore(insider.peerId) < 0);
    });
    for (const member of members) {
      expect(member.parts.network().validationStats().rejected['undecryptable']).toBeGreaterThan(0);
      expect(member.parts.mempool.size).toBe(0);
    }

    // Read: the members' gossip reaches it sealed and opens for none of it.
    await write(nodes[0] as FullNode, 'sealed for members');
    await waitFor('members’ gossip at the insider', () => {
      const stats = insider.validationStats();
      return (stats.rejected['undecryptable'] ?? 0) > 0;
    });
    expect(insider.validationStats().accepted).toBe(0);

    // Sync: a request it seals does not open at a member, which answers nothing at all.
    for (const member of members) {
      const connection = insider.node
        .getConnections()
        .find((c) => c.remotePeer.toString() === network(member).peerId);
      const stream = await connection!.newStream(syncProtocol(networkId));
      const session = new SyncClientStream(stream, undefined, wrongKey);
      // The member resets the stream before a single frame (not one the insider cannot open).
      const error = await session.exchangeStatus(statusZero()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as { reason?: string }).reason).not.toBe('undecryptable-frame');
      session.close();
    }
    const synced = await insider.syncRange(1, 1, { verify: async () => ({ ok: true }) });
    expect(synced.blocks).toBe(0);
  });

  test('the relay sees no chain id in any name, and no ledger message', async () => {
    await waitFor('the relay to hear the members’ subscriptions', () =>
      relaySaw.names.has(topicString(networkId, 'consensus')),
    );
    expect([...relaySaw.names].filter((name) => name.includes(chainId))).toEqual([]);
    expect(relaySaw.names).toContain(syncProtocol(networkId));
    expect(relaySaw.names).toContain(genesisProtocol(networkId));
    // Only discovery announcements pass it (its gossip carries no ledger topic), and none of
    // them names the chain.
    expect(relaySaw.messages.length).toBeGreaterThan(0);
    expect(relaySaw.messages.filter((m) => m.topic !== DISCOVERY_TOPIC)).toEqual([]);
    expect(relaySaw.messages.filter((m) => holdsChainId(m.data))).toEqual([]);
  });

  test('a joining device with the invite gets the genesis through the relay, sealed', async () => {
    const access = { networkSecret, epoch: 0, key: epochKey };
    const bytes = await fetchGenesisFromNodePeers({
      chainId,
      relays: relay.multiaddrs(),
      cipher: inviteCipher(access),
      accept: (candidate) => {
        try {
          return chainIdOf(decodeGenesis(candidate)) === chainId;
        } catch {
          return false;
        }
      },
      signal: AbortSignal.timeout(20_000),
    });
    expect(bytes).toEqual(encodeGenesis(genesis));
  });

  test('a removed member cannot sync past its removal and its gossip is ignored; one away catches up', async () => {
    const [v0, v1, v2] = nodes as [FullNode, FullNode, FullNode];
    const removed = nodes[REMOVED] as FullNode;
    const removedAddress = addressOfKey(keys[REMOVED] as SigningKey);
    await stopMember(AWAY);

    const proposal = await v0.removeMember(removedAddress, null);
    await committed(v0, proposal.hash);
    const proposalId = v0.members().find((m) => m.address === removedAddress)?.removal
      ?.proposalId as string;
    await waitFor('the proposal everywhere', () =>
      [v1, v2].every((v) => v.members().find((m) => m.address === removedAddress)?.removal),
    );
    await Promise.all([v1, v2].map((v) => v.removeMember(removedAddress, proposalId)));
    await waitFor('the key rotation', () => v0.state.access?.epoch === 1, 30_000);
    // The rotation's block is the last of epoch 0 (epoch 1 starts at the height after it).
    let rotationHeight = NaN;
    const deadline = Date.now() + 20_000;
    while (Number.isNaN(rotationHeight) && Date.now() < deadline) {
      const fromHeight = (await keyringOf(0)).epochs.find((e) => e.epoch === 1)?.fromHeight;
      if (typeof fromHeight === 'number') rotationHeight = fromHeight - 1;
      else await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await waitFor('the removed standing', () => removed.status.access?.standing === 'removed');

    // The others keep committing under the new key.
    const after = await write(v1, 'after the removal');
    expect(after).toBeGreaterThan(rotationHeight);
    expect(removed.status.height).toBe(rotationHeight);

    // Sync past h: every honest member stops at the end of the removed one's epoch.
    const removedNetwork = network(removed);
    const removedKeyring = await keyringOf(REMOVED);
    for (const server of [v0, v1, v2]) {
      const connection = removedNetwork.node
        .getConnections()
        .find((c) => c.remotePeer.toString() === network(server).peerId && c.limits == null);
      const stream = await connection!.newStream(syncProtocol(networkId));
      const session = new SyncClientStream(stream, undefined, removedKeyring);
      await expect(session.fetch(rotationHeight + 1, after)).rejects.toBeInstanceOf(
        SyncEpochAheadError,
      );
      session.close();
    }
    const synced = await removedNetwork.syncRange(rotationHeight + 1, after, {
      verify: async () => ({ ok: true }),
    });
    expect(synced).toMatchObject({ blocks: 0, failures: [] });
    // Nobody's fault: no honest server is penalised for it.
    expect(removedNetwork.syncPeerReport().filter((peer) => peer.penalty !== null)).toEqual([]);

    // Its gossip, sealed under the key of the epoch it was removed in, is ignored.
    const tx = await signTx(keys[REMOVED] as SigningKey, {
      chainId,
      nonce: 5,
      kind: 'put',
      body: { key: 'late', value: Uint8Array.of(1) },
    });
    await waitFor('its gossip ignored as stale', () => {
      void removedNetwork.publish('tx', encodeTx(tx)).catch(() => undefined);
      return [v0, v1, v2].every(
        (v) => (v.parts.network().validationStats().ignored['stale-epoch'] ?? 0) > 0,
      );
    });
    for (const v of [v0, v1, v2]) {
      expect(network(v).gossipScore(removedNetwork.peerId)).toBeGreaterThanOrEqual(0);
    }

    // The member that was away reads its way across the rotation over libp2p.
    const back = await startMember(AWAY);
    await waitFor(
      'the returning member to catch up',
      () => back.status.height >= after && back.status.access?.epoch === 1,
      30_000,
    );
    expect(back.status.access).toMatchObject({ standing: 'member', epoch: 1 });
    await write(back, 'back');
  });
});

/** A keyring in memory holding the keys of epochs 0..newest (epoch e from height 10e + 1). */
function keyringUpTo(secret: Uint8Array, keysByEpoch: Uint8Array[], newest: number): Keyring {
  return Keyring.inMemory({
    networkSecret: secret,
    epochs: keysByEpoch.slice(0, newest + 1).map((key, epoch) => ({
      epoch,
      key,
      fromHeight: epoch === 0 ? 0 : 10 * epoch + 1,
      keyHash: epochKeyHash(epoch, key),
      wrappedPrevious: null,
    })),
  });
}

/** A member's keyring as its store holds it (the node's own is not exposed). */
async function keyringOf(index: number): Promise<Keyring> {
  return (await Keyring.open({
    store: (stores[index] as LedgerStore).keyring,
    chainId,
    address: addressOfKey(keys[index] as SigningKey),
    boxKey: null,
  })) as Keyring;
}

function statusZero() {
  return { chainId, height: 0, headHash: new Uint8Array(32) };
}

test('gossip from a later key epoch makes a node that missed the rotation ask for statuses', async () => {
  const secret = crypto.getRandomValues(new Uint8Array(32));
  const epochKeys = [newEpochKey(), newEpochKey()];
  const chain = syntheticChain(12);
  const ahead = [...chain.slice(0, 10)];
  const aheadNetwork = await createNodeNetwork(
    { chainId: CHAIN_ID },
    { blocks: arraySource(CHAIN_ID, ahead), cipher: keyringUpTo(secret, epochKeys, 1) },
  );
  await aheadNetwork.start();
  stops.push(() => aheadNetwork.stop());
  const behind = await createNodeNetwork(
    { chainId: CHAIN_ID, bootstrap: aheadNetwork.node.getMultiaddrs().map(String) },
    {
      blocks: arraySource(CHAIN_ID, chain.slice(0, 10)),
      cipher: keyringUpTo(secret, epochKeys, 0),
    },
  );
  const heights: number[] = [];
  behind.onPeerEvent((event) => {
    if (event.type === 'status') heights.push(event.status.height);
  });
  await behind.start();
  stops.push(() => behind.stop());
  await waitFor('the first status exchange', () => heights.includes(10));
  await waitForTopicPeers(networkIdOf(secret), [aheadNetwork, behind]);

  // The peer commits the rotation block and more, and gossips under the new epoch's key.
  ahead.push(...chain.slice(10));
  await waitFor('a status asked again', () => {
    void aheadNetwork.publish('commit', Uint8Array.of(1)).catch(() => undefined);
    return heights.includes(12);
  });
  expect(behind.validationStats().ignored['future-epoch']).toBeGreaterThan(0);
});
