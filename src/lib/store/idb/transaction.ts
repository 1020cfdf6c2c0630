// Runs one IndexedDB transaction for the ledger store: refuses when the handle is closed, maps
// browser errors to typed store errors, and aborts on a throw so nothing of a refused write
// stays. Each part of the store (blocks, state, outbox...) works inside the `tx` it is given.

import { StoreClosedError } from '../errors';
import { mapIdbError } from '../idb-errors';
import type { LedgerDb, LedgerStoreName, LedgerTx } from '../idb-schema';

export type Durability = 'default' | 'strict' | 'relaxed';
/** A transaction over any stores; each part names the stores it needs next to its functions. */
export type AnyTx = LedgerTx<LedgerStoreName[], 'readwrite'>;

export class IdbTransactions {
  #closed: StoreClosedError['reason'] | null = null;

  constructor(private readonly db: LedgerDb) {}

  /** Called when another tab upgrades the schema, the browser kills the connection, or close. */
  markClosed(reason: StoreClosedError['reason']): void {
    this.#closed ??= reason;
    this.db.close();
  }

  async run<T>(
    stores: readonly LedgerStoreName[],
    mode: IDBTransactionMode,
    body: (tx: AnyTx) => Promise<T>,
    durability: Durability = 'default',
  ): Promise<T> {
    if (this.#closed) throw new StoreClosedError(this.#closed);
    let tx: AnyTx;
    try {
      tx = this.db.transaction([...stores], mode, { durability }) as AnyTx;
    } catch (error) {
      throw mapIdbError(error, this.#closed ?? 'closed');
    }
    try {
      const result = await body(tx);
      await tx.done;
      return result;
    } catch (error) {
      tx.done.catch(() => {});
      try {
        tx.abort();
      } catch {
        // Already committed or aborted (an aborted transaction is why we are here).
      }
      throw mapIdbError(error, this.#closed);
    }
  }
}
