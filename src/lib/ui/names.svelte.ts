// Names of devices (and so of their accounts: an address is a device key's hash), kept on this
// device only: learned from join requests (they carry the name the device gave itself) and
// given by the person here. Not ledger facts; a later version may put names on chain, and
// then this table only fills the gaps. Shared by the tabs of this profile (localStorage).
import type { JoinRequest } from '$lib/node/api';

const STORAGE_KEY = 'ledger-device-names-v1';
/** Names kept at most; the oldest entry is dropped first. */
export const NAMES_MAX = 500;
/** Open proposals remembered (proposal id -> the device it adds), oldest dropped first. */
export const PROPOSALS_MAX = 200;
export const NAME_CHARS_MAX = 40;

interface Table {
  names: Record<string, string>;
  proposals: Record<string, string>;
}

function load(): Table {
  try {
    const raw = typeof localStorage === 'undefined' ? null : localStorage.getItem(STORAGE_KEY);
    const parsed = raw ? (JSON.parse(raw) as Partial<Table>) : {};
    return { names: parsed.names ?? {}, proposals: parsed.proposals ?? {} };
  } catch {
    return { names: {}, proposals: {} };
  }
}

function bounded(record: Record<string, string>, max: number): Record<string, string> {
  const entries = Object.entries(record);
  return entries.length <= max ? record : Object.fromEntries(entries.slice(entries.length - max));
}

export class DeviceNames {
  #table: Table = $state(load());

  constructor() {
    if (typeof window !== 'undefined') {
      window.addEventListener('storage', (event) => {
        if (event.key === STORAGE_KEY) this.#table = load();
      });
    }
  }

  /** The name given to `address`, or null. */
  nameOf(address: string): string | null {
    return this.#table.names[address] ?? null;
  }

  /**
   * How an address reads on screen: its name, "You" for this device (with its name if it has
   * one), or "Device 3f2a9c" (the start of the address) when nobody named it.
   */
  display(address: string, self: string | null = null): string {
    const name = this.nameOf(address);
    if (address === self) return name ? `${name} (you)` : 'You';
    return name ?? `Device ${address.slice(0, 6)}`;
  }

  /** The device a proposal adds, if a join request here named it. */
  subjectOf(proposalId: string): string | null {
    return this.#table.proposals[proposalId] ?? null;
  }

  /** Names a device; an empty name removes it. */
  set(address: string, name: string): void {
    const trimmed = name.trim().slice(0, NAME_CHARS_MAX);
    const names = { ...this.#table.names };
    delete names[address];
    if (trimmed !== '') names[address] = trimmed;
    this.#save({ ...this.#table, names: bounded(names, NAMES_MAX) });
  }

  /** Learns what join requests say: names (never over one given here) and proposals. */
  learn(requests: readonly JoinRequest[]): void {
    let names = this.#table.names;
    let proposals = this.#table.proposals;
    for (const request of requests) {
      const label = request.label.trim().slice(0, NAME_CHARS_MAX);
      if (label && names[request.address] === undefined) {
        names = { ...names, [request.address]: label };
      }
      if (request.proposalId && proposals[request.proposalId] !== request.address) {
        proposals = { ...proposals, [request.proposalId]: request.address };
      }
    }
    if (names === this.#table.names && proposals === this.#table.proposals) return;
    this.#save({
      names: bounded(names, NAMES_MAX),
      proposals: bounded(proposals, PROPOSALS_MAX),
    });
  }

  #save(table: Table): void {
    this.#table = table;
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify(table));
    } catch {
      // Storage refused (private window, quota): the names still hold for this tab.
    }
  }
}

/** One table per tab. */
export const deviceNames = new DeviceNames();
