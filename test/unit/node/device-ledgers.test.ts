// Creating, joining and finding ledgers, as both composition roots do (the browser's device.ts
// and the always-on peer), over the in-memory stores and over SQLite files: public ledgers, and
// private ones (the default), whose keyring is saved before the ledger is listed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { addressOf } from '../../../src/lib/core/hash';
import {
  createLedger,
  DEVICE_POWER_DEFAULT,
  joinLedger,
  ledgerEntry,
  LedgerNotOnDeviceError,
  type DeviceLedgers,
} from '../../../src/lib/node/device-ledgers';
import { inviteLink, InviteError, makeInvite, parseInvite } from '../../../src/lib/node/invite';
import { generateBoxKey } from '../../../src/lib/crypto/box';
import { MemoryDeviceStore } from '../../../src/lib/store/memory-device-store';
import {
  createMemoryLedgerStore,
  MemoryLedgerDatabase,
} from '../../../src/lib/store/memory-ledger-store';
import {
  generateStorableBoxKey,
  openSqliteDeviceStore,
  openSqliteLedgerStore,
} from '../../../src/lib/store/sqlite/index';
import type { DeviceStore, LedgerStore } from '../../../src/lib/store/types';
import { epochKeyHash } from '../../../src/lib/core/membership';
import type { Invite } from '../../../src/lib/node/api';
import { newKeys } from '../../support/fixtures';

interface TestDevice extends DeviceLedgers {
  /** A handle on a ledger's database (close it after use). */
  stores(chainId: string): Promise<LedgerStore>;
}

/** One device of each composition root: a database outlives its handles, as a file does. */
const ROOTS: { name: string; device(): Promise<TestDevice> }[] = [
  {
    name: 'memory stores (the browser root, IndexedDB-shaped)',
    async device() {
      const databases = new Map<string, MemoryLedgerDatabase>();
      const open = async (chainId: string) => {
        let db = databases.get(chainId);
        if (!db) databases.set(chainId, (db = new MemoryLedgerDatabase(chainId)));
        return createMemoryLedgerStore(chainId, db);
      };
      return {
        stores: open,
        store: new MemoryDeviceStore(),
        openLedgerStore: open,
        nowMs: () => 1_700_000_000_000,
        randomBytes: (length) => new Uint8Array(length).fill(7),
        newBoxKey: generateBoxKey,
      };
    },
  },
  {
    name: 'SQLite stores (the always-on peer root)',
    async device() {
      const directory = mkdtempSync(join(root, 'device-'));
      const open = (chainId: string) => openSqliteLedgerStore({ directory, chainId });
      const store = await openSqliteDeviceStore({ directory });
      deviceStores.push(store);
      return {
        stores: open,
        store,
        openLedgerStore: open,
        nowMs: () => 1_700_000_000_000,
        randomBytes: (length) => new Uint8Array(length).fill(7),
        newBoxKey: generateStorableBoxKey,
      };
    },
  },
];

const root = mkdtempSync(join(tmpdir(), 'ledger-device-ledgers-'));
const deviceStores: DeviceStore[] = [];
afterAll(async () => {
  for (const store of deviceStores) await store.close();
  rmSync(root, { recursive: true, force: true });
});

/** The device store of `real`, whose process dies while it lists a ledger. */
function crashOnAdd(real: DeviceStore): DeviceStore {
  return {
    ledgers: () => real.ledgers(),
    addLedger: () => Promise.reject(new Error('crash')),
    removeLedger: (chainId) => real.removeLedger(chainId),
    deviceKey: () => real.deviceKey(),
    putDeviceKeyIfAbsent: (key) => real.putDeviceKeyIfAbsent(key),
    deviceBoxKey: () => real.deviceBoxKey(),
    putDeviceBoxKeyIfAbsent: (key) => real.putDeviceBoxKeyIfAbsent(key),
    close: () => real.close(),
  };
}

async function withStore<T>(
  device: TestDevice,
  chainId: string,
  body: (store: LedgerStore) => Promise<T>,
): Promise<T> {
  const store = await device.stores(chainId);
  try {
    return await body(store);
  } finally {
    await store.close();
  }
}

describe.each(ROOTS)('device ledgers over $name', ({ device }) => {
  test('a created ledger has this device as its single validator', async () => {
    const [key] = await newKeys(1);
    const creator = await device();
    const chainId = await createLedger(creator, key!.publicKey, {
      name: '  Family  ',
      balances: [{ address: addressOf(key!.publicKey), amount: 100 }],
      access: 'public',
    });
    const entry = await ledgerEntry(creator.store, chainId);
    expect(entry).toMatchObject({ name: 'Family', role: 'created' });
    expect(entry.genesis.validators).toEqual([
      { publicKey: key!.publicKey, power: DEVICE_POWER_DEFAULT },
    ]);
    expect(
      await withStore(creator, chainId, async (store) => (await store.meta())?.headHeight),
    ).toBe(0);
  });

  test("joining from an invite adds the ledger and notes the invite's relays", async () => {
    const [key] = await newKeys(1);
    const creator = await device();
    const chainId = await createLedger(creator, key!.publicKey, {
      name: 'Home',
      balances: [],
      access: 'public',
    });
    const { genesis } = await ledgerEntry(creator.store, chainId);
    const relay =
      '/ip4/127.0.0.1/tcp/4002/ws/p2p/12D3KooWRrSVzSxS2vVWVH11aJ5Jzx85XjA5wGoKuzeEosYQbT37';
    const link = inviteLink('https://app.example.org', makeInvite(genesis, [relay]), {
      withGenesis: true,
    });
    const joiner = await device();
    expect(await joinLedger(joiner, link)).toEqual({ chainId, relays: [relay] });
    expect(await ledgerEntry(joiner.store, chainId)).toMatchObject({ role: 'joined' });
    const known = await withStore(joiner, chainId, (store) => store.knownPeers());
    expect(known.map((p) => p.address)).toEqual([relay]);
    // Again: the same ledger, nothing lost.
    expect((await joinLedger(joiner, link)).chainId).toBe(chainId);
    expect(await joiner.store.ledgers()).toHaveLength(1);
    // An invite whose chain id is not its genesis's is refused.
    const forged = { ...parseInvite(link), chainId: 'ff'.repeat(32) };
    await expect(joinLedger(await device(), forged)).rejects.toBeInstanceOf(InviteError);
    await expect(joinLedger(await device(), 'https://app/join#garbage!')).rejects.toBeInstanceOf(
      InviteError,
    );
  });

  test('a short invite takes its genesis from fetchGenesis, checked against the id and the name', async () => {
    const [key] = await newKeys(1);
    const creator = await device();
    const chainId = await createLedger(creator, key!.publicKey, {
      name: 'Home',
      balances: [],
      access: 'public',
    });
    const { genesis } = await ledgerEntry(creator.store, chainId);
    const short = inviteLink('https://app.example.org', makeInvite(genesis, []));
    // Without a way to fetch the genesis, a short link is refused with a sentence.
    await expect(joinLedger(await device(), short)).rejects.toBeInstanceOf(InviteError);
    // A device that sends another ledger's genesis (or this one under another name) is refused.
    const other = { ...genesis, salt: new Uint8Array(16).fill(9) };
    await expect(joinLedger(await device(), short, async () => other)).rejects.toThrow(
      /different ledger/,
    );
    const renamed = inviteLink('https://app.example.org', {
      ...makeInvite(genesis, []),
      name: 'Work',
    });
    await expect(joinLedger(await device(), renamed, async () => genesis)).rejects.toThrow(
      /another name/,
    );
    const joiner = await device();
    expect((await joinLedger(joiner, short, async () => genesis)).chainId).toBe(chainId);
    // Held already: opens as it is, nothing fetched.
    const fetched = await joinLedger(joiner, short, () => Promise.reject(new Error('fetched')));
    expect(fetched.chainId).toBe(chainId);
  });

  test('a ledger is private by default: this device its first member, its keyring saved', async () => {
    const [key] = await newKeys(1);
    const creator = await device();
    const chainId = await createLedger(creator, key!.publicKey, { name: 'Ours', balances: [] });
    const { genesis } = await ledgerEntry(creator.store, chainId);
    const boxKey = await creator.store.deviceBoxKey();
    expect(boxKey).not.toBeNull();
    expect(genesis.membership).toMatchObject({
      admission: 'any-validator',
      members: [{ publicKey: key!.publicKey, boxKey: boxKey!.publicKey }],
    });
    const keyring = await withStore(creator, chainId, (store) => store.keyring.load());
    const epoch = keyring!.epochs[0]!;
    expect(epochKeyHash(0, epoch.key!)).toEqual(genesis.membership!.keyHash);
    // The same X25519 key for the next ledger; the two-thirds rule on request; public on request.
    const strict = await createLedger(creator, key!.publicKey, {
      name: 'Club',
      balances: [],
      admission: 'two-thirds',
    });
    const club = (await ledgerEntry(creator.store, strict)).genesis.membership!;
    expect(club.admission).toBe('two-thirds');
    expect(club.members[0]!.boxKey).toEqual(boxKey!.publicKey);
    const open = await createLedger(creator, key!.publicKey, {
      name: 'Board',
      balances: [],
      access: 'public',
    });
    expect((await ledgerEntry(creator.store, open)).genesis.membership).toBeUndefined();
    expect(await withStore(creator, open, (store) => store.keyring.load())).toBeNull();
  });

  test('the keyring is saved before the ledger is listed: a crash between lists nothing', async () => {
    const [key] = await newKeys(1);
    const creator = await device();
    const crashing: TestDevice = {
      ...creator,
      store: crashOnAdd(creator.store),
    };
    const options = { name: 'Crash', balances: [] };
    await expect(createLedger(crashing, key!.publicKey, options)).rejects.toThrow('crash');
    expect(await creator.store.ledgers()).toEqual([]);
    // The same creation again lists it, its keyring there.
    const chainId = await createLedger(creator, key!.publicKey, options);
    expect(await withStore(creator, chainId, (store) => store.keyring.load())).not.toBeNull();
  });

  test("joining a private ledger saves the invite's keyring; links without the right key are refused", async () => {
    const [key] = await newKeys(1);
    const creator = await device();
    const chainId = await createLedger(creator, key!.publicKey, { name: 'Ours', balances: [] });
    const { genesis } = await ledgerEntry(creator.store, chainId);
    const theirs = (await withStore(creator, chainId, (store) => store.keyring.load()))!;
    const access = {
      networkSecret: theirs.networkSecret,
      epoch: 0,
      key: theirs.epochs[0]!.key!,
    };
    const base = 'https://app.example.org';

    // The long link: the keyring comes with it, checked against the genesis.
    const joiner = await device();
    const long = inviteLink(base, makeInvite(genesis, [], access), { withGenesis: true });
    expect((await joinLedger(joiner, long)).chainId).toBe(chainId);
    expect(await withStore(joiner, chainId, (store) => store.keyring.load())).toEqual(theirs);

    // The short link: the genesis fetch is handed the invite with its access.
    const short = inviteLink(base, makeInvite(genesis, [], access));
    let handed: Invite | null = null;
    const other = await device();
    await joinLedger(other, short, async (invite) => {
      handed = invite;
      return genesis;
    });
    expect(handed!.access).toEqual(access);
    expect(await withStore(other, chainId, (store) => store.keyring.load())).toEqual(theirs);

    // A private ledger's link without its key, with another key, or a key for a public ledger.
    const refusals: [string, () => Promise<unknown>][] = [
      [
        'carries no key',
        async () =>
          joinLedger(
            await device(),
            inviteLink(base, makeInvite(genesis, []), { withGenesis: true }),
          ),
      ],
      [
        'carries no key',
        async () =>
          joinLedger(
            await device(),
            inviteLink(base, makeInvite(genesis, [])),
            async () => genesis,
          ),
      ],
      [
        'does not open',
        async () =>
          joinLedger(
            await device(),
            inviteLink(base, makeInvite(genesis, [], { ...access, key: new Uint8Array(32) })),
            async () => genesis,
          ),
      ],
    ];
    const publicId = await createLedger(creator, key!.publicKey, {
      name: 'Board',
      balances: [],
      access: 'public',
    });
    const board = (await ledgerEntry(creator.store, publicId)).genesis;
    refusals.push([
      'ledger is public',
      async () =>
        joinLedger(
          await device(),
          inviteLink(base, makeInvite(board, [], access)),
          async () => board,
        ),
    ]);
    for (const [sentence, join] of refusals) {
      const error = await join().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(InviteError);
      expect((error as Error).message).toContain(sentence);
    }
  });

  test('a ledger this device does not hold is a typed error', async () => {
    await expect(ledgerEntry((await device()).store, 'ab'.repeat(32))).rejects.toBeInstanceOf(
      LedgerNotOnDeviceError,
    );
  });
});
