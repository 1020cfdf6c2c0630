// The full node of one tab: the composition root that wires the store, the network, the pure
// consensus engine, the mempool and sync, and exposes the LedgerNode API to the UI.
//
// Concurrency: every engine input and every block commit runs through one serial queue, so the
// engine, the in-memory state and the store never see interleaved updates; network callbacks
// and timers only enqueue. Effects that come back as inputs (signatures, validity, blocks to
// propose) are processed within the same queued task, in order.
//
// Safety: a signature leaves the node only through the signer guard, which persists the
// signed (height, round, step) durably first. Committing is idempotent per height in the store,
// so several tabs (or a tab and sync) racing to apply the same block apply it once.

import { createEngine, engineStatus, step, type EngineState } from '../consensus/engine';
import { restartPoint } from '../consensus/signer-guard';
import type { Effect, Input, TimeoutParams } from '../consensus/types';
import { applyBlock, applyChanges, checkTx } from '../core/apply';
import { blockSignatureChecks, buildBlock } from '../core/block';
import {
  decodeBlock,
  decodeCommit,
  decodeEvidence,
  decodeProposalMessage,
  decodeVote,
  encodeBlock,
  encodeCommit,
  encodeEvidence,
  encodeProposalMessage,
  encodeTx,
  encodeVote,
} from '../core/encoding';
import { addressOf, blockHash, bytesEqual, toHex, txHash } from '../core/hash';
import { BLOCK_BYTES_MAX, BLOCK_EVIDENCE_MAX, BLOCK_TXS_MAX } from '../core/params';
import type { Signer, Verifier } from '../core/signing';
import { txSignBytes } from '../core/signing';
import type { LedgerState } from '../core/state';
import type {
  Block,
  Commit,
  Evidence,
  Genesis,
  Tx,
  TxBody,
  TxKind,
  UnsignedTx,
  Vote,
} from '../core/types';
import { validateBlock } from '../core/validate';
import { exceedsTwoThirds, findValidator, validatorChangePending } from '../core/validators';
import type {
  BlockSource,
  EncodedBlock,
  MessageValidator,
  Network,
  PeerEvent,
} from '../net/network';
import { storeBlockSource } from './block-source';
import { createGossipValidator } from './gossip-validator';
import { OUTBOX_PENDING_MAX } from '../store/limits';
import type { BlockToApply, LedgerStore, OutboxEntry } from '../store/types';
import type {
  StorageInfo,
  AccountView,
  ActivityEntry,
  BlockSummary,
  BlockView,
  JoinRequest,
  LedgerNode,
  NodeEvent,
  NodeStatus,
  PeerInfo,
  RecordView,
  SearchResult,
  ValidatorInfo,
} from './api';
import type { Clock, Timers } from './clock';
import { commitSignatureChecks, judgeCommit } from './commit-check';
import { inviteLink, makeInvite } from './invite';
import { Mempool } from './mempool';
import { GroupCommit, type Outcome } from './group-commit';
import type { TabLink } from './tab-link';
import { createSignerGuard, SignRefusedError, type SignerGuard } from './signer-guard';
import { verifyAll, type SignatureBatchVerifier } from './verify';
import {
  prepareBatch,
  SYNC_PERSIST_BLOCKS_MAX,
  SYNC_POOL_BLOCKS_MIN,
  SYNC_SLICE_MS,
  VerifyAhead,
  yieldToEventLoop,
  type PreparedBatch,
} from './sync-pipeline';
import * as queries from './queries';
import { activityOf } from './views';
import { searchLedger } from './search';
import {
  chunks,
  decodeDecided,
  decodeJoinRequest,
  decodeTxBatch,
  encodeDecided,
  encodeJoinRequest,
  encodeTxBatch,
} from './wire';
import { TX_BATCH_TXS_MAX } from '../net/limits';

/** Pending evidence kept for inclusion; the oldest is dropped beyond this. */
export const EVIDENCE_POOL_MAX = 256;
/** Join requests shown to validators; the oldest is dropped beyond this. */
export const JOIN_REQUESTS_MAX = 64;
/** A join request is re-gossiped this often until the device is a validator. */
export const JOIN_REPEAT_MS = 3_000;
/** Storage usage is refreshed this often for the status. */
export const STORAGE_POLL_MS = 30_000;
/** Pending outbox transactions are re-published this often until they settle. */
export const OUTBOX_RESUBMIT_MS = 5_000;
/**
 * Most submits signed and stored in one outbox write. Bounds the time one batch holds the submit
 * lock; submits beyond it wait for the next batch.
 */
export const SUBMIT_BATCH_MAX = 128;
/** Stands in for the signature while a tx is checked before signing (the check skips it). */
const UNSIGNED_PLACEHOLDER = new Uint8Array(64);

interface SubmitRequest {
  kind: TxKind;
  body: TxBody;
}

export class TxRejectedError extends Error {
  override name = 'TxRejectedError';
  constructor(
    readonly code: string,
    detail?: string,
  ) {
    super(detail ? `${code}: ${detail}` : code);
  }
}

export class NodeStoppedError extends Error {
  override name = 'NodeStoppedError';
  constructor() {
    super('the node is stopped');
  }
}

export interface FullNodeOptions {
  ledgerName: string;
  /** Relay multiaddrs written into invite links. */
  relays?: string[];
  timeouts?: Partial<TimeoutParams>;
  /** Whether this tab starts as the device's validator (Web Locks decide across tabs). */
  mayValidate?: () => boolean;
}

/** What the node plugs into the network it is given. */
export interface NetworkParts {
  validator: MessageValidator;
  blocks: BlockSource;
}

export interface FullNodeDeps {
  store: LedgerStore;
  /** Builds the network with the node's gossip validator and block source plugged in. */
  createNetwork(parts: NetworkParts): Network | Promise<Network>;
  signer: Signer;
  verifier: Verifier;
  clock: Clock;
  timers: Timers;
  /** Other tabs of this browser profile (BroadcastChannel); absent outside browsers. */
  tabs?: TabLink;
  /** Storage usage for the status (navigator.storage); absent outside browsers. */
  storageInfo?: () => Promise<StorageInfo>;
  /**
   * Opens a pool that verifies signatures in bulk off the main thread (verify-pool.ts), for the
   * duration of a long range sync; absent (or null) means the main-thread verifier does it.
   */
  openVerifyPool?: () => (SignatureBatchVerifier & { close(): void }) | null;
  /**
   * Runs `task` while holding this profile's submit lock (Web Locks), so two tabs of one device
   * never give two transactions the same nonce; absent means this node is the account's only
   * submitter.
   */
  exclusive?: <T>(task: () => Promise<T>) => Promise<T>;
}

type CommitSource = 'consensus' | 'gossip' | 'sync';

export class FullNode implements LedgerNode {
  readonly #options: FullNodeOptions;
  readonly #deps: FullNodeDeps & { network: Network };
  readonly #blocks: BlockSource;
  readonly #address: string;
  readonly #listeners = new Set<(event: NodeEvent) => void>();
  readonly #cancelTimers = new Set<() => void>();
  readonly #mempool = new Mempool();
  readonly #evidencePool = new Map<string, Evidence>();
  readonly #joinRequests = new Map<string, { publicKey: Uint8Array; label: string }>();
  readonly #lastVotes = new Map<
    string,
    { height: number; round: number; type: 'prevote' | 'precommit' }
  >();
  readonly #validator: MessageValidator;
  #state!: LedgerState;
  #genesis!: Genesis;
  #validatorRole = true;
  /** Votes signed at the current height before this engine started (see #replaySignedVotes). */
  #replayedVotes: Vote[] = [];
  /** The next start-height begins a fresh engine and must resume from the signer state. */
  #resumePending = true;
  #joinLabel: string | null = null;
  #seenCommit: Commit | null = null;
  #engine!: EngineState;
  #guard!: SignerGuard;
  #queue: Promise<void> = Promise.resolve();
  /** This tab's submits, signed and stored in batches (see #submitBatch). */
  readonly #submitter = new GroupCommit<SubmitRequest, ActivityEntry>(
    (requests) => this.#submitBatch(requests),
    { batchMax: SUBMIT_BATCH_MAX, waitingMax: OUTBOX_PENDING_MAX },
  );
  #running = false;
  #syncing = false;
  #syncTarget = 0;
  /** Fetched sync batches being decoded and verified ahead (dropped with the batch). */
  readonly #syncPrepared = new WeakMap<readonly EncodedBlock[], Promise<PreparedBatch>>();
  #status!: NodeStatus;
  #unsubscribe: (() => void)[] = [];
  /** Subscriptions to the current network (renewed with it when connectivity returns). */
  #networkUnsubscribe: (() => void)[] = [];
  /** What the device reports (setOnline); the network follows it. */
  #wantOnline = true;
  #connectivity: Promise<void> = Promise.resolve();
  #lastProposeMs: number | null = null;
  #lastFinalityMs: number | null = null;

  constructor(options: FullNodeOptions, deps: FullNodeDeps) {
    this.#options = options;
    this.#address = addressOf(deps.signer.publicKey);
    const validator = createGossipValidator({
      state: () => this.#state,
      verifier: deps.verifier,
      onAhead: (height) => this.#catchUp(height),
    });
    this.#validator = validator;
    this.#validatorRole = options.mayValidate?.() ?? true;
    this.#blocks = storeBlockSource(deps.store, () => this.#state ?? null);
    // The network is created in start() (it may need async setup); until then it is offline.
    this.#deps = { ...deps, network: OFFLINE_NETWORK };
  }

  /** The committed state (read-only for callers); used by the gossip validator. */
  get state(): LedgerState {
    return this.#state;
  }

  get status(): NodeStatus {
    return this.#status;
  }

  get address(): string {
    return this.#address;
  }

  // -------------------------------------------------------------------------------------------
  // Lifecycle

  async start(): Promise<void> {
    if (this.#running) return;
    const { store } = this.#deps;
    const [state, meta] = await Promise.all([store.loadState(), store.meta()]);
    if (state === null || meta === null) {
      throw new Error(`ledger ${store.chainId} is not initialised on this device`);
    }
    this.#state = state;
    this.#genesis = meta.genesis;
    this.#seenCommit = (await store.block(state.height))?.commit ?? null;
    this.#guard = createSignerGuard(store.signerState);
    this.#engine = createEngine({ chainId: state.chainId, timeouts: this.#options.timeouts });
    this.#running = true;
    this.#status = this.#computeStatus();
    if (this.#deps.tabs) {
      this.#unsubscribe.push(
        this.#deps.tabs.subscribe((type, payload) => void this.#onTabMessage(type, payload)),
      );
    }
    if (this.#wantOnline) await this.#connect();
    await this.#restoreOutbox();
    this.#enqueue(() => this.#startHeight());
    this.#every(OUTBOX_RESUBMIT_MS, () => void this.#resubmitPending());
    this.#every(STORAGE_POLL_MS, () => void this.#refreshStorage());
    void this.#refreshStorage();
    this.#emitStatus();
  }

  /**
   * Take or give up the device's validator role (another tab of this profile may hold it).
   * Taking it restarts the current height with this node signing; the persisted signer state
   * refuses anything the previous holder already signed, so the hand-over cannot double-sign.
   */
  setValidatorRole(active: boolean): void {
    if (this.#validatorRole === active) return;
    this.#validatorRole = active;
    this.#enqueue(async () => {
      this.#engine = createEngine({
        chainId: this.#state.chainId,
        timeouts: this.#options.timeouts,
      });
      this.#resumePending = true;
      await this.#startHeight();
      this.#emitStatus();
    });
  }

  /**
   * Follow the device's connectivity (the browser's online/offline events). Offline stops the
   * network: nothing dials into the void, the UI says so, and transactions signed meanwhile wait
   * in the outbox. Back online starts a fresh network, which reconnects, learns the peers'
   * heights (catching up by range sync) and resubmits the outbox. Consensus and the committed
   * state are untouched; a validator rejoins the current height with the votes it already signed.
   * Resolves once the change has taken effect; changes apply in call order.
   */
  setOnline(online: boolean): Promise<void> {
    this.#wantOnline = online;
    this.#connectivity = this.#connectivity
      .then(() => this.#applyConnectivity())
      .catch((error: unknown) => this.#problem('network', (error as Error).message));
    return this.#connectivity;
  }

  async #applyConnectivity(): Promise<void> {
    if (!this.#running) return;
    const connected = this.#deps.network !== OFFLINE_NETWORK;
    if (this.#wantOnline === connected) return;
    if (this.#wantOnline) await this.#connect();
    else await this.#disconnect();
    this.#emit({ type: 'peers', peers: this.peers() });
    this.#emitStatus();
  }

  async #connect(): Promise<void> {
    const network = await this.#deps.createNetwork({
      validator: this.#validator,
      blocks: this.#blocks,
    });
    this.#networkUnsubscribe = [
      network.subscribe('tx', (m) => this.#onTx(m.payload)),
      network.subscribe('proposal', (m) => this.#onProposal(m.payload)),
      network.subscribe('vote', (m) => this.#onVote(m.payload)),
      network.subscribe('commit', (m) => this.#onDecided(m.payload)),
      network.subscribe('evidence', (m) => this.#onEvidence(m.payload)),
      network.subscribe('join', (m) => this.#onJoin(m.payload)),
      network.onPeerEvent((event) => this.#onPeerEvent(event)),
    ];
    this.#deps.network = network;
    // Building a libp2p node and starting it each take tens of ms of main thread: in separate
    // tasks, opening a ledger leaves the page responsive (bench row 4, longest task).
    await yieldToEventLoop();
    await network.start();
    void this.#resubmitPending();
  }

  async #disconnect(): Promise<void> {
    const network = this.#deps.network;
    this.#deps.network = OFFLINE_NETWORK;
    for (const unsubscribe of this.#networkUnsubscribe.splice(0)) unsubscribe();
    await network.stop();
  }

  async #refreshStorage(): Promise<void> {
    const info = await this.#deps.storageInfo?.().catch(() => null);
    if (!info || !this.#status) return;
    this.#status = { ...this.#status, storage: info };
    this.#emit({ type: 'status', status: this.#status });
  }

  /** A message from another tab: validated like gossip, then handled the same way. */
  async #onTabMessage(type: Parameters<Network['publish']>[0], payload: Uint8Array): Promise<void> {
    const verdict = await this.#validator(type, payload, 'tab');
    if (verdict.result !== 'accept') return;
    if (type === 'tx') this.#onTx(payload);
    else if (type === 'commit') this.#onDecided(payload);
    else if (type === 'join') this.#onJoin(payload);
  }

  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    for (const cancel of this.#cancelTimers) cancel();
    this.#cancelTimers.clear();
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
    await this.#queue.catch(() => undefined);
    await this.#connectivity;
    await this.#disconnect();
  }

  subscribe(listener: (event: NodeEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Resolves once every queued engine input and commit so far has been processed. */
  async settled(): Promise<void> {
    await this.#queue;
  }

  // -------------------------------------------------------------------------------------------
  // The engine loop

  #enqueue(task: () => Promise<void>): void {
    this.#queue = this.#queue.then(async () => {
      if (!this.#running) return;
      try {
        await task();
      } catch (error) {
        this.#problem('internal', (error as Error).message);
        console.error('node task failed', error);
      }
    });
  }

  #feed(input: Input): void {
    this.#enqueue(() => this.#process(input));
  }

  async #process(first: Input): Promise<void> {
    const work: Input[] = [first];
    while (work.length > 0 && this.#running) {
      const input = work.shift() as Input;
      const result = step(this.#engine, input);
      this.#engine = result.state;
      for (const effect of result.effects) await this.#perform(effect, work);
    }
    this.#refreshConsensusStatus();
  }

  async #perform(effect: Effect, work: Input[]): Promise<void> {
    const { clock, signer } = this.#deps;
    switch (effect.type) {
      case 'get-block':
        this.#lastProposeMs = clock.nowMs();
        work.push({
          type: 'block-to-propose',
          height: effect.height,
          round: effect.round,
          block: this.#proposeBlock(),
        });
        return;
      case 'sign-proposal':
        try {
          const proposal = await this.#guard.signProposal(effect.proposal, signer);
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
              ? this.#engine.blocks.get(toHex(effect.vote.blockHash))
              : undefined;
          const vote = await this.#guard.signVote(effect.vote, signer, clock.nowMs(), locked);
          work.push({ type: 'vote-signed', vote });
        } catch (error) {
          if (!(error instanceof SignRefusedError)) throw error;
        }
        return;
      case 'broadcast-proposal':
        await this.#publish(
          'proposal',
          encodeProposalMessage({ proposal: effect.proposal, block: effect.block }),
        );
        return;
      case 'broadcast-vote':
        this.#noteVote(
          effect.vote.validator,
          effect.vote.height,
          effect.vote.round,
          effect.vote.type,
        );
        await this.#publish('vote', encodeVote(effect.vote));
        return;
      case 'validate-block': {
        this.#lastProposeMs ??= clock.nowMs();
        const valid = await this.#isValidNext(effect.block);
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
        this.#after(effect.durationMs, () =>
          this.#feed({
            type: 'timeout',
            kind: effect.kind,
            height: effect.height,
            round: effect.round,
          }),
        );
        return;
      case 'schedule-heartbeat':
        this.#after(effect.durationMs, () =>
          this.#feed({ type: 'heartbeat-due', height: effect.height }),
        );
        return;
      case 'schedule-rebroadcast':
        this.#after(effect.durationMs, () => {
          this.#feed({ type: 'rebroadcast-due', height: effect.height });
          for (const vote of this.#replayedVotes) {
            if (vote.height === effect.height) void this.#publish('vote', encodeVote(vote));
          }
          for (const evidence of this.#evidencePool.values()) {
            void this.#publish('evidence', encodeEvidence(evidence));
          }
        });
        return;
      case 'decide': {
        const committed = await this.#commit(effect.block, effect.commit, 'consensus');
        const next = committed ? this.#startHeightInput() : null;
        if (next) work.push(next);
        return;
      }
      case 'evidence':
        if (this.#addEvidence(effect.evidence)) {
          await this.#publish('evidence', encodeEvidence(effect.evidence));
        }
        return;
      case 'dropped':
        return;
      default: {
        const unreachable: never = effect;
        throw new Error(`unknown effect ${JSON.stringify(unreachable)}`);
      }
    }
  }

  async #startHeight(): Promise<void> {
    const input = this.#startHeightInput();
    if (!input || input.type !== 'start-height') return;
    if (this.#resumePending) {
      // First height of a fresh engine (tab start or validator hand-over): resume in the last
      // round this device signed at that height, with the lock it held, so the guard's refusals
      // cannot stall it and it cannot prevote against its own earlier precommit.
      this.#resumePending = false;
      const self = input.self === null ? undefined : findValidator(input.validators, input.self);
      if (self) {
        const resume = restartPoint(
          await this.#guard.last(),
          input.height,
          exceedsTwoThirds(self.power, input.validators),
        );
        input.round = resume.round;
        input.lock = resume.lock;
        await this.#process(input);
        await this.#replaySignedVotes(input.height);
        return;
      }
    }
    await this.#process(input);
  }

  /**
   * Re-count and re-publish the votes an earlier incarnation (a closed tab, a crash, the
   * previous holder of the validator role) signed at `height`: the fresh engine never saw them,
   * and the guard will not sign different ones at those steps. They ride on the rebroadcast
   * timer too, until the height is decided.
   */
  async #replaySignedVotes(height: number): Promise<void> {
    this.#replayedVotes = await this.#guard.votesAt(height);
    for (const vote of this.#replayedVotes) {
      await this.#publish('vote', encodeVote(vote));
      await this.#process({ type: 'vote', vote });
    }
  }

  /** The input that starts consensus on head + 1, or null if the engine is already there. */
  #startHeightInput(): Input | null {
    const height = this.#state.height + 1;
    if (engineStatus(this.#engine).height >= height) return null;
    const mayValidate = this.#validatorRole;
    const isValidator = findValidator(this.#state.validators, this.#address) !== undefined;
    this.#lastProposeMs = null;
    return {
      type: 'start-height',
      height,
      validators: this.#state.validators,
      self: isValidator && mayValidate ? this.#address : null,
      hasWork: this.#hasWork(),
    };
  }

  #hasWork(): boolean {
    return (
      this.#mempool.size > 0 || this.#evidencePool.size > 0 || validatorChangePending(this.#state)
    );
  }

  #proposeBlock(): Block {
    const state = this.#state;
    const nextNonce = (sender: string) => state.accounts.get(sender)?.nonce ?? 0;
    const txs = this.#mempool.reap(nextNonce, BLOCK_TXS_MAX, BLOCK_BYTES_MAX / 2);
    const evidence = [...this.#evidencePool.values()].slice(0, BLOCK_EVIDENCE_MAX);
    return buildBlock(state, {
      txs,
      time: Math.max(state.lastBlockTime + 1, this.#deps.clock.nowMs()),
      proposer: this.#address,
      lastCommit: this.#seenCommit,
      evidence,
    });
  }

  async #isValidNext(block: Block): Promise<boolean> {
    const verdicts = await verifyAll(this.#deps.verifier, blockSignatureChecks(this.#state, block));
    return validateBlock(this.#state, block, verdicts).ok;
  }

  // -------------------------------------------------------------------------------------------
  // Committing blocks (from consensus, from a peer's decided block, from range sync)

  /** Verify, execute and persist block h = head + 1 with its commit; then start h + 1. */
  async #commit(block: Block, commit: Commit, source: CommitSource): Promise<boolean> {
    const state = this.#state;
    const height = block.header.height;
    if (height !== state.height + 1) return false;
    const hash = blockHash(block);
    if (source !== 'consensus') {
      const checks = commitSignatureChecks(state.chainId, state.validators, commit);
      const verdict = judgeCommit(
        state.validators,
        commit,
        height,
        hash,
        checks,
        await verifyAll(this.#deps.verifier, checks.checks),
      );
      if (!verdict.ok) return false;
    }
    const verdicts = await verifyAll(this.#deps.verifier, blockSignatureChecks(state, block));
    const validation = validateBlock(state, block, verdicts);
    if (!validation.ok) {
      // A block with >2/3 precommits that fails validation means more than a third of the
      // power is faulty: halt loudly rather than follow it.
      this.#problem('invalid-committed-block', `${validation.rule}: ${validation.detail}`);
      return false;
    }
    const { changes, results } = applyBlock(state, block, verdicts);
    const encoded = encodeBlock(block);
    try {
      await this.#deps.store.applyBlock({ block, commit, changes, results, encoded });
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'store';
      this.#problem(code, (error as Error).message);
      return false;
    }
    applyChanges(state, changes);
    this.#seenCommit = commit;
    this.#lastFinalityMs =
      this.#lastProposeMs === null ? null : this.#deps.clock.nowMs() - this.#lastProposeMs;

    const committed = block.txs.map((tx) => toHex(txHash(tx)));
    this.#mempool.update(committed, (sender) => state.accounts.get(sender)?.nonce ?? 0);
    for (const item of block.evidence) this.#evidencePool.delete(evidenceKey(item));
    this.#forgetApprovedJoins();

    if (source === 'consensus') {
      const decided = encodeDecided(encoded, encodeCommit(commit));
      this.#deps.tabs?.post('commit', decided);
      // The other validators decided it too: one copy on the network is enough for the nodes
      // that did not (observers, laggards), and it comes from the one that surely has the block.
      // If it is lost, the next height's decided block shows they are behind and they catch up
      // by range sync.
      if (block.header.proposer === this.#address) await this.#publish('commit', decided);
    }
    this.#emit({ type: 'block', block: summaryOf(block, hash) });
    // Activity events only update views: the next height does not wait for their outbox read.
    void this.#emitActivityFor(block).catch(() => undefined);
    this.#emitStatus();
    return true;
  }

  // -------------------------------------------------------------------------------------------
  // Inbound gossip (already validated at the edge: decoded, signatures checked)

  #onTx(payload: Uint8Array): void {
    this.#enqueue(async () => {
      const { txs, txBytes } = decodeTxBatch(payload);
      txs.forEach((tx, i) => this.#admit(tx, (txBytes[i] as Uint8Array).length));
    });
  }

  /** Mempool admission of a signature-checked tx; true when it is (or was already) waiting. */
  #admit(tx: Tx, sizeBytes: number): boolean {
    const result = checkTx(this.#state, tx, true);
    if (result.code !== 'ok' && result.code !== 'nonce-gap') return false;
    const sender = addressOf(tx.from);
    const hadWork = this.#hasWork();
    const outcome = this.#mempool.add(
      { tx, hash: toHex(txHash(tx)), sender, sizeBytes },
      this.#state.accounts.get(sender)?.nonce ?? 0,
    );
    if (outcome.added && !hadWork) this.#feedNow({ type: 'work-available' });
    return outcome.added || outcome.reason === 'duplicate';
  }

  /** Within a queued task: step the engine after the current task. */
  #feedNow(input: Input): void {
    this.#feed(input);
  }

  #onProposal(payload: Uint8Array): void {
    const { proposal, block } = decodeProposalMessage(payload);
    this.#feed({ type: 'proposal', proposal, block });
  }

  #onVote(payload: Uint8Array): void {
    const vote = decodeVote(payload);
    this.#noteVote(vote.validator, vote.height, vote.round, vote.type);
    this.#emit({
      type: 'vote',
      validator: vote.validator,
      height: vote.height,
      round: vote.round,
      voteType: vote.type,
    });
    this.#feed({ type: 'vote', vote });
  }

  #onDecided(payload: Uint8Array): void {
    this.#enqueue(async () => {
      const { block, commit } = decodeDecided(payload);
      if (await this.#commit(block, commit, 'gossip')) await this.#startHeight();
    });
  }

  #onEvidence(payload: Uint8Array): void {
    this.#enqueue(async () => {
      if (this.#addEvidence(decodeEvidence(payload)) && this.#mempool.size === 0) {
        this.#feedNow({ type: 'work-available' });
      }
    });
  }

  #onJoin(payload: Uint8Array): void {
    const request = decodeJoinRequest(payload);
    const address = addressOf(request.publicKey);
    if (findValidator(this.#state.validators, address)) return;
    if (this.#joinRequests.size >= JOIN_REQUESTS_MAX) {
      const oldest = this.#joinRequests.keys().next().value;
      if (oldest !== undefined) this.#joinRequests.delete(oldest);
    }
    const key = toHex(request.publicKey);
    const isNew = !this.#joinRequests.has(key);
    this.#joinRequests.set(key, request);
    if (isNew) this.#emit({ type: 'join-requests', requests: this.joinRequests() });
    this.#emitStatus();
  }

  #onPeerEvent(event: PeerEvent): void {
    if (event.type === 'status' && event.status.height > this.#state.height) {
      this.#catchUp(event.status.height);
    }
    if (event.type === 'connected') void this.#resubmitPending();
    this.#emit({ type: 'peers', peers: this.peers() });
    this.#emitStatus();
  }

  #addEvidence(evidence: Evidence): boolean {
    const key = evidenceKey(evidence);
    if (this.#evidencePool.has(key)) return false;
    if (this.#evidencePool.size >= EVIDENCE_POOL_MAX) {
      const oldest = this.#evidencePool.keys().next().value;
      if (oldest !== undefined) this.#evidencePool.delete(oldest);
    }
    this.#evidencePool.set(key, evidence);
    return true;
  }

  // -------------------------------------------------------------------------------------------
  // Catching up by range sync

  #catchUp(target: number): void {
    this.#syncTarget = Math.max(this.#syncTarget, target);
    if (this.#syncing || !this.#running) return;
    this.#syncing = true;
    const from = this.#state.height + 1;
    // Workers pay off over many blocks only; a short catch-up verifies on the main thread.
    const pool =
      this.#syncTarget - from + 1 >= SYNC_POOL_BLOCKS_MIN
        ? (this.#deps.openVerifyPool?.() ?? null)
        : null;
    this.#emitStatus();
    void this.#deps.network
      .syncRange(from, this.#syncTarget, {
        verify: (encoded) => this.#applySynced(encoded),
        prepare: (blocks) => void this.#prepareSynced(blocks, pool),
        verifyBatch: (blocks) => this.#applySyncedBatch(blocks, pool),
      })
      .catch(() => undefined)
      .finally(() => {
        pool?.close();
        this.#syncing = false;
        // No block came: the target was only a claim (a forged far-ahead block, or a peer that
        // left). Forget it rather than retry forever; a real one returns with the next peer
        // status or decided block.
        if (this.#state.height < from) this.#syncTarget = this.#state.height;
        this.#emitStatus();
        if (this.#state.height < this.#syncTarget && this.#running) {
          this.#after(1_000, () => this.#catchUp(this.#syncTarget));
        }
      });
  }

  /** Verify one synced block on top of the state and commit it (inside the serial queue). */
  #applySynced(encoded: EncodedBlock): Promise<{ ok: true } | { ok: false; reason: string }> {
    return new Promise((resolve) => {
      this.#enqueue(async () => {
        try {
          const block = decodeBlock(encoded.block);
          const commit = decodeCommit(encoded.commit);
          if (block.header.height <= this.#state.height) {
            const stored = await this.#deps.store.block(block.header.height);
            const same = stored !== null && bytesEqual(stored.hash, blockHash(block));
            resolve(same ? { ok: true } : { ok: false, reason: 'conflicting-block' });
            return;
          }
          const ok = await this.#commit(block, commit, 'sync');
          if (ok) await this.#startHeight();
          resolve(ok ? { ok: true } : { ok: false, reason: 'invalid-block' });
        } catch (error) {
          resolve({ ok: false, reason: (error as Error).name });
        }
      });
      if (!this.#running) resolve({ ok: false, reason: 'stopped' });
    });
  }

  /**
   * Verify and commit consecutive synced blocks inside the serial queue (docs/network.md, range
   * sync): every signature of the batch is started at once (sync-pipeline.ts), then each block
   * is checked and applied in order exactly as #commit checks a synced block, and the applied
   * blocks are persisted SYNC_PERSIST_BLOCKS_MAX at a time in one store write. Resolves with how
   * many blocks (a prefix) are committed, and why the next one is not.
   */
  #applySyncedBatch(
    encoded: readonly EncodedBlock[],
    pool: SignatureBatchVerifier | null,
  ): Promise<{ verified: number; reason?: string }> {
    return new Promise((resolve) => {
      this.#enqueue(async () => {
        try {
          resolve(await this.#commitSyncedBatch(encoded, pool));
        } catch (error) {
          // E.g. a broken verify Worker. Blocks persisted before it are re-fetched and then
          // found stored, so reporting none as verified is safe.
          resolve({ verified: 0, reason: (error as Error).name });
        }
      });
      if (!this.#running) resolve({ verified: 0, reason: 'stopped' });
    });
  }

  async #commitSyncedBatch(
    encoded: readonly EncodedBlock[],
    pool: SignatureBatchVerifier | null,
  ): Promise<{ verified: number; reason?: string }> {
    const prepared = await this.#prepareSynced(encoded, pool);
    const { blocks, ahead } = prepared;
    let reason = prepared.reason;
    // Blocks this tab has already (another tab or gossip got there first) must be the same.
    let verified = 0;
    for (const { block } of blocks) {
      if (block.header.height > this.#state.height) break;
      const stored = await this.#deps.store.block(block.header.height);
      if (stored === null || !bytesEqual(stored.hash, blockHash(block))) {
        return { verified, reason: 'conflicting-block' };
      }
      verified += 1;
    }
    const applied: BlockToApply[] = [];
    let sliceStartMs = performance.now();
    for (const { block, commit, bytes } of blocks.slice(verified)) {
      // A verifier that throws (a broken Worker) stops the batch like an invalid block: the
      // blocks applied before it are valid and still persisted below.
      const checked = await this.#checkSynced(block, commit, ahead.verifier).catch(
        (error: unknown) => ({ ok: false as const, reason: (error as Error).name }),
      );
      if (!checked.ok) {
        reason = checked.reason;
        break;
      }
      applied.push({ ...checked.entry, encoded: bytes });
      applyChanges(this.#state, checked.entry.changes);
      if (applied.length >= SYNC_PERSIST_BLOCKS_MAX) {
        const persisted = applied.splice(0);
        if (!(await this.#persistSynced(persisted))) return { verified, reason: 'store' };
        verified += persisted.length;
      }
      if (performance.now() - sliceStartMs > SYNC_SLICE_MS) {
        await yieldToEventLoop();
        sliceStartMs = performance.now();
      }
    }
    if (applied.length > 0) {
      if (!(await this.#persistSynced(applied))) return { verified, reason: 'store' };
      verified += applied.length;
    }
    return reason === undefined ? { verified } : { verified, reason };
  }

  /**
   * Decode a fetched batch and start its signature checks, once per batch: the sync driver
   * calls this when the batch arrives (while earlier ones are still applied), and
   * #commitSyncedBatch picks the result up, or prepares the batch itself if it was not.
   */
  #prepareSynced(
    encoded: readonly EncodedBlock[],
    pool: SignatureBatchVerifier | null,
  ): Promise<PreparedBatch> {
    let prepared = this.#syncPrepared.get(encoded);
    if (!prepared) {
      const ahead = new VerifyAhead(this.#deps.verifier, pool);
      prepared = prepareBatch(encoded, () => this.#state, ahead);
      this.#syncPrepared.set(encoded, prepared);
    }
    return prepared;
  }

  /** #commit's checks of a synced block on the current state, without committing it. */
  async #checkSynced(
    block: Block,
    commit: Commit,
    verifier: Verifier,
  ): Promise<{ ok: true; entry: BlockToApply } | { ok: false; reason: string }> {
    const state = this.#state;
    const height = block.header.height;
    if (height !== state.height + 1) return { ok: false, reason: 'invalid-block' };
    const checks = commitSignatureChecks(state.chainId, state.validators, commit);
    const commitVerdict = judgeCommit(
      state.validators,
      commit,
      height,
      blockHash(block),
      checks,
      await verifyAll(verifier, checks.checks),
    );
    if (!commitVerdict.ok) return { ok: false, reason: 'invalid-block' };
    const verdicts = await verifyAll(verifier, blockSignatureChecks(state, block));
    const validation = validateBlock(state, block, verdicts);
    if (!validation.ok) {
      // As in #commit: >2/3 precommits for an invalid block means a faulty majority.
      this.#problem('invalid-committed-block', `${validation.rule}: ${validation.detail}`);
      return { ok: false, reason: 'invalid-block' };
    }
    const { changes, results } = applyBlock(state, block, verdicts);
    return { ok: true, entry: { block, commit, changes, results } };
  }

  /**
   * Persist blocks already applied to the in-memory state in one store write, then do what
   * #commit does after each commit. If the write fails, the state ran ahead of the store: reload
   * it from the store, which holds everything before these blocks.
   */
  async #persistSynced(entries: BlockToApply[]): Promise<boolean> {
    const { store } = this.#deps;
    try {
      await store.applyBlocks(entries, { durability: 'relaxed' });
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'store';
      this.#problem(code, (error as Error).message);
      const state = await store.loadState();
      if (state) {
        this.#state = state;
        this.#seenCommit = (await store.block(state.height))?.commit ?? null;
      }
      return false;
    }
    const state = this.#state;
    // Hashing every tx is for the mempool only: a fresh tab's is empty.
    const tracked = this.#mempool.size > 0;
    const committed: string[] = [];
    for (const { block, commit } of entries) {
      this.#seenCommit = commit;
      if (tracked) for (const tx of block.txs) committed.push(toHex(txHash(tx)));
      for (const item of block.evidence) this.#evidencePool.delete(evidenceKey(item));
      this.#emit({ type: 'block', block: summaryOf(block, blockHash(block)) });
      await this.#emitActivityFor(block);
    }
    this.#lastFinalityMs =
      this.#lastProposeMs === null ? null : this.#deps.clock.nowMs() - this.#lastProposeMs;
    if (tracked) {
      this.#mempool.update(committed, (sender) => state.accounts.get(sender)?.nonce ?? 0);
    }
    this.#forgetApprovedJoins();
    this.#emitStatus();
    await this.#startHeight();
    return true;
  }

  // -------------------------------------------------------------------------------------------
  // Transactions from this device (the outbox)

  transfer(to: string, amount: number): Promise<ActivityEntry> {
    return this.#submit('transfer', { to, amount });
  }

  putRecord(key: string, value: string): Promise<ActivityEntry> {
    return this.#submit('put', { key, value: new TextEncoder().encode(value) });
  }

  deleteRecord(key: string): Promise<ActivityEntry> {
    return this.#submit('delete', { key });
  }

  /**
   * Gossip a join request now and again every JOIN_REPEAT_MS until this device is a validator,
   * so validators that connect later (or missed it) still see it.
   */
  async requestToJoin(label: string): Promise<void> {
    const first = this.#joinLabel === null;
    this.#joinLabel = label;
    await this.#publishJoin();
    if (first) this.#every(JOIN_REPEAT_MS, () => void this.#publishJoin());
  }

  async #publishJoin(): Promise<void> {
    if (this.#joinLabel === null) return;
    if (findValidator(this.#state.validators, this.#address)) {
      this.#joinLabel = null;
      return;
    }
    const payload = encodeJoinRequest({
      publicKey: this.#deps.signer.publicKey,
      label: this.#joinLabel,
    });
    this.#deps.tabs?.post('join', payload);
    await this.#publish('join', payload);
  }

  async approveJoin(publicKeyHex: string): Promise<ActivityEntry> {
    const existing = [...this.#state.proposals.values()].find(
      (proposal) => toHex(proposal.publicKey) === publicKeyHex,
    );
    if (existing) return this.#submit('validator-approve', { proposalId: existing.id });
    const publicKey = hexToBytes(publicKeyHex);
    const power = Math.max(1, ...this.#state.validators.validators.map((v) => v.power));
    return this.#submit('validator-propose', { publicKey, power });
  }

  /** Queues a submit; quick submits are signed and stored together (see #submitBatch). */
  #submit(kind: TxKind, body: TxBody): Promise<ActivityEntry> {
    return this.#submitter.submit({ kind, body });
  }

  /**
   * One batch at a time (and one per profile, across tabs, with `exclusive`): nonces follow the
   * pending outbox, so no two submits share one. The whole batch is one outbox write; a request
   * the committed state refuses is rejected alone and takes no nonce.
   */
  async #submitBatch(requests: readonly SubmitRequest[]): Promise<Outcome<ActivityEntry>[]> {
    if (!this.#running) throw new NodeStoppedError();
    const { exclusive } = this.#deps;
    const run = () => this.#signAndStore(requests);
    return exclusive ? exclusive(run) : run();
  }

  async #signAndStore(requests: readonly SubmitRequest[]): Promise<Outcome<ActivityEntry>[]> {
    const { store, signer, clock } = this.#deps;
    const state = this.#state;
    const pending = await store.outbox('pending');
    const committedNonce = state.accounts.get(this.#address)?.nonce ?? 0;
    let nonce = Math.max(committedNonce, ...pending.map((entry) => entry.tx.nonce + 1));
    const outcomes: Outcome<ActivityEntry>[] = [];
    const accepted: { index: number; unsigned: UnsignedTx }[] = [];
    requests.forEach(({ kind, body }, index) => {
      const unsigned: UnsignedTx = {
        chainId: state.chainId,
        from: signer.publicKey,
        nonce,
        kind,
        body,
      };
      // Judged against the committed state as if it were the next tx, so every rule is checked
      // even when earlier txs are still pending; a balance they will provide is not an error yet.
      const next: Tx = { ...unsigned, nonce: committedNonce, signature: UNSIGNED_PLACEHOLDER };
      const check = checkTx(state, next, true);
      if (check.code === 'ok' || check.code === 'insufficient-balance') {
        accepted.push({ index, unsigned });
        nonce++;
      } else {
        outcomes[index] = { ok: false, error: new TxRejectedError(check.code, check.detail) };
      }
    });
    const txs: Tx[] = await Promise.all(
      accepted.map(async ({ unsigned }) => ({
        ...unsigned,
        signature: await signer.sign(txSignBytes(unsigned)),
      })),
    );
    let entries: OutboxEntry[] = [];
    try {
      if (txs.length > 0) entries = await store.addToOutbox(txs, clock.nowMs());
    } catch (error) {
      for (const { index } of accepted) outcomes[index] = { ok: false, error };
      return outcomes;
    }
    // Durable in the outbox: from here nothing is lost. Admission waits its turn in the engine
    // queue (behind a commit, say) and gossip goes out meanwhile; neither holds up the next
    // batch (the outbox resubmits what gossip drops).
    const encoded = txs.map((tx) => encodeTx(tx));
    this.#enqueue(async () => {
      txs.forEach((tx, i) => this.#admit(tx, (encoded[i] as Uint8Array).length));
    });
    for (const batch of chunks(encoded, TX_BATCH_TXS_MAX)) {
      const payload = encodeTxBatch(batch);
      this.#deps.tabs?.post('tx', payload);
      void this.#publish('tx', payload);
    }
    accepted.forEach(({ index }, i) => {
      const activity = activityOf(entries[i] as OutboxEntry);
      this.#emit({ type: 'activity', entry: activity });
      outcomes[index] = { ok: true, value: activity };
    });
    return outcomes;
  }

  async #restoreOutbox(): Promise<void> {
    for (const entry of await this.#deps.store.outbox('pending')) {
      this.#enqueue(async () => {
        this.#admit(entry.tx, encodeTx(entry.tx).length);
      });
    }
  }

  async #resubmitPending(): Promise<void> {
    if (!this.#running) return;
    const pending: OutboxEntry[] = await this.#deps.store.outbox('pending');
    const encoded = pending.map((entry) => encodeTx(entry.tx));
    for (const batch of chunks(encoded, TX_BATCH_TXS_MAX)) {
      await this.#publish('tx', encodeTxBatch(batch));
    }
  }

  async #emitActivityFor(block: Block): Promise<void> {
    const mine = block.txs.filter((tx) => bytesEqual(tx.from, this.#deps.signer.publicKey));
    const entries = await this.#deps.store.outboxEntries(mine.map((tx) => toHex(txHash(tx))));
    for (const entry of entries) {
      if (entry) this.#emit({ type: 'activity', entry: activityOf(entry) });
    }
  }

  // -------------------------------------------------------------------------------------------
  // Queries for the UI

  blocks(page: { beforeHeight?: number; limit: number }): Promise<BlockSummary[]> {
    return queries.blockSummaries(this.#deps.store, page);
  }

  block(height: number): Promise<BlockView | null> {
    return queries.blockView(this.#deps.store, this.#state, height);
  }

  account(address: string): Promise<AccountView | null> {
    return queries.accountView(this.#deps.store, address);
  }

  async accounts(): Promise<{ address: string; balance: number }[]> {
    return queries.balances(this.#state);
  }

  records(prefix: string): Promise<RecordView[]> {
    return queries.recordViews(this.#deps.store, prefix);
  }

  search(text: string): Promise<SearchResult> {
    return searchLedger(this.#deps.store, this.#state.height, text);
  }

  async activity(): Promise<ActivityEntry[]> {
    return (await this.#deps.store.outbox()).map(activityOf).reverse();
  }

  async validators(): Promise<ValidatorInfo[]> {
    const selfOnline = this.#validatorRole ? this.#address : null;
    return queries.validatorInfos(this.#state, this.#lastVotes, selfOnline);
  }

  peers(): PeerInfo[] {
    return queries.peerInfos(this.#deps.network.peers());
  }

  joinRequests(): JoinRequest[] {
    return queries.joinRequestViews(this.#state, this.#joinRequests.values(), this.#address);
  }

  inviteLink(baseUrl: string): string {
    return inviteLink(baseUrl, makeInvite(this.#genesis, this.#options.relays ?? []));
  }

  #forgetApprovedJoins(): void {
    const before = this.#joinRequests.size;
    for (const [key, request] of this.#joinRequests) {
      if (findValidator(this.#state.validators, addressOf(request.publicKey))) {
        this.#joinRequests.delete(key);
      }
    }
    if (this.#joinRequests.size !== before) {
      this.#emit({ type: 'join-requests', requests: this.joinRequests() });
    }
  }

  // -------------------------------------------------------------------------------------------
  // Status and events

  #noteVote(validator: string, height: number, round: number, type: 'prevote' | 'precommit'): void {
    this.#lastVotes.set(validator, { height, round, type });
  }

  #computeStatus(): NodeStatus {
    const engine = engineStatus(this.#engine);
    const state = this.#state;
    const isValidator = findValidator(state.validators, this.#address) !== undefined;
    const mayValidate = this.#validatorRole;
    const role = this.#syncing
      ? 'catching-up'
      : isValidator
        ? mayValidate
          ? 'validator'
          : 'standby'
        : 'observer';
    const previous = this.#status as NodeStatus | undefined;
    return {
      chainId: state.chainId,
      ledgerName: this.#options.ledgerName,
      height: state.height,
      headHash: state.height === 0 ? null : toHex(state.lastBlockHash),
      lastBlockTime: state.height === 0 ? null : state.lastBlockTime,
      lastFinalityMs: this.#lastFinalityMs,
      role,
      sync: this.#syncing
        ? { fromHeight: state.height, currentHeight: state.height, targetHeight: this.#syncTarget }
        : null,
      ...queries.connectivityOf(this.#deps.network.peers()),
      consensus: { height: engine.height, round: engine.round, step: engine.step },
      address: this.#address,
      fingerprint: toHex(this.#deps.signer.publicKey).slice(0, 16),
      storage: previous?.storage ?? { usageBytes: null, quotaBytes: null, persisted: false },
      problem: previous?.problem ?? null,
    };
  }

  #refreshConsensusStatus(): void {
    const engine = engineStatus(this.#engine);
    const current = this.#status.consensus;
    if (
      current.height !== engine.height ||
      current.round !== engine.round ||
      current.step !== engine.step
    ) {
      this.#emitStatus();
    }
  }

  #emitStatus(): void {
    if (!this.#state) return;
    this.#status = this.#computeStatus();
    this.#emit({ type: 'status', status: this.#status });
  }

  #problem(code: string, message: string): void {
    this.#status = { ...this.#computeStatus(), problem: { code, message } };
    this.#emit({ type: 'status', status: this.#status });
  }

  #emit(event: NodeEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        console.error('node listener failed', error);
      }
    }
  }

  async #publish(type: Parameters<Network['publish']>[0], payload: Uint8Array): Promise<void> {
    try {
      await this.#deps.network.publish(type, payload);
    } catch {
      // Offline or no peers yet: consensus rebroadcasts and the outbox resubmits.
    }
  }

  #after(delayMs: number, callback: () => void): void {
    const cancel = this.#deps.timers.after(delayMs, () => {
      this.#cancelTimers.delete(cancel);
      if (this.#running) callback();
    });
    this.#cancelTimers.add(cancel);
  }

  #every(intervalMs: number, callback: () => void): void {
    const tick = () => {
      callback();
      this.#after(intervalMs, tick);
    };
    this.#after(intervalMs, tick);
  }
}

/** Stands in before start(): no peers, publishing is a no-op. */
const OFFLINE_NETWORK: Network = {
  peerId: '',
  chainId: '',
  start: async () => undefined,
  stop: async () => undefined,
  publish: async () => undefined,
  subscribe: () => () => undefined,
  onPeerEvent: () => () => undefined,
  peers: () => [],
  validationStats: () => ({ accepted: 0, rejected: {}, ignored: {} }),
  syncRange: async (from) => ({
    height: from - 1,
    blocks: 0,
    peers: [],
    failures: [],
    complete: false,
  }),
};

function evidenceKey(evidence: Evidence): string {
  return `${evidence.voteA.validator}:${evidence.voteA.height}:${evidence.voteA.round}:${evidence.voteA.type}`;
}

function summaryOf(block: Block, hash: Uint8Array): BlockSummary {
  return {
    height: block.header.height,
    hash: toHex(hash),
    time: block.header.time,
    proposer: block.header.proposer,
    txCount: block.txs.length,
  };
}

function hexToBytes(hex: string): Uint8Array {
  if (!/^[0-9a-f]{64}$/.test(hex))
    throw new TxRejectedError('bad-body', 'expected a 32-byte hex public key');
  const bytes = new Uint8Array(32);
  for (let i = 0; i < 32; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}
