// The full node end to end in one process: real Ed25519 (WebCrypto), real core, engine,
// mempool and signer guard, the in-memory store and network (their real counterparts have
// their own conformance suites; the browser e2e runs this same node over IndexedDB + WebRTC).
import { afterEach, describe, expect, test, vi } from 'vitest';
import { genesisState } from '../../../src/lib/core/genesis';
import { chainIdOf, toHex } from '../../../src/lib/core/hash';
import { cachingVerifier, webCryptoSigner, webCryptoVerifier } from '../../../src/lib/crypto/index';
import { MemoryHub, MemoryNetwork } from '../../../src/lib/net/memory-network';
import { systemClock, systemTimers } from '../../../src/lib/node/clock';
import { FullNode, TxRejectedError } from '../../../src/lib/node/full-node';
import type { SignerStateStore } from '../../../src/lib/consensus/types';
import { decodeVote } from '../../../src/lib/core/encoding';
import type { Vote } from '../../../src/lib/core/types';
import {
  createMemoryLedgerStore,
  type MemoryLedgerStore,
} from '../../../src/lib/store/memory-ledger-store';
import { addressOfKey, makeGenesis, newKeys, type SigningKey } from '../../support/fixtures';
import { FAST_TIMEOUTS, committedAt, until, waitFor } from '../../support/node-events';

// Short timeouts: every node runs in this process on the same event loop.
const running: FullNode[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((node) => node.stop()));
});

interface Cluster {
  hub: MemoryHub;
  nodes: FullNode[];
  keys: SigningKey[];
  stores: MemoryLedgerStore[];
  /** Start validator `index`; a restart (after stop) keeps its store, as a reopened tab does. */
  start(index: number): Promise<FullNode>;
}

async function cluster(validatorCount: number, extraKeys = 0): Promise<Cluster> {
  const keys = await newKeys(validatorCount + extraKeys);
  const genesis = makeGenesis(keys.slice(0, validatorCount), {
    balances: keys.map((key) => ({ address: addressOfKey(key), amount: 1_000 })),
    time: Date.now() - 60_000,
  });
  const chainId = chainIdOf(genesis);
  const hub = new MemoryHub();
  const nodes: FullNode[] = [];
  const stores: MemoryLedgerStore[] = [];
  const result: Cluster = {
    hub,
    nodes,
    keys,
    stores,
    async start(index) {
      let store = stores[index];
      if (!store) {
        store = createMemoryLedgerStore(chainId);
        await store.initialize(genesis, genesisState(genesis));
        stores[index] = store;
      }
      const key = keys[index] as SigningKey;
      const node = new FullNode(
        { ledgerName: genesis.name, timeouts: FAST_TIMEOUTS },
        {
          store,
          createNetwork: ({ validator, blocks }) =>
            new MemoryNetwork(`peer-${index}`, chainId, { hub, blocks, validator }),
          signer: webCryptoSigner(key),
          // As the browser composition root does (src/lib/node/device.ts).
          verifier: cachingVerifier(webCryptoVerifier()),
          clock: systemClock,
          timers: systemTimers,
        },
      );
      await node.start();
      hub.linkAll();
      running.push(node);
      nodes[index] = node;
      return node;
    },
  };
  return result;
}

const reachesHeight = (node: FullNode, height: number) =>
  node.status.height >= height
    ? Promise.resolve(node.status.height)
    : waitFor(node, (event) =>
        event.type === 'block' && event.block.height >= height ? event.block.height : undefined,
      );

describe('full node', () => {
  test('a single-validator ledger commits a transfer on its own', async () => {
    const { start, keys } = await cluster(1, 1);
    const node = await start(0);
    const recipient = addressOfKey(keys[1] as SigningKey);
    const activity = await node.transfer(recipient, 25);
    expect(activity.status).toBe('pending');
    const height = await waitFor(node, committedAt(activity.hash));
    expect(height).toBe(1);
    expect((await node.account(recipient))?.balance).toBe(1_025);
    const [entry] = await node.activity();
    expect(entry).toMatchObject({ hash: activity.hash, status: 'committed', height: 1 });
  });

  test('four validators commit the same block and state for a transfer', async () => {
    const { start, keys } = await cluster(4);
    const nodes = await Promise.all([0, 1, 2, 3].map((i) => start(i)));
    const recipient = addressOfKey(keys[0] as SigningKey);
    const activity = await (nodes[1] as FullNode).transfer(recipient, 7);
    await Promise.all(
      nodes.map((node) =>
        waitFor(node, (event) =>
          event.type === 'block' && event.block.txCount > 0 ? event.block.height : undefined,
        ),
      ),
    );
    await Promise.all(nodes.map((node) => node.settled()));
    const height = (nodes[1] as FullNode).status.height;
    const views = await Promise.all(nodes.map((node) => node.block(height)));
    const hashes = new Set(views.map((view) => view?.hash));
    expect(hashes.size).toBe(1);
    const roots = new Set(nodes.map((node) => toHex(node.state.stateRoot)));
    expect(roots.size).toBe(1);
    expect(views[0]?.txs.map((tx) => tx.hash)).toContain(activity.hash);
    for (const node of nodes) expect((await node.account(recipient))?.balance).toBe(1_007);
    // Each names the others' devices in its peer list (their statuses' signed claims).
    const addresses = keys.map((key) => addressOfKey(key));
    await until(
      () =>
        nodes.every((node, i) =>
          addresses
            .filter((_, j) => j !== i)
            .every((address) => node.peers().some((peer) => peer.address === address)),
        ),
      'every peer named by its device',
    );
  });

  test('a node that starts late catches up by range sync and then follows consensus', async () => {
    const { start, keys } = await cluster(3, 1);
    const nodes = await Promise.all([0, 1, 2].map((i) => start(i)));
    const sender = nodes[0] as FullNode;
    for (let i = 0; i < 3; i++) {
      const activity = await sender.transfer(addressOfKey(keys[3] as SigningKey), 1);
      await waitFor(sender, committedAt(activity.hash));
    }
    const observer = await start(3);
    await reachesHeight(observer, sender.status.height);
    // The role shows 'catching-up' until the range sync returns, then 'observer'.
    const role =
      observer.status.role === 'catching-up'
        ? await waitFor(observer, (event) =>
            event.type === 'status' && event.status.role !== 'catching-up'
              ? event.status.role
              : undefined,
          )
        : observer.status.role;
    expect(role).toBe('observer');
    const later = await sender.transfer(addressOfKey(keys[3] as SigningKey), 1);
    const height = await waitFor(sender, committedAt(later.hash));
    await reachesHeight(observer, height as number);
    expect(toHex(observer.state.stateRoot)).toBe(toHex(sender.state.stateRoot));
    expect((await observer.account(addressOfKey(keys[3] as SigningKey)))?.balance).toBe(1_004);
  });

  test('only the proposer gossips a decided block, and an observer follows on it', async () => {
    const published = vi.spyOn(MemoryNetwork.prototype, 'publish');
    const { start, keys } = await cluster(3, 1);
    const nodes = await Promise.all([0, 1, 2, 3].map((i) => start(i)));
    const sender = nodes[0] as FullNode;
    const observer = nodes[3] as FullNode;
    let height = 0;
    for (let i = 0; i < 3; i++) {
      const activity = await sender.transfer(addressOfKey(keys[3] as SigningKey), 1);
      height = (await waitFor(sender, committedAt(activity.hash))) as number;
    }
    await Promise.all(nodes.map((node) => reachesHeight(node, height)));
    await Promise.all(nodes.map((node) => node.settled()));
    const decided = published.mock.calls.filter(([type]) => type === 'commit');
    published.mockRestore();
    expect(decided.length).toBe(height);
    expect(observer.status.role).toBe('observer');
    expect(toHex(observer.state.stateRoot)).toBe(toHex(sender.state.stateRoot));
  });

  test('a validator offline keeps its transfer pending, then catches up and commits it', async () => {
    const { start, keys, hub } = await cluster(4);
    const nodes = await Promise.all([0, 1, 2, 3].map((i) => start(i)));
    const [first, , , away] = nodes as [FullNode, FullNode, FullNode, FullNode];
    await away.setOnline(false);
    expect(away.status.online).toBe(false);
    expect(away.peers()).toEqual([]);

    // Three of four equal validators are more than 2/3: the others keep committing.
    const meanwhile = await first.transfer(addressOfKey(keys[1] as SigningKey), 5);
    const heightWhileAway = await waitFor(first, committedAt(meanwhile.hash));
    const offlineTransfer = await away.transfer(addressOfKey(keys[2] as SigningKey), 7);
    expect(offlineTransfer.status).toBe('pending');
    expect(away.status.height).toBeLessThan(heightWhileAway as number);

    await away.setOnline(true);
    hub.linkAll();
    const committed = await waitFor(away, committedAt(offlineTransfer.hash), 30_000);
    await reachesHeight(first, committed as number);
    expect((await first.block(committed as number))?.hash).toBe(
      (await away.block(committed as number))?.hash,
    );
    expect((await first.account(addressOfKey(keys[2] as SigningKey)))?.balance).toBe(1_007);
    expect(away.status.online).toBe(true);
  });

  test('a restarted validator re-publishes the votes it signed before, unchanged', async () => {
    // Two equal validators: either alone is short of a quorum, so node 0 signs and waits.
    const { start, stores, hub, keys } = await cluster(2);
    const before = await start(0);
    await before.transfer(addressOfKey(keys[1] as SigningKey), 1); // work, so a round starts
    const signer = stores[0]?.signerState as SignerStateStore;
    const logged = await vi.waitUntil(async () => ((await signer.load())?.votes ?? [])[0], {
      timeout: 10_000,
    });
    await before.stop();

    const heard: Vote[] = [];
    const listener = new MemoryNetwork('listener', before.status.chainId, {
      hub,
      blocks: {
        status: () => ({ chainId: before.status.chainId, height: 0, headHash: new Uint8Array(32) }),
        getBlocks: async () => [],
      },
      validator: async () => ({ result: 'accept' }),
    });
    listener.subscribe('vote', (message) => void heard.push(decodeVote(message.payload)));
    await listener.start();
    await start(0);
    hub.linkAll();
    // The replayed vote is the logged one itself (same timestamp and signature), not a re-sign.
    await vi.waitUntil(
      () => heard.find((vote) => toHex(vote.signature) === toHex(logged.signature)),
      { timeout: 10_000 },
    );
    expect(heard.some((vote) => vote.validator === addressOfKey(keys[0] as SigningKey))).toBe(true);
    await listener.stop();
  });

  test('join requests arrive as events and leave when the device becomes a validator', async () => {
    const { start, keys } = await cluster(1, 1);
    const validator = await start(0);
    const asked = waitFor(validator, (event) =>
      event.type === 'join-requests' && event.requests.length > 0 ? event.requests : undefined,
    );
    await (await start(1)).requestToJoin('phone');
    const [request] = await asked;
    expect(request).toMatchObject({ label: 'phone', address: addressOfKey(keys[1] as SigningKey) });
    const settled = waitFor(validator, (event) =>
      event.type === 'join-requests' && event.requests.length === 0 ? true : undefined,
    );
    expect(request).toMatchObject({ proposalId: null, power: 10, shareAfter: 0.5 });
    const approval = await validator.approveJoin(request?.publicKey as string, null);
    const approvedAt = await waitFor(validator, committedAt(approval.hash));
    // The change joins the signing set two heights later; with no heartbeat and no transaction
    // waiting, the pending change itself is the work that gets the next block proposed.
    await settled;
    expect(validator.state.height).toBe((approvedAt as number) + 1);
    expect(validator.joinRequests()).toEqual([]);
    expect((await validator.validators()).length).toBe(2);
  });

  test('transfers sent at once get consecutive nonces and all commit', async () => {
    const { start, keys } = await cluster(1, 1);
    const node = await start(0);
    const to = addressOfKey(keys[1] as SigningKey);
    const sent = await Promise.all([1, 2, 3, 4, 5].map((amount) => node.transfer(to, amount)));
    expect(sent.map((entry) => entry.nonce)).toEqual([0, 1, 2, 3, 4]);
    await vi.waitUntil(
      async () => (await node.activity()).every((entry) => entry.status === 'committed'),
      { timeout: 10_000 },
    );
    expect((await node.account(to))?.balance).toBe(1_015);
  });

  test('quick submits share one outbox write; a refused one takes no nonce', async () => {
    const { start, keys, stores } = await cluster(1, 1);
    const node = await start(0);
    const store = stores[0] as MemoryLedgerStore;
    const writes: number[] = [];
    const add = store.addToOutbox.bind(store);
    store.addToOutbox = (txs, addedMs) => {
      writes.push(txs.length);
      return add(txs, addedMs);
    };
    const to = addressOfKey(keys[1] as SigningKey);
    const sent = await Promise.allSettled(
      [1, 2, 0, 3, 4].map((amount) => node.transfer(to, amount)),
    );
    const refused = sent[2];
    expect(refused?.status === 'rejected' && refused.reason).toBeInstanceOf(TxRejectedError);
    const nonces = sent.map((s) => (s.status === 'fulfilled' ? s.value.nonce : null));
    expect(nonces).toEqual([0, 1, null, 2, 3]);
    // The first submit goes alone; the others arrive while it is stored and go together.
    expect(writes).toEqual([1, 3]);
    await vi.waitUntil(
      async () => (await node.activity()).every((entry) => entry.status === 'committed'),
      { timeout: 10_000 },
    );
    expect((await node.account(to))?.balance).toBe(1_010);
  });

  test('an invalid transaction is refused with its code and nothing is queued', async () => {
    const { start, keys } = await cluster(1, 1);
    const node = await start(0);
    await expect(node.transfer(addressOfKey(keys[1] as SigningKey), 0)).rejects.toBeInstanceOf(
      TxRejectedError,
    );
    expect(await node.activity()).toEqual([]);
  });
});
