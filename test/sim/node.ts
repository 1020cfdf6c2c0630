// One simulated node: a small driver around the pure consensus engine. It performs the
// engine's effects (sign through the signer guard, broadcast on the simulated network, build
// blocks from its mempool, validate and apply blocks with the core) and feeds the results back
// as inputs. Byzantine behaviours hook in at the few points where a real attacker would
// deviate (see byzantine.ts).
//
// Crash semantics: the committed chain (blocks, commits, ledger state) and the signer state are
// durable, as IndexedDB is for a real tab; the engine, mempool, evidence pool and pending work
// are memory and are lost. A restarted node resumes at its next height with a fresh engine.

import { createEngine, engineStatus, step, type EngineState } from '../../src/lib/consensus/engine';
import type { Effect, Input, TimeoutParams } from '../../src/lib/consensus/types';
import { applyBlock, applyChanges, checkTx } from '../../src/lib/core/apply';
import {
  blockSignatureChecks,
  buildBlock,
  commitSlotVote,
  evidenceSetForHeight,
} from '../../src/lib/core/block';
import { bytesEqual, toHex } from '../../src/lib/core/bytes';
import { encodeTx } from '../../src/lib/core/encoding';
import { addressOf, blockHash, txHash } from '../../src/lib/core/hash';
import { BLOCK_BYTES_MAX, BLOCK_EVIDENCE_MAX, BLOCK_TXS_MAX } from '../../src/lib/core/params';
import { proposalSignBytes, txSignBytes, voteSignBytes } from '../../src/lib/core/signing';
import type { LedgerState } from '../../src/lib/core/state';
import type {
  Block,
  Commit,
  Evidence,
  Proposal,
  ProposalMessage,
  Tx,
  UnsignedVote,
  Vote,
} from '../../src/lib/core/types';
import { validateBlock } from '../../src/lib/core/validate';
import { exceedsTwoThirds, findValidator } from '../../src/lib/core/validators';
import { Mempool } from '../../src/lib/node/mempool';
import type { ByzantineBehaviour } from './faults';
import type { InvariantChecker, SignKind } from './invariants';
import type { Prng } from './prng';
import type { CachedVerifier, SimKey } from './sim-crypto';
import { createMemorySignerStateStore } from '../../src/lib/node/memory-signer-state';
import {
  createSignerGuard,
  SIGNED_VOTES_KEPT_MAX,
  SignRefusedError,
  type SignerGuard,
} from '../../src/lib/node/signer-guard';
import { restartPoint } from '../../src/lib/consensus/signer-guard';
import type { ConsensusLock, SignedState } from '../../src/lib/consensus/types';
import { decodeWire, encodeWire, SYNC_BLOCKS_PER_REPLY_MAX, type WireMessage } from './wire';

/** Pending evidence a node keeps; the oldest is dropped beyond this. */
export const EVIDENCE_POOL_MAX = 256;
/** A node asks a peer for missing blocks at most this often. */
export const SYNC_REQUEST_INTERVAL_MS = 500;
/** Inputs one external event may cascade into; more means the engine loops (a bug). */
export const INPUTS_PER_EVENT_MAX = 10_000;

/** What the simulation provides to each node. */
export interface NodeEnvironment {
  now(): number;
  genesisTimeMs: number;
  chainId: string;
  timeouts: Partial<TimeoutParams>;
  verifier: CachedVerifier;
  checker: InvariantChecker;
  /** Sends to every other node (each copy goes through the fault model). */
  broadcast(from: number, bytes: Uint8Array): void;
  sendTo(from: number, to: number, bytes: Uint8Array): void;
  /** Every node index except `from`. */
  peersOf(from: number): number[];
  /** Delivers `input` to node `node` after `delayMs`, unless it crashed in between. */
  schedule(node: number, incarnation: number, delayMs: number, input: TimerInput): void;
  /**
   * Pause between deciding a height and starting the next (Tendermint's timeout_commit), so
   * late precommits still arrive and heights are paced like a real network's.
   */
  commitWaitMs: number;
}

/** An engine input, or the driver's own 'start the next height now'. */
export type TimerInput = Input | { type: 'sim-start-height' };

export interface NodeConfig {
  index: number;
  key: SimKey;
  address: string;
  /** Byzantine behaviour, or null for an honest node. */
  behaviour: ByzantineBehaviour | null;
  /** Negative control: this honest-looking node commits a different block at this height. */
  brokenCommitAtHeight?: number;
  prng: Prng;
}

export interface NodeStats {
  decided: number;
  synced: number;
  signed: number;
  guardRefusals: number;
  /** Restarts at a height this validator had already signed at (resumed via restartPoint). */
  restartsMidHeight: number;
  dropped: Map<string, number>;
  garbageRejected: number;
}

interface Decided {
  block: Block;
  commit: Commit;
}

/** Hooks a byzantine behaviour may override; honest nodes use the defaults. */
export interface NodeHooks {
  /** The block the node proposes (an invalid-proposal node corrupts it). */
  shapeBlock(node: SimNode, block: Block): Block;
  /** Called instead of a plain broadcast of the node's proposal. */
  sendProposal(node: SimNode, message: ProposalMessage): Promise<void>;
  /** Called instead of a plain broadcast of the node's vote. */
  sendVote(node: SimNode, vote: Vote): Promise<void>;
  /** Whether signing goes through the signer guard (byzantine nodes sign whatever they like). */
  useGuard: boolean;
  /** Lets a behaviour rewrite engine state before each input (amnesia forgets its lock). */
  beforeInput(node: SimNode, input: Input): void;
  /** A silent node sends nothing. */
  muted: boolean;
}

export const HONEST_HOOKS: NodeHooks = {
  shapeBlock: (_node, block) => block,
  sendProposal: async (node, message) => node.broadcast({ type: 'proposal', message }),
  sendVote: async (node, vote) => node.broadcast({ type: 'vote', vote }),
  useGuard: true,
  beforeInput: () => {},
  muted: false,
};

export class SimNode {
  readonly index: number;
  readonly address: string;
  readonly key: SimKey;
  readonly behaviour: ByzantineBehaviour | null;
  readonly prng: Prng;
  readonly stats: NodeStats = {
    decided: 0,
    synced: 0,
    signed: 0,
    guardRefusals: 0,
    restartsMidHeight: 0,
    dropped: new Map(),
    garbageRejected: 0,
  };
  hooks: NodeHooks = HONEST_HOOKS;

  // Durable across crashes.
  readonly ledger: LedgerState;
  readonly chain = new Map<number, Decided>();
  readonly signerStore = createMemorySignerStateStore();
  /**
   * The votes this node signed at its current height, kept durably (a consensus WAL). A
   * restarted node re-counts and re-broadcasts them: the signer guard refuses to sign a
   * different vote at the same step, so without them a vote lost in flight before a crash is
   * lost for good, and a round whose prevote quorum needs it never ends.
   */
  readonly signedVotes = new Map<string, Vote>();

  // Memory, lost on crash.
  up = false;
  incarnation = 0;
  engine: EngineState;
  private guard: SignerGuard | null = null;
  private mempool = new Mempool();
  private evidencePool = new Map<string, Evidence>();
  private lastSyncRequestMs = -Infinity;
  private readonly brokenCommitAtHeight: number | undefined;

  constructor(
    config: NodeConfig,
    genesisState: LedgerState,
    readonly env: NodeEnvironment,
  ) {
    this.index = config.index;
    this.address = config.address;
    this.key = config.key;
    this.behaviour = config.behaviour;
    this.prng = config.prng;
    this.brokenCommitAtHeight = config.brokenCommitAtHeight;
    this.ledger = genesisState;
    this.engine = createEngine({ chainId: env.chainId, timeouts: env.timeouts });
  }

  get honest(): boolean {
    return this.behaviour === null;
  }

  /** The height this node is working on (one past its last committed block). */
  get height(): number {
    return this.ledger.height + 1;
  }

  get round(): number {
    return engineStatus(this.engine).round;
  }

  get chainId(): string {
    return this.env.chainId;
  }

  /** (Re)start: fresh memory, durable signer state, engine at the next height. */
  async start(): Promise<void> {
    this.up = true;
    this.engine = createEngine({ chainId: this.env.chainId, timeouts: this.env.timeouts });
    // The real node's guard over a store that keeps only completed saves across crashes.
    this.guard = createSignerGuard(this.signerStore);
    this.mempool = new Mempool();
    this.evidencePool = new Map();
    this.lastSyncRequestMs = -Infinity;
    // Resume after the last round signed at this height, with the lock held before the crash.
    const self = findValidator(this.ledger.validators, this.address);
    const aloneIsQuorum =
      self !== undefined && exceedsTwoThirds(self.power, this.ledger.validators);
    const resume = restartPoint(await this.signerStore.load(), this.height, aloneIsQuorum);
    if (resume.round > 0 || resume.lock !== null) this.stats.restartsMidHeight++;
    await this.startHeight(resume);
    await this.replaySignedVotes();
  }

  /** Votes signed by an earlier incarnation at the current height (the engine never saw them). */
  private replayedVotes: Vote[] = [];

  private async replaySignedVotes(): Promise<void> {
    this.replayedVotes = [...this.signedVotes.values()].filter((v) => v.height === this.height);
    for (const vote of this.replayedVotes) {
      this.broadcast({ type: 'vote', vote });
      await this.feed({ type: 'vote', vote });
    }
  }

  private rememberSigned(vote: Vote): void {
    for (const [key, old] of this.signedVotes) {
      if (old.height < vote.height) this.signedVotes.delete(key);
    }
    if (this.signedVotes.size >= SIGNED_VOTES_KEPT_MAX) {
      this.signedVotes.delete(this.signedVotes.keys().next().value as string);
    }
    this.signedVotes.set(`${vote.height}/${vote.round}/${vote.type}`, vote);
  }

  crash(): void {
    this.up = false;
    this.incarnation++;
    this.guard = null;
    if (this.honest) this.env.checker.onCrash(this.index);
  }

  private async startHeight(
    resume: { round: number; lock: ConsensusLock | null } = { round: 0, lock: null },
  ): Promise<void> {
    // Already running this height (a sync commit started it before the commit wait elapsed).
    if (engineStatus(this.engine).height >= this.height) return;
    const isValidator = findValidator(this.ledger.validators, this.address) !== undefined;
    await this.feed({
      type: 'start-height',
      height: this.height,
      validators: this.ledger.validators,
      self: isValidator ? this.address : null,
      hasWork: this.hasWork(),
      ...(resume.round > 0 || resume.lock !== null
        ? { round: resume.round, lock: resume.lock }
        : {}),
    });
  }

  private hasWork(): boolean {
    return this.mempool.size > 0 || this.evidencePool.size > 0;
  }

  private drop(reason: string): void {
    this.stats.dropped.set(reason, (this.stats.dropped.get(reason) ?? 0) + 1);
  }

  // ---------------------------------------------------------------------------------------
  // Engine loop

  /** Steps the engine with `input` and performs every effect, feeding results back. */
  async feed(input: Input): Promise<void> {
    if (!this.up) return;
    const incarnation = this.incarnation;
    const work: Input[] = [input];
    let steps = 0;
    while (work.length > 0) {
      if (!this.up || this.incarnation !== incarnation) return;
      if (++steps > INPUTS_PER_EVENT_MAX) {
        throw new Error(
          `node ${this.index}: more than ${INPUTS_PER_EVENT_MAX} inputs for one event`,
        );
      }
      const next = work.shift() as Input;
      this.hooks.beforeInput(this, next);
      const result = step(this.engine, next);
      this.engine = result.state;
      for (const effect of result.effects) {
        if (!this.up || this.incarnation !== incarnation) return;
        await this.perform(effect, work);
      }
    }
  }

  private async perform(effect: Effect, work: Input[]): Promise<void> {
    switch (effect.type) {
      case 'get-block': {
        const block = this.hooks.shapeBlock(this, this.proposeBlock(effect.height));
        work.push({ type: 'block-to-propose', height: effect.height, round: effect.round, block });
        return;
      }
      case 'sign-proposal': {
        const hash = effect.proposal.blockHash;
        const allowed = await this.authorize(
          effect.proposal.height,
          effect.proposal.round,
          0,
          hash,
        );
        if (!allowed) return;
        const signature = await this.key.signer.sign(proposalSignBytes(effect.proposal));
        const proposal: Proposal = { ...effect.proposal, signature };
        this.recordSigned('proposal', proposal.height, proposal.round, hash);
        work.push({ type: 'proposal-signed', proposal, block: effect.block });
        return;
      }
      case 'sign-vote': {
        const vote = await this.signVote({ ...effect.vote, timestamp: this.wallClockMs() });
        if (vote !== null) work.push({ type: 'vote-signed', vote });
        return;
      }
      case 'broadcast-proposal':
        await this.hooks.sendProposal(this, { proposal: effect.proposal, block: effect.block });
        return;
      case 'broadcast-vote':
        await this.hooks.sendVote(this, effect.vote);
        return;
      case 'validate-block': {
        const valid = await this.isValidNext(effect.block);
        work.push({
          type: 'block-validity',
          height: effect.height,
          round: effect.round,
          blockHash: blockHash(effect.block),
          valid,
        });
        return;
      }
      case 'schedule-timeout':
        this.env.schedule(this.index, this.incarnation, effect.durationMs, {
          type: 'timeout',
          kind: effect.kind,
          height: effect.height,
          round: effect.round,
        });
        return;
      case 'schedule-heartbeat':
        this.env.schedule(this.index, this.incarnation, effect.durationMs, {
          type: 'heartbeat-due',
          height: effect.height,
        });
        return;
      case 'schedule-rebroadcast':
        this.env.schedule(this.index, this.incarnation, effect.durationMs, {
          type: 'rebroadcast-due',
          height: effect.height,
        });
        // Votes signed before a crash (the engine forgot them) and pending evidence ride on the
        // same timer, so lost gossip is repaired.
        for (const vote of this.replayedVotes) {
          if (vote.height === this.height) this.broadcast({ type: 'vote', vote });
        }
        for (const evidence of this.evidencePool.values()) {
          this.broadcast({ type: 'evidence', evidence });
        }
        return;
      case 'decide':
        await this.commit(effect.block, effect.commit, 'consensus');
        return;
      case 'evidence':
        if (this.addEvidence(effect.evidence)) {
          this.broadcast({ type: 'evidence', evidence: effect.evidence });
        }
        return;
      case 'dropped':
        this.drop(effect.reason);
        return;
      default: {
        const unreachable: never = effect;
        throw new Error(`unknown effect ${JSON.stringify(unreachable)}`);
      }
    }
  }

  /** The node's wall clock: virtual time on top of genesis time. */
  wallClockMs(): number {
    return this.env.genesisTimeMs + this.env.now();
  }

  private async authorize(
    height: number,
    round: number,
    signStep: SignedState['step'],
    hash: Uint8Array | null,
  ): Promise<boolean> {
    if (!this.hooks.useGuard) return true;
    const guard = this.guard;
    if (guard === null) return false;
    // A non-nil precommit locks its block: the guard persists the block with the lock, so a
    // restarted validator can propose it again.
    const block = signStep === 2 && hash !== null ? this.engine.blocks.get(toHex(hash)) : undefined;
    try {
      await guard.authorize({ height, round, step: signStep, blockHash: hash }, block);
      return true;
    } catch (error) {
      if (!(error instanceof SignRefusedError)) throw error;
      this.stats.guardRefusals++;
      return false;
    }
  }

  private recordSigned(kind: SignKind, height: number, round: number, hash: Uint8Array | null) {
    this.stats.signed++;
    if (!this.honest) return;
    this.env.checker.onSigned({
      node: this.index,
      validator: this.address,
      height,
      round,
      kind,
      blockHash: hash,
    });
  }

  /** Signs a vote through the guard (honest) or directly (byzantine); null if refused. */
  async signVote(unsigned: UnsignedVote): Promise<Vote | null> {
    const signStep: SignedState['step'] = unsigned.type === 'prevote' ? 1 : 2;
    const allowed = await this.authorize(
      unsigned.height,
      unsigned.round,
      signStep,
      unsigned.blockHash,
    );
    if (!allowed) return null;
    const signature = await this.key.signer.sign(voteSignBytes(unsigned));
    this.recordSigned(unsigned.type, unsigned.height, unsigned.round, unsigned.blockHash);
    const vote: Vote = { ...unsigned, signature };
    if (this.hooks.useGuard) this.rememberSigned(vote);
    return vote;
  }

  /** Signs a proposal without the guard (byzantine behaviours only). */
  async signProposalUnguarded(proposal: Omit<Proposal, 'signature'>): Promise<Proposal> {
    const signature = await this.key.signer.sign(proposalSignBytes(proposal));
    return { ...proposal, signature };
  }

  /** A block from the mempool and evidence pool, on top of the committed chain. */
  proposeBlock(height: number, timeOffsetMs = 0): Block {
    if (height !== this.height) throw new Error(`get-block for ${height} at height ${this.height}`);
    const nextNonce = (sender: string) => this.ledger.accounts.get(sender)?.nonce ?? 0;
    const txs = this.mempool.reap(nextNonce, BLOCK_TXS_MAX, BLOCK_BYTES_MAX / 2);
    const evidence = [...this.evidencePool.values()]
      .filter((item) => this.evidenceInWindow(item))
      .slice(0, BLOCK_EVIDENCE_MAX);
    const previous = this.chain.get(this.ledger.height);
    return buildBlock(this.ledger, {
      txs,
      time: Math.max(this.ledger.lastBlockTime + 1, this.wallClockMs()) + timeOffsetMs,
      proposer: this.address,
      lastCommit: previous?.commit ?? null,
      evidence,
    });
  }

  private async verdictsFor(block: Block): Promise<boolean[]> {
    const checks = blockSignatureChecks(this.ledger, block);
    const verdicts: boolean[] = [];
    for (const check of checks) {
      verdicts.push(
        await this.env.verifier.verify(check.publicKey, check.message, check.signature),
      );
    }
    return verdicts;
  }

  private async isValidNext(block: Block): Promise<boolean> {
    if (block.header.height !== this.height) return false;
    return validateBlock(this.ledger, block, await this.verdictsFor(block)).ok;
  }

  // ---------------------------------------------------------------------------------------
  // Committing

  private async commit(block: Block, commit: Commit, via: 'consensus' | 'sync'): Promise<void> {
    const height = block.header.height;
    if (height !== this.height)
      throw new Error(`node ${this.index}: decide ${height} at ${this.height}`);
    let applied = block;
    if (this.brokenCommitAtHeight === height) {
      // Negative control: commit a different (locally built) block than the one decided.
      applied = this.proposeBlock(height, 1);
    }
    const verdicts = await this.verdictsFor(applied);
    const { changes } = applyBlock(this.ledger, applied, verdicts);
    applyChanges(this.ledger, changes);
    const hash = blockHash(applied);
    this.chain.set(height, { block: applied, commit });
    if (via === 'consensus') this.stats.decided++;
    else this.stats.synced++;
    if (this.honest) {
      await this.env.checker.onCommit(
        this.index,
        height,
        commit.round,
        applied,
        hash,
        this.ledger.stateRoot,
      );
    }
    const nextNonce = (sender: string) => this.ledger.accounts.get(sender)?.nonce ?? 0;
    this.mempool.update(
      applied.txs.map((tx) => toHex(txHash(tx))),
      nextNonce,
    );
    for (const evidence of applied.evidence) this.evidencePool.delete(evidenceId(evidence));
    for (const [id, evidence] of this.evidencePool) {
      if (!this.evidenceInWindow(evidence)) this.evidencePool.delete(id);
    }
    // After a consensus decide we are inside the engine loop: start the next height from a
    // fresh event rather than re-entering `feed`.
    if (via === 'consensus') {
      this.env.schedule(this.index, this.incarnation, this.env.commitWaitMs, {
        type: 'sim-start-height',
      });
    } else {
      await this.startHeight();
    }
  }

  /** Whether the core would still accept this evidence in the next block. */
  private evidenceInWindow(evidence: Evidence): boolean {
    return evidenceSetForHeight(this.ledger, evidence.voteA.height) !== null;
  }

  private addEvidence(evidence: Evidence): boolean {
    const id = evidenceId(evidence);
    if (this.evidencePool.has(id) || !this.evidenceInWindow(evidence)) return false;
    if (this.evidencePool.size >= EVIDENCE_POOL_MAX) {
      const oldest = this.evidencePool.keys().next().value as string;
      this.evidencePool.delete(oldest);
    }
    const wasIdle = !this.hasWork();
    this.evidencePool.set(id, evidence);
    if (this.honest) this.env.checker.onEvidenceHeld(this.index, evidence);
    if (wasIdle) this.pendingWorkAvailable = true;
    return true;
  }

  /** Set when idle work appears mid-cascade; delivered as 'work-available' afterwards. */
  private pendingWorkAvailable = false;

  // ---------------------------------------------------------------------------------------
  // Network

  broadcast(message: WireMessage): void {
    if (this.hooks.muted) return;
    this.env.broadcast(this.index, encodeWire(message));
  }

  sendTo(to: number, message: WireMessage): void {
    if (this.hooks.muted) return;
    this.env.sendTo(this.index, to, encodeWire(message));
  }

  async onTimer(incarnation: number, input: TimerInput): Promise<void> {
    if (!this.up || incarnation !== this.incarnation) return;
    if (input.type === 'sim-start-height') await this.startHeight();
    else await this.feed(input);
    await this.flushWorkAvailable();
  }

  private async flushWorkAvailable(): Promise<void> {
    while (this.pendingWorkAvailable && this.up) {
      this.pendingWorkAvailable = false;
      await this.feed({ type: 'work-available' });
    }
  }

  async onMessage(from: number, bytes: Uint8Array): Promise<void> {
    if (!this.up) return;
    let message: WireMessage;
    try {
      message = decodeWire(bytes);
    } catch {
      this.stats.garbageRejected++;
      return;
    }
    await this.handle(from, message);
    await this.flushWorkAvailable();
  }

  private async handle(from: number, message: WireMessage): Promise<void> {
    switch (message.type) {
      case 'vote':
        return this.onVote(from, message.vote);
      case 'proposal':
        return this.onProposal(from, message.message);
      case 'evidence':
        await this.onEvidence(message.evidence);
        return;
      case 'decided':
        return this.onDecided(from, message.block, message.commit);
      case 'sync-request':
        this.onSyncRequest(from, message.fromHeight);
        return;
      case 'tx':
        return this.onTx(message.tx);
    }
  }

  /** A peer is ahead: ask it for the blocks we miss (rate-limited). */
  private maybeSync(from: number, peerHeight: number): void {
    if (peerHeight <= this.height) return;
    const nowMs = this.env.now();
    if (nowMs - this.lastSyncRequestMs < SYNC_REQUEST_INTERVAL_MS) return;
    this.lastSyncRequestMs = nowMs;
    this.sendTo(from, { type: 'sync-request', fromHeight: this.height });
  }

  private async onVote(from: number, vote: Vote): Promise<void> {
    if (vote.chainId !== this.chainId) return this.drop('wrong-chain');
    // Votes for heights we finished are useless; for later heights we are behind.
    if (vote.height < this.height) return this.drop('old-height');
    if (vote.height > this.height) this.maybeSync(from, vote.height);
    const validator = findValidator(this.ledger.validators, vote.validator);
    if (validator === undefined) return this.drop('unknown-validator');
    const valid = await this.env.verifier.verify(
      validator.publicKey,
      voteSignBytes(vote),
      vote.signature,
    );
    if (!valid) return this.drop('bad-vote-signature');
    await this.feed({ type: 'vote', vote });
  }

  private async onProposal(from: number, message: ProposalMessage): Promise<void> {
    const { proposal, block } = message;
    if (proposal.chainId !== this.chainId) return this.drop('wrong-chain');
    if (proposal.height < this.height) return this.drop('old-height');
    if (proposal.height > this.height) this.maybeSync(from, proposal.height);
    const validator = findValidator(this.ledger.validators, proposal.proposer);
    if (validator === undefined) return this.drop('unknown-proposer');
    if (!bytesEqual(blockHash(block), proposal.blockHash)) return this.drop('block-hash-mismatch');
    const valid = await this.env.verifier.verify(
      validator.publicKey,
      proposalSignBytes(proposal),
      proposal.signature,
    );
    if (!valid) return this.drop('bad-proposal-signature');
    await this.feed({ type: 'proposal', proposal, block });
  }

  private async onEvidence(evidence: Evidence): Promise<void> {
    if (!this.evidenceInWindow(evidence)) return this.drop('evidence-out-of-window');
    if (this.evidencePool.has(evidenceId(evidence))) return;
    const { voteA, voteB } = evidence;
    const conflicting =
      voteA.chainId === this.chainId &&
      voteB.chainId === this.chainId &&
      voteA.validator === voteB.validator &&
      voteA.height === voteB.height &&
      voteA.round === voteB.round &&
      voteA.type === voteB.type &&
      !sameBlockHash(voteA.blockHash, voteB.blockHash);
    if (!conflicting) return this.drop('evidence-not-conflicting');
    const validator = findValidator(this.ledger.validators, voteA.validator);
    if (validator === undefined) return this.drop('evidence-unknown-validator');
    for (const vote of [voteA, voteB]) {
      const ok = await this.env.verifier.verify(
        validator.publicKey,
        voteSignBytes(vote),
        vote.signature,
      );
      if (!ok) return this.drop('evidence-bad-signature');
    }
    this.addEvidence(evidence);
  }

  private onSyncRequest(from: number, fromHeight: number): void {
    for (let h = fromHeight; h < fromHeight + SYNC_BLOCKS_PER_REPLY_MAX; h++) {
      const decided = this.chain.get(h);
      if (decided === undefined) return;
      this.sendTo(from, { type: 'decided', block: decided.block, commit: decided.commit });
    }
  }

  /** A decided block from block sync: accepted only with a valid commit of > 2/3 power. */
  private async onDecided(from: number, block: Block, commit: Commit): Promise<void> {
    const height = block.header.height;
    if (height < this.height) return;
    if (height > this.height) {
      this.maybeSync(from, height);
      return;
    }
    const hash = blockHash(block);
    if (commit.height !== height || !bytesEqual(commit.blockHash, hash)) {
      return this.drop('sync-commit-mismatch');
    }
    if (!(await this.commitIsValid(commit))) return this.drop('sync-commit-invalid');
    if (!(await this.isValidNext(block))) return this.drop('sync-block-invalid');
    await this.commit(block, commit, 'sync');
    // More may be missing: ask again right away.
    this.lastSyncRequestMs = -Infinity;
    this.maybeSync(from, height + 2);
  }

  private async commitIsValid(commit: Commit): Promise<boolean> {
    const set = this.ledger.validators;
    if (commit.signatures.length !== set.validators.length) return false;
    let power = 0;
    for (let i = 0; i < set.validators.length; i++) {
      const slot = commit.signatures[i];
      const vote = commitSlotVote(this.chainId, commit, i, set);
      if (slot === undefined || slot.kind !== 'commit' || vote === null) continue;
      const validator = set.validators[i];
      if (validator === undefined) continue;
      if (
        await this.env.verifier.verify(validator.publicKey, voteSignBytes(vote), slot.signature)
      ) {
        power += validator.power;
      }
    }
    return exceedsTwoThirds(power, set);
  }

  private async onTx(tx: Tx): Promise<void> {
    const hash = toHex(txHash(tx));
    if (this.mempool.has(hash)) return;
    const signatureValid = await this.env.verifier.verify(tx.from, txSignBytes(tx), tx.signature);
    const result = checkTx(this.ledger, tx, signatureValid);
    if (result.code !== 'ok') return this.drop(`tx-${result.code}`);
    const sender = addressOf(tx.from);
    const wasIdle = !this.hasWork();
    const outcome = this.mempool.add(
      { tx, hash, sender, sizeBytes: encodeTx(tx).length },
      this.ledger.accounts.get(sender)?.nonce ?? 0,
    );
    if (outcome.added && wasIdle) this.pendingWorkAvailable = true;
  }
}

function sameBlockHash(a: Uint8Array | null, b: Uint8Array | null): boolean {
  return a === null || b === null ? a === b : bytesEqual(a, b);
}

/** Order-independent id of a piece of evidence. */
export function evidenceId(evidence: Evidence): string {
  const { voteA } = evidence;
  return `${voteA.validator}/${voteA.height}/${voteA.round}/${voteA.type}`;
}
