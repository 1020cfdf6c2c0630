// One helper for every page that shows a read from the node and keeps it current: it re-reads
// when its key changes (a new key drops the old value, so a stale answer never shows under a
// new heading) and when the node says something changed (by default: a block committed), and
// the latest request wins (an older answer arriving late is dropped). Call it while a
// component initialises: it owns an $effect.
import { untrack } from 'svelte';
import { describeError, type Described } from './errors';
import type { NodeState } from './node-state.svelte';

export class LiveQuery<Value> {
  value: Value | undefined = $state(undefined);
  error: Described | null = $state(null);
  #sequence = 0;

  /** Starts a read; `keepValue` keeps showing the previous value until the answer arrives. */
  load(read: () => Promise<Value>, keepValue: boolean): void {
    const sequence = ++this.#sequence;
    if (!keepValue) this.value = undefined;
    read().then(
      (value) => {
        if (sequence !== this.#sequence) return;
        this.value = value;
        this.error = null;
      },
      (error: unknown) => {
        if (sequence === this.#sequence) this.error = describeError(error);
      },
    );
  }
}

export interface LiveQueryOptions<Key, Value> {
  ledger: NodeState;
  /** The reactive inputs of the read (an address, a height...); omit for none. */
  key?: () => Key;
  read: (key: Key) => Promise<Value>;
  /**
   * What else makes the answer stale, read reactively. Defaults to every committed block;
   * return a constant for a read that never changes once answered.
   */
  changes?: (ledger: NodeState, key: Key) => unknown;
}

export function liveQuery<Key = undefined, Value = unknown>(
  options: LiveQueryOptions<Key, Value>,
): LiveQuery<Value> {
  const query = new LiveQuery<Value>();
  const changes = options.changes ?? ((ledger: NodeState) => ledger.revision);
  let shownKey: { key: Key } | null = null;
  $effect(() => {
    const key = options.key ? options.key() : (undefined as Key);
    void changes(options.ledger, key);
    untrack(() => {
      const sameKey = shownKey !== null && Object.is(shownKey.key, key);
      shownKey = { key };
      query.load(() => options.read(key), sameKey);
    });
  });
  return query;
}
