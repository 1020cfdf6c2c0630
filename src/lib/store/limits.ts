// Local storage limits. These are not protocol limits (those live in core/params.ts): each
// device may choose its own without disagreeing with peers.

/** Known peer addresses kept per ledger; the least recently seen is dropped beyond this. */
export const KNOWN_PEERS_MAX = 64;
/** Pending (unsettled) outbox transactions per ledger; adding more throws OutboxFullError. */
export const OUTBOX_PENDING_MAX = 1_000;
/** Settled outbox entries kept for the UI; the oldest settled ones are dropped beyond this. */
export const OUTBOX_SETTLED_MAX = 1_000;
/**
 * Blocks whose state changes may wait in the IndexedDB state log before being folded into the
 * per-account / per-record rows. A block then costs three puts instead of one per touched key,
 * and keys touched by several blocks of a batch are written once.
 */
export const STATE_LOG_BLOCKS_MAX = 64;
/** Rows returned by one page of a listing (blocks, history, records, outbox). */
export const PAGE_ROWS_MAX = 500;
/** Blocks one applyBlocks call may write in its single transaction. */
export const APPLY_BATCH_BLOCKS_MAX = 256;
