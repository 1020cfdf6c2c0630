// Creating, joining and finding ledgers, as both composition roots do (the browser's device.ts
// and the always-on peer), over the in-memory stores.
import { describe, expect, test } from 'vitest';
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
import { MemoryDeviceStore } from '../../../src/lib/store/memory-device-store';
import {
  createMemoryLedgerStore,
  MemoryLedgerDatabase,
  type MemoryLedgerStore,
} from '../../../src/lib/store/memory-ledger-store';
import { newKeys } from '../../support/fixtures';

/** One device's stores: a ledger's database outlives its handles, as a file or IndexedDB does. */
function device(): DeviceLedgers & { stores: (chainId: string) => MemoryLedgerStore } {
  const databases = new Map<string, MemoryLedgerDatabase>();
  const open = (chainId: string) => {
    let db = databases.get(chainId);
    if (!db) databases.set(chainId, (db = new MemoryLedgerDatabase(chainId)));
    return createMemoryLedgerStore(chainId, db);
  };
  return {
    stores: open,
    store: new MemoryDeviceStore(),
    openLedgerStore: async (chainId) => open(chainId),
    nowMs: () => 1_700_000_000_000,
    randomBytes: (length) => new Uint8Array(length).fill(7),
  };
}

describe('device ledgers', () => {
  test('a created ledger has this device as its single validator', async () => {
    const [key] = await newKeys(1);
    const creator = device();
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
    expect((await creator.stores(chainId).meta())?.headHeight).toBe(0);
  });

  test("joining from an invite adds the ledger and notes the invite's relays", async () => {
    const [key] = await newKeys(1);
    const creator = device();
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
    const joiner = device();
    expect(await joinLedger(joiner, link)).toEqual({ chainId, relays: [relay] });
    expect(await ledgerEntry(joiner.store, chainId)).toMatchObject({ role: 'joined' });
    expect((await joiner.stores(chainId).knownPeers()).map((p) => p.address)).toEqual([relay]);
    // Again: the same ledger, nothing lost.
    expect((await joinLedger(joiner, link)).chainId).toBe(chainId);
    expect(await joiner.store.ledgers()).toHaveLength(1);
    // An invite whose chain id is not its genesis's is refused.
    const forged = { ...parseInvite(link), chainId: 'ff'.repeat(32) };
    await expect(joinLedger(device(), forged)).rejects.toBeInstanceOf(InviteError);
    await expect(joinLedger(device(), 'https://app/join#garbage!')).rejects.toBeInstanceOf(
      InviteError,
    );
  });

  test('a short invite takes its genesis from fetchGenesis, checked against the id and the name', async () => {
    const [key] = await newKeys(1);
    const creator = device();
    const chainId = await createLedger(creator, key!.publicKey, {
      name: 'Home',
      balances: [],
      access: 'public',
    });
    const { genesis } = await ledgerEntry(creator.store, chainId);
    const short = inviteLink('https://app.example.org', makeInvite(genesis, []));
    // Without a way to fetch the genesis, a short link is refused with a sentence.
    await expect(joinLedger(device(), short)).rejects.toBeInstanceOf(InviteError);
    // A device that sends another ledger's genesis (or this one under another name) is refused.
    const other = { ...genesis, salt: new Uint8Array(16).fill(9) };
    await expect(joinLedger(device(), short, async () => other)).rejects.toThrow(
      /different ledger/,
    );
    const renamed = inviteLink('https://app.example.org', {
      ...makeInvite(genesis, []),
      name: 'Work',
    });
    await expect(joinLedger(device(), renamed, async () => genesis)).rejects.toThrow(
      /another name/,
    );
    const joiner = device();
    expect((await joinLedger(joiner, short, async () => genesis)).chainId).toBe(chainId);
    // Held already: opens as it is, nothing fetched.
    const fetched = await joinLedger(joiner, short, () => Promise.reject(new Error('fetched')));
    expect(fetched.chainId).toBe(chainId);
  });

  test('a ledger this device does not hold is a typed error', async () => {
    await expect(ledgerEntry(device().store, 'ab'.repeat(32))).rejects.toBeInstanceOf(
      LedgerNotOnDeviceError,
    );
  });
});
