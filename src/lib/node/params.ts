// Every limit and interval of the full node in one place (STYLE rule 10). These are local
// policy, not protocol (protocol limits live in core/params.ts, network limits in
// net/limits.ts, the engine's in consensus/params.ts): two nodes may differ here without
// disagreeing on anything. Each bound says what happens beyond it.

import type { MessageType } from '../net/message-types';

// --- The inbox: validated gossip waiting for the serial queue ---------------------------------

/** What an inbox channel does when a message arrives and the channel is full. */
export type DropPolicy =
  /** Drop the oldest waiting message: the newest is the most relevant (consensus rounds). */
  | 'drop-oldest'
  /** Refuse the arriving one: the sender retries (the outbox resubmits, rebroadcasts repeat). */
  | 'drop-newest';

export interface InboxChannelLimit {
  messagesMax: number;
  policy: DropPolicy;
}

/**
 * Per message type. Consensus channels keep the newest (a flood of old-round votes must not
 * hold back the current round; honest validators rebroadcast their latest votes every
 * rebroadcastMs); transactions and evidence refuse newcomers (their senders resubmit).
 * A vote is ~300 B decoded to ~1 KB of objects, a proposal up to a 512 KiB block, a tx batch up
 * to 128 txs: the bounds keep the decoded backlog to a few MB even when every channel is full.
 */
export const INBOX_LIMITS: Readonly<Record<MessageType, InboxChannelLimit>> = Object.freeze({
  vote: { messagesMax: 2_048, policy: 'drop-oldest' },
  proposal: { messagesMax: 16, policy: 'drop-oldest' },
  commit: { messagesMax: 8, policy: 'drop-oldest' },
  tx: { messagesMax: 64, policy: 'drop-newest' },
  evidence: { messagesMax: 64, policy: 'drop-newest' },
  join: { messagesMax: 64, policy: 'drop-oldest' },
});

/** Inbox messages one serial-queue task handles before letting timers and submits in. */
export const INBOX_DRAIN_BATCH_MAX = 64;

/**
 * Tasks waiting in the serial queue at once (engine timers, submits, sync batches, inbox drains:
 * all bounded by construction, so reaching this is a bug or an attack on a path without an
 * inbox). Beyond it `enqueue` throws QueueFullError and the task is not run.
 */
export const SERIAL_QUEUE_TASKS_MAX = 4_096;

/**
 * Engine inputs one external input may cascade into (effects feeding results back). A correct
 * engine needs a handful; more means it loops, which is a bug: the driver asserts.
 */
export const ENGINE_INPUTS_PER_EVENT_MAX = 10_000;

// --- Pools and tables -------------------------------------------------------------------------

/** Evidence kept for inclusion; beyond it the oldest is dropped (it is also pruned each height). */
export const EVIDENCE_POOL_MAX = 256;
/** Join requests shown to validators; the oldest is dropped beyond this. */
export const JOIN_REQUESTS_MAX = 64;
/** Join requests kept from any one propagation peer; its oldest is dropped beyond this. */
export const JOIN_REQUESTS_PER_PEER_MAX = 4;
/** Join requests declined on this device (hidden while the node runs); the oldest forgotten first. */
export const JOIN_DECLINED_MAX = 64;
/** Validators whose latest vote is remembered for the UI; the least recent is dropped beyond. */
export const VOTE_ACTIVITY_MAX = 256;
/**
 * Records kept in memory between blocks (a cache: all of them are in the store); beyond this the
 * cache is emptied after a commit. 4,096 records of at most 2 KiB: at most 8 MiB of values.
 */
export const RECORD_CACHE_MAX = 4_096;
/** Listeners of the node's events at once; subscribing beyond it throws (a UI leak, loud). */
export const NODE_LISTENERS_MAX = 256;

// --- Intervals --------------------------------------------------------------------------------

/** A join request is re-gossiped this often until the device is a validator. */
export const JOIN_REPEAT_MS = 3_000;
/** Storage usage is refreshed this often for the status. */
export const STORAGE_POLL_MS = 30_000;
/** Pending outbox transactions are re-published this often until they settle. */
export const OUTBOX_RESUBMIT_MS = 5_000;
/** A catch-up that stopped short of its target is retried after this long. */
export const CATCH_UP_RETRY_MS = 1_000;

// --- Submits ----------------------------------------------------------------------------------

/**
 * Most submits signed and stored in one outbox write. Bounds the time one batch holds the submit
 * lock; submits beyond it wait for the next batch.
 */
export const SUBMIT_BATCH_MAX = 128;

// --- Gossip edge ------------------------------------------------------------------------------

/** Consensus messages further ahead than this many heights are ignored (sync catches up). */
export const GOSSIP_HEIGHTS_AHEAD_MAX = 2;

// --- Importing blocks (range sync) ------------------------------------------------------------

/** Signature checks one fetched batch may start ahead (a 64-block batch of full blocks fits). */
export const SYNC_VERIFY_AHEAD_CHECKS_MAX = 16_384;
/** Main-thread time the in-order pass may take before it lets the page handle other events. */
export const SYNC_SLICE_MS = 16;
/** A range sync at least this long opens the node's verify pool (Workers), if it has one. */
export const SYNC_POOL_BLOCKS_MIN = 128;
/** Blocks applied in memory before they are persisted together in one store write. */
export const IMPORT_PERSIST_BLOCKS_MAX = 64;

// --- Private ledgers: key rotation ------------------------------------------------------------

/**
 * After a removal is decided, validators send the rotation that makes it final one after the
 * other, in address order, this far apart: normally the first one's lands and the others see
 * nothing left to do; if it is offline or faulty, the next one's follows.
 */
export const ROTATION_STAGGER_MS = 4_000;
