// What a device does with its ledgers, for both composition roots: a browser profile
// (device.ts, IndexedDB) and the always-on peer (src/peer, SQLite). Create a ledger with this
// device as its single validator, join one from an invite link, find one this device holds.
// The stores come in through `DeviceLedgers`, so each root passes its own.
//
// A private ledger's keyring (its network secret and key) is saved in the ledger's store before
// the device lists the ledger: a crash in between leaves an unlisted store, never a listed
// private ledger without its key.
import { genesisState, validateGenesis } from '../core/genesis';
import { chainIdOf } from '../core/hash';
import type { Admission, Genesis, PublicKey } from '../core/types';
import type { BoxKey } from '../crypto/box';
import type { DeviceStore, LedgerEntry, LedgerStore, StoredKeyring } from '../store/types';
import type { Invite, LedgerAccess } from './api';
import { genesisOfInvite, InviteError, keyringOfLink, parseInvite } from './invite';
import { newPrivateLedger } from './private-ledger';
import { usableRelays } from '../net/relay-address';

/** Voting power of a ledger creator's device, and of devices approved later. */
export const DEVICE_POWER_DEFAULT = 10;
export const SALT_BYTES = 16;
/** How long a device joining by a short invite looks for a device that sends the genesis. */
export const GENESIS_FETCH_TIMEOUT_MS = 45_000;

export class LedgerNotOnDeviceError extends Error {
  override name = 'LedgerNotOnDeviceError';
  constructor(readonly chainId: string) {
    super(`ledger ${chainId} is not on this device`);
  }
}

export interface DeviceLedgers {
  store: DeviceStore;
  openLedgerStore(chainId: string): Promise<LedgerStore>;
  nowMs(): number;
  randomBytes(length: number): Uint8Array;
  /**
   * A new X25519 key as this root's device store can keep it (IndexedDB: non-extractable,
   * generateBoxKey; a key file: exportable once, generateStorableBoxKey).
   */
  newBoxKey(): Promise<BoxKey>;
}

export interface NewLedger {
  name: string;
  balances: { address: string; amount: number }[];
  /** Default 'private': strangers cannot read (the product's promise). */
  access?: LedgerAccess;
  /** Who admits a member of a private ledger; default 'any-validator' (a personal ledger). */
  admission?: Admission;
}

/** This device's X25519 key, made and stored the first time it is needed (racing tabs agree). */
export async function deviceBoxKeyOf(
  ledgers: Pick<DeviceLedgers, 'store' | 'newBoxKey'>,
): Promise<BoxKey> {
  const { store } = ledgers;
  return (
    (await store.deviceBoxKey()) ?? (await store.putDeviceBoxKeyIfAbsent(await ledgers.newBoxKey()))
  );
}

/**
 * A ledger whose single validator is `publicKey`; returns its chain id. A private one (the
 * default) has this device as its first member, with its X25519 key, and its keyring saved.
 */
export async function createLedger(
  ledgers: DeviceLedgers,
  publicKey: PublicKey,
  options: NewLedger,
): Promise<string> {
  const genesis: Genesis = {
    name: options.name.trim(),
    time: ledgers.nowMs(),
    validators: [{ publicKey, power: DEVICE_POWER_DEFAULT }],
    balances: options.balances,
    salt: ledgers.randomBytes(SALT_BYTES),
  };
  let keyring: StoredKeyring | null = null;
  if ((options.access ?? 'private') === 'private') {
    const boxKey = await deviceBoxKeyOf(ledgers);
    const created = newPrivateLedger(
      { publicKey, boxKey: boxKey.publicKey },
      options.admission ?? 'any-validator',
      ledgers.randomBytes,
    );
    genesis.membership = created.membership;
    keyring = created.keyring;
  }
  validateGenesis(genesis);
  return addLedger(ledgers, genesis, 'created', keyring);
}

/**
 * Accept an invite link (or its parsed form). A ledger already here opens as it is (also
 * offline): an invite never changes it. Otherwise the ledger is added at height 0 (the node
 * syncs it) with the invite's usable relay addresses as its known peers (net/relay-address.ts:
 * one bad string cannot stop it from opening). A short invite carries no genesis: `fetchGenesis`
 * gets it from a device of the ledger (the browser: net/genesis-protocol.ts); it is checked
 * against the id here. Throws InviteError with a sentence for the person.
 */
export async function joinLedger(
  ledgers: DeviceLedgers,
  invite: string | Invite,
  fetchGenesis?: (invite: Invite) => Promise<Genesis>,
): Promise<{ chainId: string; relays: string[] }> {
  const parsed = typeof invite === 'string' ? parseInvite(invite) : invite;
  const relays = usableRelays(parsed.relays).usable;
  if (await findLedgerEntry(ledgers.store, parsed.chainId)) {
    return { chainId: parsed.chainId, relays };
  }
  const genesis = genesisOfInvite(parsed) ?? (await fetchGenesis?.(parsed));
  if (!genesis) {
    throw new InviteError(
      'This invite link is a short one: this device cannot fetch its ledger. Ask for the full link.',
    );
  }
  if (chainIdOf(genesis) !== parsed.chainId) {
    throw new InviteError(
      'This invite link describes a different ledger than it names. Ask for a new one.',
    );
  }
  // The short link's name is not covered by the chain id: the person confirmed this name.
  if (genesis.name !== parsed.name) {
    throw new InviteError(
      'This invite link gives the ledger another name than the ledger has. Ask for a new one.',
    );
  }
  // A private ledger's link carries its key (checked against the genesis); a public one's none.
  const keyring = keyringOfLink(genesis, parsed.access);
  const chainId = await addLedger(ledgers, genesis, 'joined', keyring);
  const store = await ledgers.openLedgerStore(chainId);
  try {
    for (const relay of relays) await store.notePeer(relay, ledgers.nowMs());
  } finally {
    await store.close();
  }
  return { chainId, relays };
}

/** This device's entry for `chainId`, or null when it holds no such ledger. */
export async function findLedgerEntry(
  store: DeviceStore,
  chainId: string,
): Promise<LedgerEntry | null> {
  return (await store.ledgers()).find((ledger) => ledger.chainId === chainId) ?? null;
}

/** This device's entry for `chainId`; throws LedgerNotOnDeviceError if it holds no such ledger. */
export async function ledgerEntry(store: DeviceStore, chainId: string): Promise<LedgerEntry> {
  const entry = await findLedgerEntry(store, chainId);
  if (!entry) throw new LedgerNotOnDeviceError(chainId);
  return entry;
}

/** Idempotent: the same genesis again finds the ledger as it is (its blocks kept). */
async function addLedger(
  ledgers: DeviceLedgers,
  genesis: Genesis,
  role: LedgerEntry['role'],
  keyring: StoredKeyring | null,
): Promise<string> {
  const chainId = chainIdOf(genesis);
  const store = await ledgers.openLedgerStore(chainId);
  try {
    await store.initialize(genesis, genesisState(genesis));
    // Before the entry: a listed private ledger always has its key on this device.
    if (keyring) await store.keyring.save(keyring);
  } finally {
    await store.close();
  }
  await ledgers.store.addLedger({
    chainId,
    name: genesis.name,
    genesis,
    role,
    addedMs: ledgers.nowMs(),
  });
  return chainId;
}
