// The upon-rules of Algorithm 1, each tagged with its line in the paper. `evaluate` re-checks
// them after every input until none fires: an upon-rule is a condition on the message log and
// the local state, so checking all of them after each change is exactly the paper's semantics,
// and the once-per-round ones remember that they fired (`fired`).

import { fromHex } from '../core/bytes';
import { castVote, requestValidation, scheduleTimeout, startRound } from './actions';
import { buildCommit } from './commit';
import { EngineAssertionError, type EngineState, type StoredProposal } from './state';
import type { Effect } from './types';
import {
  hasQuorumAny,
  hasQuorumFor,
  hasSkipQuorum,
  NIL,
  precommitsFor,
  quorumValues,
  roundsWithVotes,
  type ValueKey,
} from './vote-keeper';

/** Bound on rule firings per input: each firing advances a monotonic flag, so this is never hit. */
const RULE_FIRINGS_PER_INPUT_MAX = 10_000;

export function evaluate(s: EngineState, fx: Effect[]): void {
  for (let firings = 0; firings < RULE_FIRINGS_PER_INPUT_MAX; firings++) {
    if (!fireOneRule(s, fx)) return;
  }
  throw new EngineAssertionError('consensus rules did not settle');
}

function fireOneRule(s: EngineState, fx: Effect[]): boolean {
  if (s.height === 0 || s.decision !== null) return false;
  if (ruleDecide(s, fx)) return true;
  if (ruleSkipRound(s, fx)) return true;
  if (s.step === 'propose' && ruleProposal(s, fx)) return true;
  if ((s.step === 'prevote' || s.step === 'precommit') && rulePolkaForValue(s, fx)) return true;
  if (s.step === 'prevote' && rulePolkaNil(s, fx)) return true;
  if (s.step === 'prevote' && rulePolkaAny(s, fx)) return true;
  if (rulePrecommitAny(s, fx)) return true;
  return false;
}

function fireOnce(s: EngineState, line: string): boolean {
  const key = `${line}:${s.round}`;
  if (s.fired.has(key)) return false;
  s.fired.add(key);
  return true;
}

// L22 and L28: the first proposal of this round, while step = propose.
function ruleProposal(s: EngineState, fx: Effect[]): boolean {
  const first = s.proposals.get(s.round)?.[0];
  if (first === undefined) return false;
  const { value } = first;
  const vr = first.proposal.polRound;
  let vote: ValueKey;
  if (vr === -1) {
    // L22: upon ⟨PROPOSAL, h, round, v, -1⟩ from proposer(h, round) while step = propose
    const validity = s.validity.get(value);
    if (validity === undefined || validity === 'pending') {
      requestValidation(s, first, fx);
      return false;
    }
    const ok = validity === 'valid' && (s.lockedRound === -1 || s.lockedValue === value);
    vote = ok ? value : NIL;
  } else {
    // L28: upon ⟨PROPOSAL, h, round, v, vr⟩ AND 2f+1 ⟨PREVOTE, h, vr, id(v)⟩
    //      while step = propose ∧ (vr ≥ 0 ∧ vr < round)
    if (!hasQuorumFor(s.keeper, vr, 'prevote', value)) return false;
    const validity = s.validity.get(value);
    if (validity === undefined || validity === 'pending') {
      requestValidation(s, first, fx);
      return false;
    }
    const ok = validity === 'valid' && (s.lockedRound <= vr || s.lockedValue === value);
    vote = ok ? value : NIL;
  }
  castVote(s, 'prevote', vote, fx);
  s.step = 'prevote';
  s.waitingForWork = false;
  return true;
}

// L34: upon 2f+1 ⟨PREVOTE, h, round, *⟩ while step = prevote for the first time
function rulePolkaAny(s: EngineState, fx: Effect[]): boolean {
  if (!hasQuorumAny(s.keeper, s.round, 'prevote') || !fireOnce(s, 'L34')) return false;
  scheduleTimeout(s, 'prevote', fx);
  return true;
}

// L36: upon ⟨PROPOSAL, h, round, v, *⟩ AND 2f+1 ⟨PREVOTE, h, round, id(v)⟩
//      while valid(v) ∧ step ≥ prevote for the first time
function rulePolkaForValue(s: EngineState, fx: Effect[]): boolean {
  if (s.fired.has(`L36:${s.round}`)) return false;
  for (const value of quorumValues(s.keeper, s.round, 'prevote')) {
    const stored = s.proposals.get(s.round)?.find((p) => p.value === value);
    if (stored === undefined) continue;
    const validity = s.validity.get(value);
    if (validity === undefined || validity === 'pending') {
      requestValidation(s, stored, fx);
      continue;
    }
    if (validity === 'invalid') continue;
    fireOnce(s, 'L36');
    if (s.step === 'prevote') {
      s.lockedValue = value;
      s.lockedRound = s.round;
      castVote(s, 'precommit', value, fx);
      s.step = 'precommit';
    }
    s.validValue = value;
    s.validRound = s.round;
    return true;
  }
  return false;
}

// L44: upon 2f+1 ⟨PREVOTE, h, round, nil⟩ while step = prevote
function rulePolkaNil(s: EngineState, fx: Effect[]): boolean {
  if (!hasQuorumFor(s.keeper, s.round, 'prevote', NIL)) return false;
  castVote(s, 'precommit', NIL, fx);
  s.step = 'precommit';
  return true;
}

// L47: upon 2f+1 ⟨PRECOMMIT, h, round, *⟩ for the first time
function rulePrecommitAny(s: EngineState, fx: Effect[]): boolean {
  if (!hasQuorumAny(s.keeper, s.round, 'precommit') || !fireOnce(s, 'L47')) return false;
  scheduleTimeout(s, 'precommit', fx);
  return true;
}

// L49: upon ⟨PROPOSAL, h, r, v, *⟩ AND 2f+1 ⟨PRECOMMIT, h, r, id(v)⟩ while decision = nil,
// in ANY round r. The block may come from any accepted proposal of this height carrying v (a
// re-proposal of the same block in another round is the same v).
function ruleDecide(s: EngineState, fx: Effect[]): boolean {
  for (const round of roundsWithVotes(s.keeper)) {
    for (const value of quorumValues(s.keeper, round, 'precommit')) {
      const block = s.blocks.get(value);
      if (block === undefined) continue;
      const validity = s.validity.get(value);
      if (validity === undefined || validity === 'pending') {
        const stored = findProposalOf(s, value);
        if (stored !== undefined) requestValidation(s, stored, fx);
        continue;
      }
      if (validity === 'invalid') continue;
      s.decision = value;
      s.step = 'commit';
      s.waitingForWork = false;
      const commit = buildCommit(
        s.validators,
        s.height,
        round,
        fromHex(value),
        precommitsFor(s.keeper, round, fromHex(value)),
      );
      fx.push({ type: 'decide', block, commit });
      return true;
    }
  }
  return false;
}

function findProposalOf(s: EngineState, value: ValueKey): StoredProposal | undefined {
  for (const stored of s.proposals.values()) {
    const found = stored.find((p) => p.value === value);
    if (found !== undefined) return found;
  }
  return undefined;
}

// L55: upon f+1 ⟨*, h, round, *, *⟩ with round > round_p: StartRound(round).
// Jumps to the highest such round (any of them is allowed; the highest saves steps).
function ruleSkipRound(s: EngineState, fx: Effect[]): boolean {
  let target = -1;
  for (const round of roundsWithVotes(s.keeper)) {
    if (round > s.round && hasSkipQuorum(s.keeper, round)) target = round;
  }
  if (target === -1) return false;
  startRound(s, target, fx);
  return true;
}
