// The private-ledger flow a person goes through, over the shipped node (real WebCrypto Ed25519
// and X25519, memory stores and network, sealed as on libp2p): a ledger is created private on
// one device (device-ledgers.ts, as both roots do), its invite link carries the key, a second
// device joins with it and reads, asks to join with its name and X25519 key, is admitted as a
// member by one approval and then writes; becoming a validator is a separate request and a
// separate approval. Stale approvals and devices without a key are refused in words.
import { afterEach, describe, expect, test } from 'vitest';
import { genesisState } from '../../../src/lib/core/genesis';
import { generateBoxKey, type BoxKey } from '../../../src/lib/crypto/box';
import { cachingVerifier, webCryptoSigner, webCryptoVerifier } from '../../../src/lib/crypto/index';
import { MemoryHub, MemoryNetwork } from '../../../src/lib/net/memory-network';
import type { JoinRequest } from '../../../src/lib/node/api';
import { systemClock, systemTimers } from '../../../src/lib/node/clock';
import {
  createLedger,
  deviceBoxKeyOf,
  joinLedger,
  ledgerEntry,
  type DeviceLedgers,
} from '../../../src/lib/node/device-ledgers';
import { FullNode } from '../../../src/lib/node/full-node';
import { InviteUnavailableError } from '../../../src/lib/node/private-ledger';
import { MemoryDeviceStore } from '../../../src/lib/store/memory-device-store';
import {
  createMemoryLedgerStore,
  MemoryLedgerDatabase,
} from '../../../src/lib/store/memory-ledger-store';
import { addressOfKey, newKeys, type SigningKey } from '../../support/fixtures';
import { FAST_TIMEOUTS, committedAt, until, waitFor } from '../../support/node-events';

const running: FullNode[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((node) => node.stop()));
});

interface Device extends DeviceLedgers {
  key: SigningKey;
  databases: Map<string, MemoryLedgerDatabase>;
}

async function newDevice(): Promise<Device> {
  const [key] = await newKeys(1);
  const databases = new Map<string, MemoryLedgerDatabase>();
  return {
    key: key as SigningKey,
    databases,
    store: new MemoryDeviceStore(),
    openLedgerStore: async (chainId) => {
      let db = databases.get(chainId);
      if (!db) databases.set(chainId, (db = new MemoryLedgerDatabase(chainId)));
      return createMemoryLedgerStore(chainId, db);
    },
    nowMs: () => Date.now() - 60_000,
    randomBytes: (length) => crypto.getRandomValues(new Uint8Array(length)),
    newBoxKey: generateBoxKey,
  };
}

/** The node of `device` for `chainId`, started on `hub`, as a composition root builds it. */
async function openNode(
  hub: MemoryHub,
  device: Device,
  chainId: string,
  boxKey: BoxKey | null,
): Promise<FullNode> {
  const entry = await ledgerEntry(device.store, chainId);
  const node = new FullNode(
    { ledgerName: entry.name, timeouts: FAST_TIMEOUTS },
    {
      store: await device.openLedgerStore(chainId),
      createNetwork: ({ validator, blocks, cipher }) =>
        new MemoryNetwork(addressOfKey(device.key), chainId, { hub, blocks, validator, cipher }),
      signer: webCryptoSigner(device.key),
      verifier: cachingVerifier(webCryptoVerifier()),
      clock: systemClock,
      timers: systemTimers,
      boxKey,
    },
  );
  await node.start();
  hub.linkAll();
  running.push(node);
  return node;
}

describe('joining a private ledger', () => {
  test('invite, read, ask, admit as a member, write; a validator only on its own request', async () => {
    const hub = new MemoryHub();
    const anna = await newDevice();
    const chainId = await createLedger(anna, anna.key.publicKey, { name: 'Ours', balances: [] });
    const annaNode = await openNode(hub, anna, chainId, await deviceBoxKeyOf(anna));
    expect(annaNode.status.access).toMatchObject({
      standing: 'member',
      admission: 'any-validator',
    });
    const note = await annaNode.putRecord('note', 'members only');
    await waitFor(annaNode, committedAt(note.hash));

    // The link carries the key; the short one's genesis comes from a device of the ledger.
    const link = annaNode.inviteLink('https://app.example.org');
    const { genesis } = await ledgerEntry(anna.store, chainId);
    const phone = await newDevice();
    await joinLedger(phone, link, async (invite) => {
      expect(invite.access?.epoch).toBe(0);
      return genesis;
    });
    const phoneBox = await deviceBoxKeyOf(phone);
    const phoneNode = await openNode(hub, phone, chainId, phoneBox);

    // It reads (its key opens the sealed sync), but it may not write yet.
    await until(() => phoneNode.status.height >= annaNode.status.height, 'the phone to sync');
    expect(await phoneNode.records('')).toMatchObject([{ key: 'note', value: 'members only' }]);
    expect(phoneNode.status.access?.standing).toBe('invited');
    await expect(phoneNode.putRecord('mine', 'too early')).rejects.toMatchObject({
      code: 'not-a-member',
    });

    // It asks with its name and its X25519 key; the validator sees what approving grants.
    await phoneNode.requestToJoin("Anna's phone");
    const [request] = await waitFor(annaNode, (event) =>
      event.type === 'join-requests' && event.requests.length > 0 ? event.requests : undefined,
    );
    expect(request).toMatchObject({
      label: "Anna's phone",
      address: phoneNode.address,
      boxKey: Buffer.from(phoneBox.publicKey).toString('hex'),
      asks: 'member',
      member: false,
      grants: 'member',
      proposalId: null,
      power: 0,
    } satisfies Partial<JoinRequest>);

    // One approval admits it (any one validator); the request is settled, and it writes.
    const admit = await annaNode.approveJoin(request!.publicKey, null, 'member');
    expect(admit.action).toEqual({ kind: 'member-add', address: phoneNode.address });
    await waitFor(annaNode, committedAt(admit.hash));
    await until(() => phoneNode.status.access?.standing === 'member', 'the phone to be a member');
    await until(() => annaNode.joinRequests().length === 0, 'the request to settle');
    expect(annaNode.members().map((member) => member.address)).toContain(phoneNode.address);
    expect(phoneNode.status.role).toBe('observer');
    const mine = await phoneNode.putRecord('mine', 'hello');
    await waitFor(phoneNode, committedAt(mine.hash));

    // A second look at the stale row (it said 'member') is refused, not turned into power.
    await phoneNode.requestToJoin("Anna's phone", { role: 'validator' });
    await until(() => annaNode.joinRequests().length === 1, 'the validator request');
    const [asking] = annaNode.joinRequests();
    expect(asking).toMatchObject({ asks: 'validator', member: true, grants: 'validator' });
    await expect(annaNode.approveJoin(asking!.publicKey, null, 'member')).rejects.toMatchObject({
      code: 'request-changed',
    });
    // Power on a private ledger is only given when named: without `grants`, approving means
    // admitting a member, which this row no longer does.
    await expect(annaNode.approveJoin(asking!.publicKey, null)).rejects.toMatchObject({
      code: 'request-changed',
    });
    const power = await annaNode.approveJoin(asking!.publicKey, null, 'validator');
    expect(power.action).toMatchObject({ kind: 'validator-propose', address: phoneNode.address });
    await waitFor(annaNode, committedAt(power.hash));
    await until(
      () => annaNode.state.validators.validators.some((v) => v.address === phoneNode.address),
      'the phone to be a validator',
    );
  });

  test('declined requests are hidden; a device without a key cannot invite', async () => {
    const hub = new MemoryHub();
    const anna = await newDevice();
    const chainId = await createLedger(anna, anna.key.publicKey, {
      name: 'Club',
      balances: [],
      admission: 'two-thirds',
    });
    const annaNode = await openNode(hub, anna, chainId, await deviceBoxKeyOf(anna));
    const { genesis } = await ledgerEntry(anna.store, chainId);
    const link = annaNode.inviteLink('https://app.example.org');
    const stranger = await newDevice();
    await joinLedger(stranger, link, async () => genesis);
    const strangerNode = await openNode(hub, stranger, chainId, await deviceBoxKeyOf(stranger));
    await strangerNode.requestToJoin('who knows');
    await until(() => annaNode.joinRequests().length === 1, 'the request');
    const [request] = annaNode.joinRequests();
    await annaNode.declineJoin(request!.publicKey);
    expect(annaNode.joinRequests()).toEqual([]);
    // It asks again (under another name); this device keeps it hidden.
    await strangerNode.requestToJoin('who knows, again');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await annaNode.settled();
    expect(annaNode.joinRequests()).toEqual([]);
    await expect(annaNode.approveJoin(request!.publicKey, null)).rejects.toMatchObject({
      code: 'unknown-request',
    });

    // A device that holds the ledger but no key for it cannot invite, and says so; nor can one
    // that a rotation passed by (it was removed).
    const keyless = await newDevice();
    const store = await keyless.openLedgerStore(chainId);
    await store.initialize(genesis, genesisState(genesis));
    await keyless.store.addLedger({ chainId, name: 'Club', genesis, role: 'joined', addedMs: 1 });
    const keylessNode = await openNode(hub, keyless, chainId, null);
    expect(keylessNode.status.access?.standing).toBe('no-key');
    expect(() => keylessNode.inviteLink('https://app.example.org')).toThrow(InviteUnavailableError);
    expect(() => keylessNode.inviteLink('https://app.example.org')).toThrow(/holds no key/);
    // Nor can it ask to join without an X25519 key to receive the ledger key with.
    await expect(keylessNode.requestToJoin('no box')).rejects.toThrow(/cannot ask to join/);

    const removed = await newDevice();
    await joinLedger(removed, link, async () => genesis);
    const removedStore = await removed.openLedgerStore(chainId);
    const keyring = (await removedStore.keyring.load())!;
    const rotation = {
      key: null,
      fromHeight: 9,
      keyHash: new Uint8Array(32),
      wrappedPrevious: null,
    };
    keyring.epochs.push({ epoch: 1, ...rotation });
    await removedStore.keyring.save(keyring);
    const removedNode = await openNode(hub, removed, chainId, null);
    expect(removedNode.status.access?.standing).toBe('removed');
    expect(() => removedNode.inviteLink('https://app.example.org')).toThrow(/was removed/);
  });
});
