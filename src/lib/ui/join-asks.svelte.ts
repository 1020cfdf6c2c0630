// What this device asked a ledger's validators for (to be let in as a member, or to vote), kept
// until it is granted. The node repeats a join request only while it runs, so after a reload
// the ledger's frame asks again with the same name; and the frame says "waiting for approval"
// from this table, not from a guess. Kept on this device only (localStorage), shared by its
// tabs, bounded: the oldest ask is forgotten first.
import type { JoinRole } from '$lib/node/api';

const STORAGE_KEY = 'ledger-join-asks-v1';
/** Ledgers with an open ask kept at most; the oldest is dropped first. */
export const JOIN_ASKS_MAX = 50;

export interface JoinAsk {
  /** The name this device gave itself in the request. */
  label: string;
  role: JoinRole;
}

type Table = Record<string, JoinAsk>;

function load(): Table {
  try {
    const raw = typeof localStorage === 'undefined' ? null : localStorage.getItem(STORAGE_KEY);
    const parsed: unknown = raw ? JSON.parse(raw) : {};
    return typeof parsed === 'object' && parsed !== null ? (parsed as Table) : {};
  } catch {
    return {};
  }
}

export class JoinAsks {
  #table: Table = $state(load());
  /** Ledgers this tab sent its ask for since the page loaded (the node repeats it meanwhile). */
  // Not rendered, only consulted when the frame decides whether to send: no reactivity needed.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #sentHere = new Set<string>();

  constructor() {
    if (typeof window !== 'undefined') {
      window.addEventListener('storage', (event) => {
        if (event.key === STORAGE_KEY) this.#table = load();
      });
    }
  }

  of(chainId: string): JoinAsk | null {
    return this.#table[chainId] ?? null;
  }

  /** Records an ask; `sentNow`: this tab has just sent it (else the frame sends it). */
  remember(chainId: string, ask: JoinAsk, sentNow: boolean): void {
    if (sentNow) this.#sentHere.add(chainId);
    else this.#sentHere.delete(chainId);
    const table = { ...this.#table };
    delete table[chainId];
    table[chainId] = ask;
    const entries = Object.entries(table);
    this.#save(Object.fromEntries(entries.slice(Math.max(0, entries.length - JOIN_ASKS_MAX))));
  }

  /** Whether this tab sent the ask already (else the node, newly started, does not repeat it). */
  sentHere(chainId: string): boolean {
    return this.#sentHere.has(chainId);
  }

  clear(chainId: string): void {
    if (!(chainId in this.#table)) return;
    const table = { ...this.#table };
    delete table[chainId];
    this.#save(table);
  }

  #save(table: Table): void {
    this.#table = table;
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify(table));
    } catch {
      // Storage refused (private window, quota): the ask still holds for this tab.
    }
  }
}

/** One table per tab. */
export const joinAsks = new JoinAsks();
