// Storage quota: ask the browser to keep our data (persistent storage is not evicted under
// pressure) and expose usage, so the UI can warn before writes start failing with
// StorageFullError.

export interface StorageUsage {
  usageBytes: number;
  quotaBytes: number;
  persisted: boolean;
}

/** True if the origin's storage is (now) persistent; false if refused or unsupported. */
export async function requestPersistentStorage(): Promise<boolean> {
  const storage = globalThis.navigator?.storage as
    (StorageManager & { persist?: () => Promise<boolean> }) | undefined;
  if (!storage?.persist) return false;
  if (await storage.persisted()) return true;
  return storage.persist();
}

/** null where the StorageManager API is missing (e.g. Node). */
export async function storageUsage(): Promise<StorageUsage | null> {
  const storage = globalThis.navigator?.storage;
  if (!storage?.estimate) return null;
  const [estimate, persisted] = await Promise.all([
    storage.estimate(),
    storage.persisted?.() ?? false,
  ]);
  return { usageBytes: estimate.usage ?? 0, quotaBytes: estimate.quota ?? 0, persisted };
}
