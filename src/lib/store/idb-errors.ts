// Turns IndexedDB's DOMExceptions into the store's typed errors.

import { SchemaError, StorageFullError, StoreClosedError, StoreError } from './errors';

function nameOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'name' in error
    ? String((error as { name: unknown }).name)
    : undefined;
}

function mentionsQuota(error: unknown): boolean {
  const message =
    typeof error === 'object' && error !== null && 'message' in error ? String(error.message) : '';
  return /quota|disk|space/i.test(message);
}

/**
 * QuotaExceededError (from a request, or as the aborted transaction's error) and AbortError
 * caused by quota become StorageFullError; the transaction was aborted, so nothing of it stayed.
 */
export function mapIdbError(
  error: unknown,
  closedReason?: StoreClosedError['reason'] | null,
): unknown {
  if (error instanceof StoreError) return error;
  const name = nameOf(error);
  if (name === 'QuotaExceededError') return new StorageFullError({ cause: error });
  if (name === 'AbortError' || name === 'UnknownError') {
    const cause =
      typeof error === 'object' && error !== null && 'cause' in error ? error.cause : undefined;
    if (nameOf(cause) === 'QuotaExceededError' || mentionsQuota(error)) {
      return new StorageFullError({ cause: error });
    }
  }
  if (name === 'VersionError') {
    return new SchemaError('the database was written by a newer version of the app: reload', {
      cause: error,
    });
  }
  if (name === 'InvalidStateError' && closedReason) return new StoreClosedError(closedReason);
  return error;
}
