// The in-memory DeviceStore (tests, simulator). Keys are kept by reference: a CryptoKey is
// immutable and non-extractable, so sharing it is what structured clone would give anyway.

import type { ChainId } from '../core/types';
import { StoreClosedError } from './errors';
import type { DeviceKey, DeviceStore, LedgerEntry } from './types';
import type { BoxKey } from '../crypto/box';

export class MemoryDeviceDatabase {
  readonly ledgers = new Map<ChainId, LedgerEntry>();
  key: DeviceKey | null = null;
  boxKey: BoxKey | null = null;
}

export class MemoryDeviceStore implements DeviceStore {
  #closed = false;
  constructor(private readonly db: MemoryDeviceDatabase = new MemoryDeviceDatabase()) {}

  #open(): void {
    if (this.#closed) throw new StoreClosedError('closed');
  }

  async ledgers(): Promise<LedgerEntry[]> {
    this.#open();
    return [...this.db.ledgers.values()]
      .sort((a, b) => a.addedMs - b.addedMs || (a.chainId < b.chainId ? -1 : 1))
      .map((entry) => structuredClone(entry));
  }

  async addLedger(entry: LedgerEntry): Promise<void> {
    this.#open();
    if (!this.db.ledgers.has(entry.chainId))
      this.db.ledgers.set(entry.chainId, structuredClone(entry));
  }

  async removeLedger(chainId: ChainId): Promise<void> {
    this.#open();
    this.db.ledgers.delete(chainId);
  }

  async deviceKey(): Promise<DeviceKey | null> {
    this.#open();
    return this.db.key;
  }

  async putDeviceKeyIfAbsent(key: DeviceKey): Promise<DeviceKey> {
    this.#open();
    this.db.key ??= key;
    return this.db.key;
  }

  async deviceBoxKey(): Promise<BoxKey | null> {
    this.#open();
    return this.db.boxKey;
  }

  async putDeviceBoxKeyIfAbsent(key: BoxKey): Promise<BoxKey> {
    this.#open();
    this.db.boxKey ??= key;
    return this.db.boxKey;
  }

  async close(): Promise<void> {
    this.#closed = true;
  }
}
