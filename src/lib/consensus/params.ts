// Every limit and default of the consensus engine in one place (STYLE rule 10: limit everything,
// say the drop policy). These are local policy, not protocol: nodes may differ without forking.

import type { TimeoutParams } from './types';

/**
 * Default timeouts, in ms, as `base + round * delta` per step.
 *
 * Why these numbers: browsers gossip over WebRTC with p95 latency of a few ms on a LAN and
 * ~100-300 ms across the internet; a proposal carries a block of up to 512 KiB that every node
 * validates (re-executes) before prevoting. 1 s for the first propose step leaves room for block
 * transfer plus validation on a slow phone; prevote/precommit only wait for small votes. The
 * deltas make every round after a failed one wait longer, so the timeouts eventually exceed the
 * real (unknown) message delay and the protocol is live under partial synchrony.
 * Throttled background tabs fire timers at most once per second (Chromium), which these values
 * tolerate. Heartbeat: an idle ledger commits an empty block every 30 s (liveness signal, fresh
 * block time) instead of spamming empty blocks. Rebroadcast every 2 s repairs lost gossip.
 */
export const DEFAULT_TIMEOUTS: Readonly<TimeoutParams> = Object.freeze({
  proposeMs: 1_000,
  proposeDeltaMs: 500,
  prevoteMs: 500,
  prevoteDeltaMs: 250,
  precommitMs: 500,
  precommitDeltaMs: 250,
  heartbeatMs: 30_000,
  rebroadcastMs: 2_000,
});

/**
 * Votes and proposals are accepted for rounds up to `round + FUTURE_ROUNDS_MAX` of the current
 * height; further rounds are dropped ('round-too-far'). Within that window every validator can
 * hold at most one prevote and one precommit per round, so memory is bounded by
 * validators x rounds. Honest nodes are never that far ahead: f+1 of a higher round already
 * makes us skip to it (L55).
 */
export const FUTURE_ROUNDS_MAX = 16;

/**
 * Messages for height + 1 that arrive before this node decided are buffered (at most this
 * many) and replayed on 'start-height'. Drop policy: drop-newest when full
 * ('future-height-buffer-full'), one message per (sender, round, kind) (a second one is
 * 'future-height-duplicate'), and only rounds 0..FUTURE_ROUNDS_MAX. Heights beyond + 1 are
 * dropped ('height-too-far'): a node that far behind catches up by block sync, not gossip.
 */
export const FUTURE_HEIGHT_MESSAGES_MAX = 1_024;

/**
 * Distinct proposals kept per round. An honest proposer sends one; an equivocating proposer may
 * send several and the network may commit any of them (L49 needs the decided block), so a few
 * are kept; more are dropped ('proposal-limit').
 */
export const PROPOSALS_PER_ROUND_MAX = 4;

/**
 * Distinct values counted per validator, round and vote type. One is honest; a second is
 * equivocation that still counts for its own value (see vote-keeper.ts); beyond this many, a
 * byzantine validator's further values are ignored so it cannot grow the tallies without bound.
 */
export const EQUIVOCATION_VALUES_MAX = 4;
