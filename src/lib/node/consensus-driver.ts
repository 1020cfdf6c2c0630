// The consensus driver: the one place that runs the pure engine (consensus/engine.ts) for a
// node. It owns the engine state, performs every effect the engine asks for and feeds the
// results back as inputs, owns the engine's timers, signs only through the signer guard
// (persist before publish), and resumes after a restart or a validator hand-over from the
// persisted signer state, replaying the votes it signed before. What blocks to propose, whether
// a block is valid and what committing means are the host's business (consensus-host.ts), as
// in Malachite's split between the consensus actor and the host.
//
// Every method runs inside the node's serial queue (the caller's job); timers re-enter through
// `run`, which enqueues.

import { createEngine, engineStatus, step, type EngineState } from '../consensus/engine';
import type { EngineStatus } from '../consensus/engine';
import { restartPoint } from '../consensus/signer-guard';
import type { Effect, Input, TimeoutParams } from '../consensus/types';
import { toHex } from '../core/bytes';
import { precommitTimestamp } from '../core/block-time';
import { blockHash } from '../core/hash';
import type { Signer } from '../core/signing';
import type { LedgerState } from '../core/state';
import type { Block, Commit, Evidence, ProposalMessage, Vote } from '../core/types';
import { exceedsTwoThirds, findValidator } from '../core/validators';
import type { Clock, Timers } from './clock';
import { ENGINE_INPUTS_PER_EVENT_MAX } from './params';
import { SignRefusedError, type SignerGuard } from './signer-guard';

/** What the driver asks of the rest of the node. */
export interface ConsensusHost {
  /** The committed state: its height is the last committed block. */
  state(): LedgerState;
  /** Transactions, evidence or a validator change are waiting: worth proposing a block. */
  hasWork(): boolean;
  /** The block this node proposes at (height, round) on top of the committed state. */
  proposeBlock(height: number, round: number): Promise<Block>;
  /** Full validation of a proposed block as the next one. */
  isValid(block: Block): Promise<boolean>;
  /** Commit a decided block with its commit; false if it could not be committed. */
  decided(block: Block, commit: Commit): Promise<boolean>;
  /** The engine saw an equivocation. */
  evidence(evidence: Evidence): void;
}

/** Where the driver's messages go (the network, and other tabs where relevant). */
export interface ConsensusOutbound {
  proposal(message: ProposalMessage): void;
  vote(vote: Vote): void;
  /** The rebroadcast timer fired: repeat what gossip may have lost besides votes. */
  rebroadcast(): void;
}

export interface ConsensusDriverInit {
  chainId: string;
  /** This device's validator address. */
  address: string;
  timeouts?: Partial<TimeoutParams>;
}

export interface ConsensusDriverComponents {
  host: ConsensusHost;
  outbound: ConsensusOutbound;
  guard: SignerGuard;
  signer: Signer;
  clock: Clock;
  timers: Timers;
  /** Runs `task` in the node's serial queue (timers re-enter here). */
  run(task: () => Promise<void>): void;
  /** Whether this tab holds the device's validator role now (Web Locks decide across tabs). */
  mayValidate(): boolean;
}

export class EngineLoopError extends Error {
  override readonly name = 'EngineLoopError';
}

export class ConsensusDriver {
  readonly #init: ConsensusDriverInit;
  readonly #c: ConsensusDriverComponents;
  readonly #cancelTimers = new Set<() => void>();
  #engine: EngineState;
  /** The next start-height begins a fresh engine and must resume from the signer state. */
  #resumePending = true;
  /** Votes signed at the current height before this engine started (see #replaySignedVotes). */
  #replayedVotes: Vote[] = [];
  #running = false;
  #lastProposeMs: number | null = null;

  constructor(init: ConsensusDriverInit, components: ConsensusDriverComponents) {
    this.#init = init;
    this.#c = components;
    this.#engine = this.#freshEngine();
  }

  status(): EngineStatus {
    return engineStatus(this.#engine);
  }

  /** When this height's block was first proposed or seen (for finality), or null. */
  get proposedAtMs(): number | null {
    return this.#lastProposeMs;
  }

  /** The engine's blocks (a proposal's block by hash), for the guard's lock. */
  #knownBlock(hash: Uint8Array): Block | undefined {
    return this.#engine.blocks.get(toHex(hash));
  }

  start(): Promise<void> {
    this.#running = true;
    return this.startHeight();
  }

  stop(): void {
    this.#running = false;
    this.#cancelAllTimers();
  }

  /**
   * A fresh engine at the current height (the validator role moved to or from this tab): it
   * resumes from the persisted signer state, so the hand-over cannot double-sign.
   */
  async restart(): Promise<void> {
    this.#cancelAllTimers();
    this.#engine = this.#freshEngine();
    this.#resumePending = true;
    await this.startHeight();
  }

  /** Step the engine with one input and perform everything it cascades into. */
  async input(first: Input): Promise<void> {
    if (!this.#running) return;
    const work: Input[] = [first];
    let steps = 0;
    while (work.length > 0 && this.#running) {
      if (++steps > ENGINE_INPUTS_PER_EVENT_MAX) {
        throw new EngineLoopError(`more than ${ENGINE_INPUTS_PER_EVENT_MAX} inputs for one event`);
      }
      const input = work.shift() as Input;
      const result = step(this.#engine, input);
      this.#engine = result.state;
      for (const effect of result.effects) {
        if (!this.#running) return;
        await this.#perform(effect, work);
      }
    }
  }

  /** Start consensus on head + 1 unless the engine is already there. */
  async startHeight(): Promise<void> {
    if (!this.#running) return;
    const input = this.#startHeightInput();
    if (!input) return;
    if (this.#resumePending) {
      // First height of a fresh engine (tab start or validator hand-over): resume in the last
      // round this device signed at that height, with the lock it held, so the guard's refusals
      // cannot stall it and it cannot prevote against its own earlier precommit.
      this.#resumePending = false;
      const self = input.self === null ? undefined : findValidator(input.validators, input.self);
      if (self) {
        const resume = restartPoint(
          await this.#c.guard.last(),
          input.height,
          exceedsTwoThirds(self.power, input.validators),
        );
        input.round = resume.round;
        input.lock = resume.lock;
        await this.input(input);
        await this.#replaySignedVotes(input.height);
        return;
      }
    }
    await this.input(input);
  }

  #startHeightInput(): Extract<Input, { type: 'start-height' }> | null {
    const state = this.#c.host.state();
    const height = state.height + 1;
    if (engineStatus(this.#engine).height >= height) return null;
    const isValidator = findValidator(state.validators, this.#init.address) !== undefined;
    this.#lastProposeMs = null;
    return {
      type: 'start-height',
      height,
      validators: state.validators,
      self: isValidator && this.#c.mayValidate() ? this.#init.address : null,
      hasWork: this.#c.host.hasWork(),
    };
  }

  /**
   * Re-count and re-publish the votes an earlier incarnation (a closed tab, a crash, the
   * previous holder of the validator role) signed at `height`: the fresh engine never saw them,
   * and the guard will not sign different ones at those steps. They ride on the rebroadcast
   * timer too, until the height is decided.
   */
  async #replaySignedVotes(height: number): Promise<void> {
    this.#replayedVotes = await this.#c.guard.votesAt(height);
    for (const vote of this.#replayedVotes) {
      this.#c.outbound.vote(vote);
      await this.input({ type: 'vote', vote });
    }
  }

  async #perform(effect: Effect, work: Input[]): Promise<void> {
    const { clock, guard, signer, host, outbound } = this.#c;
    switch (effect.type) {
      case 'get-block':
        this.#lastProposeMs = clock.nowMs();
        work.push({
          type: 'block-to-propose',
          height: effect.height,
          round: effect.round,
          block: await host.proposeBlock(effect.height, effect.round),
        });
        return;
      case 'sign-proposal':
        try {
          const proposal = await guard.signProposal(effect.proposal, signer);
          work.push({ type: 'proposal-signed', proposal, block: effect.block });
        } catch (error) {
          if (!(error instanceof SignRefusedError)) throw error;
        }
        return;
      case 'sign-vote':
        try {
          // A non-nil precommit locks: the guard persists the block with the lock, so a
          // restarted lone validator can still re-propose it.
          const locked =
            effect.vote.type === 'precommit' && effect.vote.blockHash !== null
              ? this.#knownBlock(effect.vote.blockHash)
              : undefined;
          // A precommit is never stamped before its block: the next block's BFT time is the
          // median of these stamps, and must come after this block's.
          const stampMs = locked
            ? precommitTimestamp(clock.nowMs(), locked.header.time)
            : clock.nowMs();
          const vote = await guard.signVote(effect.vote, signer, stampMs, locked);
          work.push({ type: 'vote-signed', vote });
        } catch (error) {
          if (!(error instanceof SignRefusedError)) throw error;
        }
        return;
      case 'broadcast-proposal':
        outbound.proposal({ proposal: effect.proposal, block: effect.block });
        return;
      case 'broadcast-vote':
        outbound.vote(effect.vote);
        return;
      case 'validate-block':
        this.#lastProposeMs ??= clock.nowMs();
        work.push({
          type: 'block-validity',
          height: effect.height,
          round: effect.round,
          blockHash: blockHash(effect.block),
          valid: await host.isValid(effect.block),
        });
        return;
      case 'schedule-timeout':
        this.#after(effect.durationMs, {
          type: 'timeout',
          kind: effect.kind,
          height: effect.height,
          round: effect.round,
        });
        return;
      case 'schedule-heartbeat':
        this.#after(effect.durationMs, { type: 'heartbeat-due', height: effect.height });
        return;
      case 'schedule-rebroadcast':
        this.#after(effect.durationMs, { type: 'rebroadcast-due', height: effect.height }, () => {
          for (const vote of this.#replayedVotes) {
            if (vote.height === effect.height) outbound.vote(vote);
          }
          outbound.rebroadcast();
        });
        return;
      case 'decide':
        if (await host.decided(effect.block, effect.commit)) {
          const next = this.#startHeightInput();
          if (next) work.push(next);
        }
        return;
      case 'evidence':
        host.evidence(effect.evidence);
        return;
      case 'dropped':
        return;
      default: {
        const unreachable: never = effect;
        throw new Error(`unknown effect ${JSON.stringify(unreachable)}`);
      }
    }
  }

  /** Feed `input` after `delayMs`, through the serial queue; `also` runs when it fires. */
  #after(delayMs: number, input: Input, also?: () => void): void {
    const cancel = this.#c.timers.after(delayMs, () => {
      this.#cancelTimers.delete(cancel);
      if (!this.#running) return;
      also?.();
      this.#c.run(() => this.input(input));
    });
    this.#cancelTimers.add(cancel);
  }

  #cancelAllTimers(): void {
    for (const cancel of this.#cancelTimers) cancel();
    this.#cancelTimers.clear();
  }

  #freshEngine(): EngineState {
    return createEngine({ chainId: this.#init.chainId, timeouts: this.#init.timeouts });
  }
}
