// What a device does with its ledgers, for both composition roots: a browser profile
// (device.ts, IndexedDB) and the always-on peer (src/peer, SQLite). Create a ledger with this
// device as its single validator, join one from an invite link, find one this device holds.
// The stores come in through `DeviceLedgers`, so each root passes its own.
import { genesisState, validateGenesis } from '../core/genesis';
import { chainIdOf } from '../core/hash';
import type { Genesis, PublicKey } from '../core/types';
import type { DeviceStore, LedgerEntry, LedgerStore } from '../store/types';
import type { Invite } from './api';
import { genesisOfInvite, InviteError, parseInvite } from './invite';

/** Voting power of a ledger creator's device, and of devices approved later. */
export const DEVICE_POWER_DEFAULT = 10;
export const SALT_BYTES = 16;

export class LedgerNotFoundError extends Error {
  override name = 'LedgerNotFoundError';
  constructor(readonly chainId: string) {
    super(`ledger ${chainId} is not on this device`);
  }
}

export interface DeviceLedgers {
  store: DeviceStore;
  openLedgerStore(chainId: string): Promise<LedgerStore>;
  nowMs(): number;
  randomBytes(length: number): Uint8Array;
}

export interface NewLedger {
  name: string;
  balances: { address: string; amount: number }[];
}

/** A ledger whose single validator is `publicKey`; returns its chain id. */
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
  validateGenesis(genesis);
  return addLedger(ledgers, genesis, 'created');
}

/**
 * Accept an invite link (or its parsed form): the ledger is added (at height 0; the node syncs
 * it) and the invite's relays noted as its known peers. Throws InviteError with what is wrong.
 * Short invites (a chain id and relays, the genesis fetched from a peer and checked against the
 * id: net/genesis-protocol.ts, not merged yet) plug in here: resolve the genesis, then the same
 * addLedger.
 */
export async function joinLedger(
  ledgers: DeviceLedgers,
  invite: string | Invite,
): Promise<{ chainId: string; relays: string[] }> {
  const parsed = typeof invite === 'string' ? parseInvite(invite) : invite;
  const genesis = genesisOfInvite(parsed);
  if (chainIdOf(genesis) !== parsed.chainId) {
    throw new InviteError('the invite names a different ledger than its genesis');
  }
  const chainId = await addLedger(ledgers, genesis, 'joined');
  const store = await ledgers.openLedgerStore(chainId);
  try {
    for (const relay of parsed.relays) await store.notePeer(relay, ledgers.nowMs());
  } finally {
    await store.close();
  }
  return { chainId, relays: parsed.relays };
}

/** This device's entry for `chainId`; throws LedgerNotFoundError if it holds no such ledger. */
export async function ledgerEntry(store: DeviceStore, chainId: string): Promise<LedgerEntry> {
  const entry = (await store.ledgers()).find((ledger) => ledger.chainId === chainId);
  if (!entry) throw new LedgerNotFoundError(chainId);
  return entry;
}

/** Idempotent: the same genesis again finds the ledger as it is (its blocks kept). */
async function addLedger(
  ledgers: DeviceLedgers,
  genesis: Genesis,
  role: LedgerEntry['role'],
): Promise<string> {
  const chainId = chainIdOf(genesis);
  const store = await ledgers.openLedgerStore(chainId);
  try {
    await store.initialize(genesis, genesisState(genesis));
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
