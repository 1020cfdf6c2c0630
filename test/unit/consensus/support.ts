// Helpers for the consensus engine's table tests.
//
// Signatures here are FAKE (64 bytes of a marker): the engine never verifies signatures (the
// driver does, before a message becomes an input), so engine tests use real Block, Vote and
// Proposal objects with placeholder signature bytes. Validator sets, addresses and block hashes
// are real (core's makeValidatorSet and blockHash).
//
// Effects are summarized as short strings so each test reads as a table of
// `input -> expected effects`, e.g. 'sign-vote prevote r0 A', 'schedule-timeout prevote r0 500'.

import { expect } from 'vitest';
import {
  createEngine,
  step,
  type EngineParams,
  type EngineState,
} from '../../../src/lib/consensus/engine';
import { proposerFor } from '../../../src/lib/consensus/proposer';
import type { Effect, Input, TimeoutParams } from '../../../src/lib/consensus/types';
import { toHex } from '../../../src/lib/core/bytes';
import { blockHash, ZERO_HASH } from '../../../src/lib/core/hash';
import type { Block, Proposal, ValidatorSet, Vote, VoteType } from '../../../src/lib/core/types';
import { makeValidatorSet } from '../../../src/lib/core/validators';

export const CHAIN = 'c'.repeat(64);
export const FAKE_SIGNATURE = new Uint8Array(64).fill(0x5a);

/** Round timeouts small and distinct so effects show which one was scheduled. */
export const TEST_TIMEOUTS: TimeoutParams = {
  proposeMs: 1000,
  proposeDeltaMs: 500,
  prevoteMs: 500,
  prevoteDeltaMs: 250,
  precommitMs: 600,
  precommitDeltaMs: 300,
  heartbeatMs: 30_000,
  rebroadcastMs: 0,
};

export interface Net {
  set: ValidatorSet;
  /** Addresses in set order. */
  addresses: string[];
  /** Block labels by block hash hex, for summaries. */
  labels: Map<string, string>;
  blocks: Map<string, Block>;
}

/** A validator set with these powers (fake public keys 1, 2, 3...; addresses are real). */
export function makeNet(powers: number[]): Net {
  const set = makeValidatorSet(
    powers.map((power, i) => ({ publicKey: new Uint8Array(32).fill(i + 1), power })),
  );
  return {
    set,
    addresses: set.validators.map((v) => v.address),
    labels: new Map(),
    blocks: new Map(),
  };
}

/** A real block of `height`, distinct per label (the label goes into the header time). */
export function makeBlock(net: Net, height: number, label: string): Block {
  const existing = net.blocks.get(`${height}:${label}`);
  if (existing) return existing;
  const time = 1_700_000_000_000 + height * 1000 + label.charCodeAt(0);
  const block: Block = {
    header: {
      chainId: CHAIN,
      height,
      time,
      previousHash: ZERO_HASH,
      lastCommitHash: ZERO_HASH,
      txsRoot: ZERO_HASH,
      evidenceHash: ZERO_HASH,
      stateRoot: ZERO_HASH,
      validatorsHash: ZERO_HASH,
      nextValidatorsHash: ZERO_HASH,
      proposer: net.addresses[0]!,
    },
    txs: [],
    lastCommit: null,
    evidence: [],
  };
  net.blocks.set(`${height}:${label}`, block);
  net.labels.set(toHex(blockHash(block)), label);
  return block;
}

export function hashOf(block: Block): Uint8Array {
  return blockHash(block);
}

export function proposerAt(net: Net, height: number, round: number): string {
  return proposerFor(net.set, height, round).proposer;
}

/** Index (in set order) of the proposer of (height, round). */
export function proposerIndex(net: Net, height: number, round: number): number {
  return net.addresses.indexOf(proposerAt(net, height, round));
}

/** A validator index that is not the proposer of any of the given rounds at `height`. */
export function nonProposer(net: Net, height: number, rounds: number[]): number {
  const proposers = new Set(rounds.map((r) => proposerIndex(net, height, r)));
  const index = net.addresses.findIndex((_, i) => !proposers.has(i));
  if (index === -1) throw new Error('every validator proposes one of these rounds');
  return index;
}

export function vote(
  net: Net,
  type: VoteType,
  validator: number,
  height: number,
  round: number,
  block: Block | null,
  timestamp = 1_700_000_000_000 + validator,
): Vote {
  return {
    chainId: CHAIN,
    height,
    round,
    type,
    blockHash: block === null ? null : hashOf(block),
    timestamp,
    validator: net.addresses[validator]!,
    signature: FAKE_SIGNATURE,
  };
}

export function proposal(
  net: Net,
  height: number,
  round: number,
  block: Block,
  polRound = -1,
  proposer = proposerAt(net, height, round),
): Proposal {
  return {
    chainId: CHAIN,
    height,
    round,
    polRound,
    blockHash: hashOf(block),
    proposer,
    signature: FAKE_SIGNATURE,
  };
}

// Inputs, shortened.
export const inputs = {
  start(net: Net, height: number, self: number | null, hasWork = true): Input {
    return {
      type: 'start-height',
      height,
      validators: net.set,
      self: self === null ? null : net.addresses[self]!,
      hasWork,
    };
  },
  proposal(net: Net, height: number, round: number, block: Block, polRound = -1): Input {
    return { type: 'proposal', proposal: proposal(net, height, round, block, polRound), block };
  },
  vote(
    net: Net,
    type: VoteType,
    validator: number,
    height: number,
    round: number,
    block: Block | null,
  ): Input {
    return { type: 'vote', vote: vote(net, type, validator, height, round, block) };
  },
  valid(height: number, round: number, block: Block, valid = true): Input {
    return { type: 'block-validity', height, round, blockHash: hashOf(block), valid };
  },
  timeout(kind: 'propose' | 'prevote' | 'precommit', height: number, round: number): Input {
    return { type: 'timeout', kind, height, round };
  },
};

function label(net: Net, hash: Uint8Array | null): string {
  if (hash === null) return 'nil';
  return net.labels.get(toHex(hash)) ?? `#${toHex(hash).slice(0, 8)}`;
}

/** One line per effect; validators by set index (v0, v1, ...). */
export function summarize(net: Net, effect: Effect): string {
  const who = (address: string) => `v${net.addresses.indexOf(address)}`;
  switch (effect.type) {
    case 'get-block':
      return `get-block r${effect.round}`;
    case 'sign-proposal':
      return `sign-proposal r${effect.proposal.round} ${label(net, effect.proposal.blockHash)} pol${effect.proposal.polRound}`;
    case 'sign-vote':
      return `sign-vote ${effect.vote.type} r${effect.vote.round} ${label(net, effect.vote.blockHash)}`;
    case 'broadcast-proposal':
      return `broadcast-proposal r${effect.proposal.round} ${label(net, effect.proposal.blockHash)}`;
    case 'broadcast-vote':
      return `broadcast-vote ${effect.vote.type} r${effect.vote.round} ${label(net, effect.vote.blockHash)} ${who(effect.vote.validator)}`;
    case 'validate-block':
      return `validate-block r${effect.round} ${label(net, hashOf(effect.block))}`;
    case 'schedule-timeout':
      return `schedule-timeout ${effect.kind} r${effect.round} ${effect.durationMs}`;
    case 'schedule-heartbeat':
      return `schedule-heartbeat h${effect.height} ${effect.durationMs}`;
    case 'schedule-rebroadcast':
      return `schedule-rebroadcast h${effect.height} ${effect.durationMs}`;
    case 'decide':
      return `decide ${label(net, hashOf(effect.block))} r${effect.commit.round}`;
    case 'evidence':
      return `evidence ${who(effect.evidence.voteA.validator)} ${effect.evidence.voteA.type} r${effect.evidence.voteA.round}`;
    case 'dropped':
      return `dropped ${effect.reason}`;
  }
}

/** A scripted engine: feed inputs, get summarized effects; signing is echoed back on request. */
export class Script {
  state: EngineState;
  readonly log: Effect[] = [];
  constructor(
    readonly net: Net,
    params: Partial<EngineParams> = {},
  ) {
    this.state = createEngine({ chainId: CHAIN, timeouts: TEST_TIMEOUTS, ...params });
  }

  /** Feed one input; returns the effects as summary lines. */
  feed(input: Input): string[] {
    const result = step(this.state, input);
    this.state = result.state;
    this.log.push(...result.effects);
    return result.effects.map((effect) => summarize(this.net, effect));
  }

  /** The last effect of a type (to echo a signature request back). */
  last<T extends Effect['type']>(type: T): Extract<Effect, { type: T }> {
    for (let i = this.log.length - 1; i >= 0; i--) {
      const effect = this.log[i]!;
      if (effect.type === type) return effect as Extract<Effect, { type: T }>;
    }
    throw new Error(`no ${type} effect`);
  }

  /** Answer the last sign-vote request with a (fake-)signed vote. */
  signLastVote(timestamp = 1_700_000_000_999): string[] {
    const request = this.last('sign-vote');
    return this.feed({
      type: 'vote-signed',
      vote: { ...request.vote, timestamp, signature: FAKE_SIGNATURE },
    });
  }

  /** Run a table: every row's effects must match exactly, in order. */
  runTable(rows: Row[]): void {
    runTable(this, rows);
  }

  /** Answer the last sign-proposal request. */
  signLastProposal(): string[] {
    const request = this.last('sign-proposal');
    return this.feed({
      type: 'proposal-signed',
      proposal: { ...request.proposal, signature: FAKE_SIGNATURE },
      block: request.block,
    });
  }
}

/** A table row: an input and exactly the effects it must produce. */
export interface Row {
  input: Input | ((script: Script) => string[]);
  effects: string[];
  note?: string;
}

/** Run a table: every row's effects must match exactly, in order. */
export function runTable(script: Script, rows: Row[]): void {
  rows.forEach((row, i) => {
    const got = typeof row.input === 'function' ? row.input(script) : script.feed(row.input);
    expect(got, `row ${i}${row.note ? ` (${row.note})` : ''}`).toEqual(row.effects);
  });
}
