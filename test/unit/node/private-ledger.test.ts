// A private ledger end to end in one process: the shipped node with real WebCrypto (Ed25519,
// X25519, AES-GCM), the in-memory store and network (whose gossip and sync frames are sealed as
// on libp2p; the libp2p suite checks names and the relay). What the issue asks of it: a peer
// that knows the chain id but not the secret can neither read nor write; a member removed at
// height h cannot read blocks after h and its writes are refused while the others commit; a
// member that was offline across the rotation catches up.
import { afterEach, describe, expect, test } from 'vitest';
import { encodeEnvelope } from '../../../src/lib/net/envelope';
import { encodeTx, encodeValue } from '../../../src/lib/core/encoding';
import { genesisState } from '../../../src/lib/core/genesis';
import { addressOf, chainIdOf } from '../../../src/lib/core/hash';
import { epochKeyHash } from '../../../src/lib/core/membership';
import type { Genesis } from '../../../src/lib/core/types';
import { generateBoxKey, newEpochKey, type BoxKey } from '../../../src/lib/crypto/box';
import { cachingVerifier, webCryptoSigner, webCryptoVerifier } from '../../../src/lib/crypto/index';
import { MemoryHub, MemoryNetwork } from '../../../src/lib/net/memory-network';
import { systemClock, systemTimers } from '../../../src/lib/node/clock';
import { FullNode, TxRejectedError } from '../../../src/lib/node/full-node';
import { Keyring } from '../../../src/lib/node/keyring';
import { createMemoryLedgerStore } from '../../../src/lib/store/memory-ledger-store';
import type { LedgerStore, StoredKeyring } from '../../../src/lib/store/types';
import {
  addressOfKey,
  makeGenesis,
  newKeys,
  signTx,
  type SigningKey,
} from '../../support/fixtures';
import { FAST_TIMEOUTS, committedAt, until, waitFor } from '../../support/node-events';

const VALIDATORS = 4;
const running: FullNode[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((node) => node.stop()));
});

interface PrivateCluster {
  hub: MemoryHub;
  genesis: Genesis;
  chainId: string;
  keys: SigningKey[];
  stores: LedgerStore[];
  nodes: FullNode[];
  start(index: number): Promise<FullNode>;
}

/** Four validators and `members` more members; the network secret and epoch-0 key shared. */
async function privateCluster(members: number): Promise<PrivateCluster> {
  const keys = await newKeys(VALIDATORS + members);
  const boxKeys: BoxKey[] = await Promise.all(keys.map(() => generateBoxKey()));
  const epochKey = newEpochKey();
  const genesis: Genesis = {
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
  const chainId = chainIdOf(genesis);
  const keyring: StoredKeyring = {
    networkSecret: crypto.getRandomValues(new Uint8Array(32)),
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
  const hub = new MemoryHub();
  const stores: LedgerStore[] = [];
  const nodes: FullNode[] = [];
  return {
    hub,
    genesis,
    chainId,
    keys,
    stores,
    nodes,
    async start(index) {
      let store = stores[index];
      if (!store) {
        store = createMemoryLedgerStore(chainId);
        await store.initialize(genesis, genesisState(genesis));
        await store.keyring.save(structuredClone(keyring));
        stores[index] = store;
      }
      const node = new FullNode(
        { ledgerName: genesis.name, timeouts: FAST_TIMEOUTS },
        {
          store,
          createNetwork: ({ validator, blocks, cipher }) =>
            new MemoryNetwork(`peer-${index}`, chainId, { hub, blocks, validator, cipher }),
          signer: webCryptoSigner(keys[index] as SigningKey),
          verifier: cachingVerifier(webCryptoVerifier()),
          clock: systemClock,
          timers: systemTimers,
          boxKey: boxKeys[index] as BoxKey,
        },
      );
      await node.start();
      hub.linkAll();
      running.push(node);
      nodes[index] = node;
      return node;
    },
  };
}

describe('private ledger', () => {
  test('a stranger who knows the chain id can neither read nor write', async () => {
    const cluster = await privateCluster(0);
    const nodes = await Promise.all([0, 1, 2, 3].map((i) => cluster.start(i)));
    const stranger = new MemoryNetwork('stranger', cluster.chainId, {
      hub: cluster.hub,
      blocks: {
        getBlocks: async () => [],
        status: () => ({ chainId: cluster.chainId, height: 0, headHash: new Uint8Array(32) }),
      },
    });
    await stranger.start();
    cluster.hub.linkAll();
    const first = await (nodes[0] as FullNode).putRecord('note', 'members only');
    await waitFor(nodes[0] as FullNode, committedAt(first.hash));

    // Write: a well-formed, signed tx in a plain envelope does not open, so it is dropped before
    // anything is decoded, and costs the stranger score.
    const [outsider] = await newKeys(1);
    const tx = await signTx(outsider as SigningKey, {
      chainId: cluster.chainId,
      nonce: 0,
      kind: 'put',
      body: { key: 'x', value: Uint8Array.of(1) },
    });
    await stranger.publishRaw('tx', encodeEnvelope('tx', cluster.chainId, encodeTx(tx)));
    await until(
      () =>
        nodes.every((node) => (node.parts.network() as MemoryNetwork).gossipScore('stranger') < 0),
      'every node to penalise the stranger',
    );
    for (const node of nodes) {
      const stats = node.parts.network().validationStats();
      expect(stats.rejected['undecryptable']).toBeGreaterThanOrEqual(1);
      expect(node.parts.mempool.size).toBe(0);
    }

    // Read: every node's sync frames are sealed; the stranger cannot open a single block.
    const result = await stranger.syncRange(1, 1, { verify: async () => ({ ok: true }) });
    expect(result.blocks).toBe(0);
    expect(result.failures.length).toBeGreaterThan(0);
    await stranger.stop();
  });

  test('a removed member cannot read past its removal nor write; an offline one catches up', async () => {
    const cluster = await privateCluster(2);
    const [removedIndex, awayIndex] = [VALIDATORS, VALIDATORS + 1];
    const nodes = await Promise.all(
      [0, 1, 2, 3, removedIndex, awayIndex].map((i) => cluster.start(i)),
    );
    const [v0, v1, v2, v3] = nodes as [FullNode, FullNode, FullNode, FullNode];
    const removed = nodes[removedIndex] as FullNode;
    const away = nodes[awayIndex] as FullNode;
    const removedAddress = addressOfKey(cluster.keys[removedIndex] as SigningKey);

    // A member writes.
    const write = await removed.putRecord('mine', 'before');
    await waitFor(removed, committedAt(write.hash));
    expect(removed.status.access).toMatchObject({ standing: 'member', epoch: 0, members: 6 });

    // One member goes offline before the removal.
    await away.stop();

    // More than two thirds remove the other: a proposal, then two approvals.
    const proposal = await v0.removeMember(removedAddress, null);
    await waitFor(v0, committedAt(proposal.hash));
    const proposalId = v0.members().find((m) => m.address === removedAddress)?.removal
      ?.proposalId as string;
    expect(proposalId).toBeTruthy();
    // v1 commits the proposal's block a moment after v0 (under load, after this line ran).
    await until(
      () => v1.members().some((m) => m.address === removedAddress && m.removal),
      'the proposal at v1',
    );
    await expect(v1.removeMember(removedAddress, null)).rejects.toThrow(TxRejectedError);
    await v1.removeMember(removedAddress, proposalId);
    await v2.removeMember(removedAddress, proposalId);

    // The rotation follows by itself, sealed to the five that stay.
    await until(() => v3.state.access?.epoch === 1, 'the key rotation');
    const rotationHeight = v3.state.height;
    expect(v3.members().map((m) => m.address)).not.toContain(removedAddress);
    expect(v3.members()).toHaveLength(5);

    // The removed device learned the rotation block (its epoch) and found no key for itself.
    await until(() => removed.status.access?.standing === 'removed', 'the removed standing');
    const stuckAt = removed.status.height;
    expect(stuckAt).toBeLessThanOrEqual(rotationHeight);

    // The others keep committing, and under the new key.
    for (let i = 0; i < 3; i++) {
      const entry = await v1.putRecord(`after-${i}`, 'secret');
      await waitFor(v1, committedAt(entry.hash));
    }
    expect(v1.status.height).toBeGreaterThan(rotationHeight);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(removed.status.height).toBe(stuckAt);

    // It cannot write: its node refuses before signing, and the ledger would refuse the tx.
    await expect(removed.putRecord('mine', 'after')).rejects.toMatchObject({
      code: 'not-a-member',
    });

    // It cannot decrypt blocks after the removal: the server stops at its epoch, and frames of
    // the new epoch do not open under its key.
    const server = (await Keyring.open({
      store: (cluster.stores[0] as LedgerStore).keyring,
      chainId: cluster.chainId,
      address: addressOf((cluster.keys[0] as SigningKey).publicKey),
      boxKey: null,
    })) as Keyring;
    const mine = (await Keyring.open({
      store: (cluster.stores[removedIndex] as LedgerStore).keyring,
      chainId: cluster.chainId,
      address: removedAddress,
      boxKey: null,
    })) as Keyring;
    expect(mine.readerEpoch()).toBe(0);
    const frame = encodeValue(['a block after the removal']);
    expect(await server.sealFrame(frame, rotationHeight + 1, mine.readerEpoch())).toBeNull();
    const underNewKey = (await server.sealFrame(frame, rotationHeight + 1, 1)) as Uint8Array;
    expect(await mine.openFrame(underNewKey)).toBeNull();

    // The member that was away comes back and reads its way across the rotation.
    const back = await cluster.start(awayIndex);
    await until(() => back.status.height >= v1.status.height, 'the returning member to catch up');
    expect(back.status.access).toMatchObject({ standing: 'member', epoch: 1 });
    const again = await back.putRecord('back', 'hello');
    await waitFor(back, committedAt(again.hash));
  });

  test('a lost validator: the others take its votes away, then remove it as a member', async () => {
    const cluster = await privateCluster(0);
    // v3 is lost (never online): 30 of 40 votes still commit.
    const [v0, v1, v2] = (await Promise.all([0, 1, 2].map((i) => cluster.start(i)))) as [
      FullNode,
      FullNode,
      FullNode,
    ];
    const lost = addressOfKey(cluster.keys[3] as SigningKey);
    const votesOf = (node: FullNode) =>
      node.state.validators.validators.find((v) => v.address === lost)?.power ?? 0;
    await expect(v0.removeMember(lost, null)).rejects.toMatchObject({ code: 'is-a-validator' });

    const proposal = await v0.removeValidator(lost, null);
    await waitFor(v0, committedAt(proposal.hash));
    const shown = (await v0.validators()).find((v) => v.address === lost)?.removal;
    expect(shown).toMatchObject({ proposer: v0.address, approvedPower: 10, totalPower: 40 });
    const proposalId = shown?.proposalId as string;
    // v1 and v2 commit the proposal's block a moment after v0 (under load, after this line).
    await until(
      () =>
        [v1, v2].every((node) =>
          [...node.state.proposals.values()].some((p) => p.kind === 'validator'),
        ),
      'the proposal at v1 and v2',
    );
    // What v1 is asked to approve is the open proposal; a second one is refused.
    await expect(v1.removeValidator(lost, null)).rejects.toMatchObject({
      code: 'request-changed',
    });
    await v1.removeValidator(lost, proposalId);
    await v2.removeValidator(lost, proposalId);
    await until(() => votesOf(v0) === 0 && votesOf(v2) === 0, 'the votes taken away');
    expect(v0.state.validators.totalPower).toBe(30);
    expect(v0.members().find((m) => m.address === lost)).toMatchObject({ validator: false });

    // Now it is a member only, and can be removed as one.
    const removal = await v0.removeMember(lost, null);
    await waitFor(v0, committedAt(removal.hash));
    const entry = await v1.putRecord('after', 'still committing');
    await waitFor(v1, committedAt(entry.hash));
  });
});
