// The vote keeper: turns single votes of one height into tallies by voting power, per round and
// vote type (Malachite's core-votekeeper). It answers the threshold questions of Algorithm 1
// (2f+1 for a value, 2f+1 for anything, f+1 of a round) with exact integer arithmetic.
//
// - A validator's vote counts once for its value; the identical vote again is ignored
//   (rebroadcast makes that normal).
// - A second vote for a different value is equivocation: both signed votes become evidence,
//   once per (round, type, validator). The conflicting vote still counts for ITS value (the
//   paper's "2f+1 ⟨PREVOTE, h, r, id(v)⟩" counts senders of that message), but the validator's
//   power counts once in the any-value and round-skip tallies. Otherwise honest nodes that
//   received the two twins' votes in different orders would see different polkas and could stay
//   locked on different blocks forever. Safety is unaffected: quorums still intersect in more
//   than f honest power. At most EQUIVOCATION_VALUES_MAX values per validator are counted, plus
//   any value another validator also voted for: an equivocator cannot fill its quota with junk
//   first and so hide its vote for a real polka from some honest nodes (memory stays bounded:
//   each value beyond the quota has another validator's vote behind it).
// - Votes of any round are kept (the engine bounds the window: FUTURE_ROUNDS_MAX), since L28
//   and L49 look at past rounds and L55 at future ones.

import { toHex } from '../core/bytes';
import { EQUIVOCATION_VALUES_MAX } from './params';
import type {
  Address,
  DuplicateVoteEvidence,
  Hash,
  ValidatorSet,
  Vote,
  VoteType,
} from '../core/types';

/** Key of a vote's value in the tallies: lowercase hex of the block hash, or 'nil'. */
export type ValueKey = string;
export const NIL: ValueKey = 'nil';

export function valueKey(blockHash: Hash | null): ValueKey {
  return blockHash === null ? NIL : toHex(blockHash);
}

export interface VoteTally {
  /** Each validator's votes by value, its first vote first (more than one = equivocation). */
  votes: Map<Address, Map<ValueKey, Vote>>;
  /** Power behind each value. */
  powerByValue: Map<ValueKey, number>;
  /** Power of all validators that voted this type in this round, whatever the value. */
  powerAny: number;
  /** Validators already reported as equivocating at this (round, type). */
  equivocators: Set<Address>;
}

export interface RoundVotes {
  prevote: VoteTally;
  precommit: VoteTally;
  /** Power of the validators that sent any vote in this round (L55 counts senders once). */
  senderPower: number;
  senders: Set<Address>;
}

export interface VoteKeeper {
  validators: ValidatorSet;
  powerOf: Map<Address, number>;
  rounds: Map<number, RoundVotes>;
}

export type AddVoteResult =
  | { outcome: 'added' }
  | { outcome: 'duplicate' }
  | { outcome: 'not-a-validator' }
  /** `counted`: the conflicting vote was added to its value's tally (thresholds may change). */
  | { outcome: 'equivocation'; evidence: DuplicateVoteEvidence | null; counted: boolean };

export function createVoteKeeper(validators: ValidatorSet): VoteKeeper {
  const powerOf = new Map<Address, number>();
  for (const validator of validators.validators) powerOf.set(validator.address, validator.power);
  return { validators, powerOf, rounds: new Map() };
}

function emptyTally(): VoteTally {
  return { votes: new Map(), powerByValue: new Map(), powerAny: 0, equivocators: new Set() };
}

function roundVotes(keeper: VoteKeeper, round: number): RoundVotes {
  let votes = keeper.rounds.get(round);
  if (votes === undefined) {
    votes = { prevote: emptyTally(), precommit: emptyTally(), senderPower: 0, senders: new Set() };
    keeper.rounds.set(round, votes);
  }
  return votes;
}

/**
 * Record a vote (height, chain and signature already checked by the caller). Mutates the keeper.
 */
export function addVote(keeper: VoteKeeper, vote: Vote): AddVoteResult {
  const power = keeper.powerOf.get(vote.validator);
  if (power === undefined) return { outcome: 'not-a-validator' };
  const round = roundVotes(keeper, vote.round);
  const tally = round[vote.type];
  const key = valueKey(vote.blockHash);
  const byValue = tally.votes.get(vote.validator);
  if (byValue === undefined) {
    tally.votes.set(vote.validator, new Map([[key, vote]]));
    tally.powerByValue.set(key, (tally.powerByValue.get(key) ?? 0) + power);
    tally.powerAny += power;
    if (!round.senders.has(vote.validator)) {
      round.senders.add(vote.validator);
      round.senderPower += power;
    }
    return { outcome: 'added' };
  }
  if (byValue.has(key)) return { outcome: 'duplicate' };
  let evidence: DuplicateVoteEvidence | null = null;
  if (!tally.equivocators.has(vote.validator)) {
    tally.equivocators.add(vote.validator);
    const first = byValue.values().next().value as Vote;
    evidence = { kind: 'duplicate-vote', voteA: first, voteB: vote };
  }
  const backedByOthers = (tally.powerByValue.get(key) ?? 0) > 0;
  if (byValue.size >= EQUIVOCATION_VALUES_MAX && !backedByOthers) {
    return { outcome: 'equivocation', evidence, counted: false };
  }
  byValue.set(key, vote);
  tally.powerByValue.set(key, (tally.powerByValue.get(key) ?? 0) + power);
  return { outcome: 'equivocation', evidence, counted: true };
}

/** 2f+1: more than two thirds of the total power (exact: 3 * power > 2 * total). */
export function isQuorum(power: number, totalPower: number): boolean {
  return 3 * power > 2 * totalPower;
}

/** f+1: more than one third of the total power (3 * power > total): at least one honest. */
export function isOneThird(power: number, totalPower: number): boolean {
  return 3 * power > totalPower;
}

/** 2f+1 votes of `type` in `round` for `value` (a block hash key, or NIL). */
export function hasQuorumFor(
  keeper: VoteKeeper,
  round: number,
  type: VoteType,
  value: ValueKey,
): boolean {
  const power = keeper.rounds.get(round)?.[type].powerByValue.get(value) ?? 0;
  return isQuorum(power, keeper.validators.totalPower);
}

/** 2f+1 votes of `type` in `round`, for any values together. */
export function hasQuorumAny(keeper: VoteKeeper, round: number, type: VoteType): boolean {
  const power = keeper.rounds.get(round)?.[type].powerAny ?? 0;
  return isQuorum(power, keeper.validators.totalPower);
}

/** f+1 of the power sent some vote in `round` (L55). */
export function hasSkipQuorum(keeper: VoteKeeper, round: number): boolean {
  const power = keeper.rounds.get(round)?.senderPower ?? 0;
  return isOneThird(power, keeper.validators.totalPower);
}

/** Values (not nil) that have 2f+1 of `type` in `round`. At most one can, unless > 1/3 is faulty. */
export function quorumValues(keeper: VoteKeeper, round: number, type: VoteType): ValueKey[] {
  const tally = keeper.rounds.get(round)?.[type];
  if (tally === undefined) return [];
  const out: ValueKey[] = [];
  for (const [value, power] of tally.powerByValue) {
    if (value !== NIL && isQuorum(power, keeper.validators.totalPower)) out.push(value);
  }
  return out;
}

/**
 * Precommits of `round` for building the Commit of `blockHash`: per validator its precommit for
 * that block if it sent one (an equivocator's matching vote included), else its first one.
 */
export function precommitsFor(
  keeper: VoteKeeper,
  round: number,
  blockHash: Hash,
): Map<Address, Vote> {
  const key = valueKey(blockHash);
  const out = new Map<Address, Vote>();
  for (const [validator, byValue] of keeper.rounds.get(round)?.precommit.votes ?? []) {
    const vote = byValue.get(key) ?? (byValue.values().next().value as Vote);
    out.set(validator, vote);
  }
  return out;
}

/** The first vote of `type` by `validator` in `round`, if any. */
export function voteOf(
  keeper: VoteKeeper,
  round: number,
  type: VoteType,
  validator: Address,
): Vote | undefined {
  const byValue = keeper.rounds.get(round)?.[type].votes.get(validator);
  return byValue?.values().next().value;
}

/** Every prevote of `round` for `value` held (one per validator), for proof-of-lock relay. */
export function prevotesFor(keeper: VoteKeeper, round: number, value: ValueKey): Vote[] {
  const votes: Vote[] = [];
  for (const byValue of keeper.rounds.get(round)?.prevote.votes.values() ?? []) {
    const vote = byValue.get(value);
    if (vote !== undefined) votes.push(vote);
  }
  return votes;
}

/** Rounds with any vote, ascending. */
export function roundsWithVotes(keeper: VoteKeeper): number[] {
  return [...keeper.rounds.keys()].sort((a, b) => a - b);
}
