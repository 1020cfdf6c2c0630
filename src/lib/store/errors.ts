// One error class per storage condition, so the node can react precisely (tell the user the disk
// is full, reload on a schema change, halt on a safety violation) instead of matching messages.

export type StoreErrorCode =
  | 'height-gap'
  | 'conflicting-block'
  | 'broken-link'
  | 'apply-mismatch'
  | 'not-initialized'
  | 'chain-mismatch'
  | 'storage-full'
  | 'store-closed'
  | 'schema'
  | 'signer-regression'
  | 'signer-read-back'
  | 'outbox-full'
  | 'not-found'
  | 'key-file';

export abstract class StoreError extends Error {
  abstract readonly code: StoreErrorCode;
}

/** Block h was applied while the head is not h - 1 (the node skipped a height). */
export class HeightGapError extends StoreError {
  readonly code = 'height-gap';
  constructor(
    readonly headHeight: number,
    readonly height: number,
  ) {
    super(`cannot apply block ${height}: head is ${headHeight}`);
    this.name = 'HeightGapError';
  }
}

/**
 * A different block at a height that already holds a finalised block: two conflicting blocks
 * were committed, which BFT finality forbids. A safety violation; the node must halt loudly.
 */
export class ConflictingBlockError extends StoreError {
  readonly code = 'conflicting-block';
  constructor(
    readonly height: number,
    readonly storedHash: string,
    readonly newHash: string,
  ) {
    super(`SAFETY VIOLATION: block ${height} is ${storedHash}, refusing ${newHash}`);
    this.name = 'ConflictingBlockError';
  }
}

/** The block at head + 1 does not name the head as its previous block (a fork). */
export class BrokenLinkError extends StoreError {
  readonly code = 'broken-link';
  constructor(
    readonly height: number,
    readonly headHash: string,
    readonly previousHash: string,
  ) {
    super(`block ${height} extends ${previousHash}, but the head is ${headHash}`);
    this.name = 'BrokenLinkError';
  }
}

/** The caller passed a commit or state changes that do not belong to the block (a node bug). */
export class ApplyMismatchError extends StoreError {
  readonly code = 'apply-mismatch';
  constructor(detail: string) {
    super(`block, commit and state changes disagree: ${detail}`);
    this.name = 'ApplyMismatchError';
  }
}

export class NotInitializedError extends StoreError {
  readonly code = 'not-initialized';
  constructor(readonly chainId: string) {
    super(`ledger ${chainId} has no genesis state yet`);
    this.name = 'NotInitializedError';
  }
}

/** The database belongs to another ledger than the one the caller asked for. */
export class ChainMismatchError extends StoreError {
  readonly code = 'chain-mismatch';
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`store holds ledger ${actual}, not ${expected}`);
    this.name = 'ChainMismatchError';
  }
}

/** The browser refused the write for lack of space; nothing of the failed write was kept. */
export class StorageFullError extends StoreError {
  readonly code = 'storage-full';
  constructor(options?: { cause?: unknown }) {
    super('storage is full: free some space or allow this site to store more', options);
    this.name = 'StorageFullError';
  }
}

/** The store was closed (by the caller, or because a newer version of the app needs the DB). */
export class StoreClosedError extends StoreError {
  readonly code = 'store-closed';
  constructor(readonly reason: 'closed' | 'version-change' | 'terminated') {
    super(`store is closed (${reason})`);
    this.name = 'StoreClosedError';
  }
}

/** The database on disk has a schema this code cannot read (newer app, or damaged). */
export class SchemaError extends StoreError {
  readonly code = 'schema';
  constructor(detail: string, options?: { cause?: unknown }) {
    super(`database schema: ${detail}`, options);
    this.name = 'SchemaError';
  }
}

/** A signer-state save that would go back in (height, round, step) or re-sign differently. */
export class SignerRegressionError extends StoreError {
  readonly code = 'signer-regression';
  constructor(detail: string) {
    super(`refusing signer state: ${detail}`);
    this.name = 'SignerRegressionError';
  }
}

/** The signer state read back after a durable write differs from what was written. */
export class SignerReadBackError extends StoreError {
  readonly code = 'signer-read-back';
  constructor() {
    super('signer state read back differs from the state just written');
    this.name = 'SignerReadBackError';
  }
}

export class OutboxFullError extends StoreError {
  readonly code = 'outbox-full';
  constructor(readonly pendingMax: number) {
    super(`outbox holds ${pendingMax} pending transactions already`);
    this.name = 'OutboxFullError';
  }
}

export class NotFoundError extends StoreError {
  readonly code = 'not-found';
  constructor(what: string) {
    super(`${what} not found`);
    this.name = 'NotFoundError';
  }
}

/** The Node device's key file cannot be used (unreadable, shared with other users, damaged). */
export class KeyFileError extends StoreError {
  readonly code = 'key-file';
  constructor(detail: string, options?: { cause?: unknown }) {
    super(`device key: ${detail}`, options);
    this.name = 'KeyFileError';
  }
}
