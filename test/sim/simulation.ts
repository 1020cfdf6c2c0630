// One simulation run: a seed, N validators (F byzantine), a fault plan, a virtual clock and an
// in-memory network. Events (message deliveries, timers, crashes, restarts, client txs) are
// processed one at a time in (time, seq) order; each is handled to completion, async crypto
// included, before the next, so a seed replays bit for bit.

import type { TimeoutParams } from '../../src/lib/consensus/types';
import { DEFAULT_TIMEOUTS } from '../../src/lib/consensus/params';
import { engineStatus } from '../../src/lib/consensus/engine';
import { applyBlock, applyChanges } from '../../src/lib/core/apply';
import { blockSignatureChecks } from '../../src/lib/core/block';
import { genesisState } from '../../src/lib/core/genesis';
import { addressOf, chainIdOf } from '../../src/lib/core/hash';
import { txSignBytes } from '../../src/lib/core/signing';
import { VALIDATORS_MAX } from '../../src/lib/core/params';
import type { LedgerState } from '../../src/lib/core/state';
import type { Genesis, Tx, UnsignedTx } from '../../src/lib/core/types';
import { validateBlock } from '../../src/lib/core/validate';
import { hooksFor } from './byzantine';
import { EventQueue } from './event-queue';
import {
  chooseFaultKinds,
  planFaults,
  type ByzantineBehaviour,
  type FaultKind,
  type FaultPlan,
} from './faults';
import { InvariantChecker, type ReferenceLedger, type Violation } from './invariants';
import { HEALTHY_LATENCY, SimNetwork } from './network';
import { SimNode, type NodeEnvironment, type TimerInput } from './node';
import { Prng } from './prng';
import { CachedVerifier, keyFromSeed, type SimKey } from './sim-crypto';
import { encodeWire } from './wire';

export const GENESIS_TIME_MS = 1_700_000_000_000;
/** Accounts that submit transfers; each keeps one transaction in flight. */
export const CLIENTS = 6;
export const CLIENT_BALANCE = 1_000_000_000;
export const CLIENT_TICK_MS = 150;
/** A client re-sends its in-flight transaction if it is not committed within this time. */
export const CLIENT_RESEND_MS = 2_000;
/** Liveness: after the last fault heals, every honest node commits this many more heights... */
export const LIVENESS_HEIGHTS = 2;
/** ...within this much virtual time plus LIVENESS_PER_HEIGHT_MS per height still to commit. */
export const LIVENESS_BASE_MS = 30_000;
export const LIVENESS_PER_HEIGHT_MS = 10_000;
/** Evidence an honest node holds must be committed within this long of healthy network. */
export const EVIDENCE_COMMIT_BOUND_MS = 20_000;
export const COMMIT_WAIT_MS = 500;

/** The simulator's engine timeouts: the defaults, with a heartbeat short enough for tests. */
export const SIM_TIMEOUTS: Partial<TimeoutParams> = { ...DEFAULT_TIMEOUTS, heartbeatMs: 2_000 };

export interface RunOptions {
  validators: number;
  byzantine: number;
  seed: number;
  /** null = the seed's random mix. */
  faults: FaultKind[] | null;
  heights: number;
  /** Tests only: reshape the seed's plan (force a partition, a crash, a behaviour). */
  adjustPlan?: (plan: FaultPlan) => void;
  /** Negative control: this honest node commits a different block at this height. */
  brokenNode?: { node: number; height: number };
  /** Print every node's engine state at the end of the run (diagnosing a stall). */
  debug?: boolean;
}

export interface RunResult {
  seed: number;
  ok: boolean;
  violations: Violation[];
  kinds: FaultKind[];
  byzantine: Array<[number, ByzantineBehaviour]>;
  /** Heights committed by the reference ledger (every honest node agreed on them). */
  heightsCommitted: number;
  /** Decided round (0-based) of every committed height. */
  decidedRounds: number[];
  targetHeight: number;
  healedAtMs: number;
  virtualTimeMs: number;
  events: number;
  stats: {
    messagesSent: number;
    dropped: number;
    partitioned: number;
    duplicated: number;
    signaturesVerified: number;
    verifyCacheHits: number;
    guardRefusals: number;
    restartsMidHeight: number;
    garbageRejected: number;
    synced: number;
    evidenceCommitted: number;
    evidenceLostToCrashes: number;
    crashes: number;
  };
}

type SimEvent =
  | { type: 'deliver'; from: number; to: number; bytes: Uint8Array }
  | { type: 'timer'; node: number; incarnation: number; input: TimerInput }
  | { type: 'crash'; node: number }
  | { type: 'restart'; node: number }
  | { type: 'client-tick' }
  | { type: 'heal' };

interface Client {
  key: SimKey;
  address: string;
  inFlight: { tx: Tx; sentAtMs: number } | null;
}

/** Validators (up to VALIDATORS_MAX) plus clients. */
export const KEY_POOL_SIZE = VALIDATORS_MAX + CLIENTS;
const keyPool = new Map<number, Promise<SimKey>>();

/** Key `index` of the process-wide pool, derived from a fixed seed. */
function poolKey(index: number): Promise<SimKey> {
  let key = keyPool.get(index);
  if (key === undefined) {
    key = keyFromSeed(new Prng(index).fork('pool-key').bytes(32));
    keyPool.set(index, key);
  }
  return key;
}

class Reference implements ReferenceLedger {
  constructor(
    readonly state: LedgerState,
    private readonly verifier: CachedVerifier,
  ) {}

  async commitNext(block: Parameters<ReferenceLedger['commitNext']>[0]) {
    const checks = blockSignatureChecks(this.state, block);
    const verdicts: boolean[] = [];
    for (const c of checks)
      verdicts.push(await this.verifier.verify(c.publicKey, c.message, c.signature));
    const verdict = validateBlock(this.state, block, verdicts);
    if (!verdict.ok) return verdict;
    applyChanges(this.state, applyBlock(this.state, block, verdicts).changes);
    return { ok: true as const, stateRoot: this.state.stateRoot };
  }
}

export async function runSeed(options: RunOptions): Promise<RunResult> {
  const root = new Prng(options.seed);
  const kinds = chooseFaultKinds(options.faults, options.byzantine, root.fork('mix'));
  const plan = planFaults(
    { validators: options.validators, byzantine: options.byzantine, kinds },
    root.fork('plan'),
  );
  options.adjustPlan?.(plan);

  // Keys come from a fixed pool, dealt in a seeded order: importing WebCrypto keys costs more
  // than a small run, and the seed still decides which key (address, proposer order) each
  // validator gets. The genesis salt makes every seed's chain (and signatures) distinct.
  const keyPrng = root.fork('keys');
  const dealt = keyPrng.shuffle([...Array(KEY_POOL_SIZE).keys()]);
  const validatorKeys: SimKey[] = [];
  for (let i = 0; i < options.validators; i++)
    validatorKeys.push(await poolKey(dealt[i] as number));
  const clients: Client[] = [];
  for (let i = 0; i < CLIENTS; i++) {
    const key = await poolKey(dealt[options.validators + i] as number);
    clients.push({ key, address: addressOf(key.publicKey), inFlight: null });
  }
  const genesis: Genesis = {
    name: `sim-${options.seed}`,
    time: GENESIS_TIME_MS,
    validators: validatorKeys.map((key) => ({ publicKey: key.publicKey, power: 1 })),
    balances: clients.map((c) => ({ address: c.address, amount: CLIENT_BALANCE })),
    salt: keyPrng.bytes(16),
  };
  const chainId = chainIdOf(genesis);

  const queue = new EventQueue<SimEvent>();
  const network = new SimNetwork(plan.network, root.fork('network'), HEALTHY_LATENCY);
  const verifier = new CachedVerifier();
  const reference = new Reference(genesisState(genesis), verifier);
  const checker = new InvariantChecker(reference, () => queue.now);

  // Nodes: validators 0..N-1, then one extra node per twin (same key as its validator).
  const twinOf: number[] = [];
  for (const [validator, behaviour] of plan.byzantine) {
    if (behaviour === 'twins') twinOf.push(validator);
  }
  const nodeCount = options.validators + twinOf.length;
  const nodes: SimNode[] = [];
  const allIndices = [...Array(nodeCount).keys()];
  const env: NodeEnvironment = {
    now: () => queue.now,
    genesisTimeMs: GENESIS_TIME_MS,
    chainId,
    timeouts: SIM_TIMEOUTS,
    verifier,
    checker,
    commitWaitMs: COMMIT_WAIT_MS,
    broadcast(from, bytes) {
      for (const to of allIndices) if (to !== from) env.sendTo(from, to, bytes);
    },
    sendTo(from, to, bytes) {
      for (const delayMs of network.plan(from, to, queue.now)) {
        queue.after(delayMs, { type: 'deliver', from, to, bytes });
      }
    },
    peersOf: (from) => allIndices.filter((i) => i !== from),
    schedule(node, incarnation, delayMs, input) {
      queue.after(delayMs, { type: 'timer', node, incarnation, input });
    },
  };
  for (let index = 0; index < nodeCount; index++) {
    const validator =
      index < options.validators ? index : (twinOf[index - options.validators] as number);
    const key = validatorKeys[validator] as SimKey;
    const behaviour = plan.byzantine.get(validator) ?? null;
    const node = new SimNode(
      {
        index,
        key,
        address: addressOf(key.publicKey),
        behaviour,
        brokenCommitAtHeight:
          options.brokenNode?.node === index ? options.brokenNode.height : undefined,
        prng: root.fork(`node-${index}`),
      },
      genesisState(genesis),
      env,
    );
    node.hooks = hooksFor(behaviour);
    nodes.push(node);
  }
  const honest = nodes.filter((n) => n.honest);

  for (const crash of plan.crashes) {
    queue.push(crash.atMs, { type: 'crash', node: crash.node });
    queue.push(crash.restartAtMs, { type: 'restart', node: crash.node });
  }
  queue.push(plan.healedAtMs, { type: 'heal' });
  queue.push(0, { type: 'client-tick' });

  const clientPrng = root.fork('clients');
  const referenceNonce = (address: string) => reference.state.accounts.get(address)?.nonce ?? 0;
  async function clientTick(): Promise<void> {
    queue.after(CLIENT_TICK_MS, { type: 'client-tick' });
    const client = clientPrng.pick(clients);
    const nonce = referenceNonce(client.address);
    if (client.inFlight !== null && client.inFlight.tx.nonce < nonce) client.inFlight = null;
    if (client.inFlight === null) {
      const to = clientPrng.pick(clients.filter((c) => c !== client));
      const unsigned: UnsignedTx = {
        chainId,
        from: client.key.publicKey,
        nonce,
        kind: 'transfer',
        body: { to: to.address, amount: clientPrng.int(1, 1_000) },
      };
      const signature = await client.key.signer.sign(txSignBytes(unsigned));
      client.inFlight = { tx: { ...unsigned, signature }, sentAtMs: queue.now };
    } else if (queue.now - client.inFlight.sentAtMs < CLIENT_RESEND_MS) {
      return;
    }
    client.inFlight.sentAtMs = queue.now;
    // Clients reach every node directly (like an RPC), so partitions do not cut them off.
    const bytes = encodeWire({ type: 'tx', tx: client.inFlight.tx });
    for (const node of nodes) {
      const delayMs = clientPrng.int(HEALTHY_LATENCY.latencyMinMs, HEALTHY_LATENCY.latencyMaxMs);
      queue.after(delayMs, { type: 'deliver', from: -1, to: node.index, bytes });
    }
  }

  for (const node of nodes) await node.start();

  let healed = false;
  let targetHeight = Number.POSITIVE_INFINITY;
  let heightAtHeal = 0;
  const deadlineMs =
    plan.healedAtMs +
    LIVENESS_BASE_MS +
    (options.heights + LIVENESS_HEIGHTS) * LIVENESS_PER_HEIGHT_MS +
    EVIDENCE_COMMIT_BOUND_MS;
  let events = 0;
  let crashes = 0;

  const done = () =>
    healed &&
    honest.every((n) => n.ledger.height >= targetHeight) &&
    checker.pendingEvidence().every((e) => e.detectedAtMs > plan.healedAtMs);

  while (checker.ok && !done()) {
    const next = queue.pop();
    if (next === undefined || next.timeMs > deadlineMs) break;
    events++;
    const event = next.event;
    try {
      switch (event.type) {
        case 'deliver':
          await nodes[event.to]?.onMessage(event.from, event.bytes);
          break;
        case 'timer':
          await nodes[event.node]?.onTimer(event.incarnation, event.input);
          break;
        case 'crash':
          crashes++;
          nodes[event.node]?.crash();
          break;
        case 'restart':
          await nodes[event.node]?.start();
          break;
        case 'client-tick':
          await clientTick();
          break;
        case 'heal':
          healed = true;
          heightAtHeal = Math.max(...honest.map((n) => n.ledger.height));
          targetHeight = Math.max(options.heights, heightAtHeal + LIVENESS_HEIGHTS);
          break;
      }
    } catch (error) {
      const text =
        error instanceof Error
          ? `${error.name}: ${error.message}\n${error.stack ?? ''}`
          : String(error);
      checker.report(
        'driver-error',
        `event ${event.type}: ${text.split('\n').slice(0, 6).join('\n')}`,
      );
    }
  }

  if (checker.ok) {
    const behind = honest.filter((n) => n.ledger.height < targetHeight);
    if (behind.length > 0) {
      const where = behind
        .map(
          (n) => `node ${n.index} at height ${n.height} round ${n.round}${n.up ? '' : ' (down)'}`,
        )
        .join(', ');
      checker.report(
        'liveness',
        `healed at ${plan.healedAtMs} ms (max honest height ${heightAtHeal}); target height ` +
          `${targetHeight} not reached by ${queue.now} ms: ${where}`,
      );
    }
    checker.checkEvidenceAtEnd(plan.healedAtMs, EVIDENCE_COMMIT_BOUND_MS);
  }

  if (options.debug === true) {
    console.log(
      `seed ${options.seed}: node states at ${queue.now} ms; crashes ${JSON.stringify(plan.crashes)}`,
    );
    for (const n of nodes) {
      const st = engineStatus(n.engine);
      console.log(
        `node ${n.index} ${n.behaviour ?? 'honest'} up=${n.up} ledger=${n.ledger.height} engine h${st.height} r${st.round} ${st.step} locked=${st.lockedRound} valid=${st.validRound} waiting=${st.waitingForWork} drops=${JSON.stringify([...n.stats.dropped])} refusals=${n.stats.guardRefusals}`,
      );
    }
  }
  const sum = (f: (n: SimNode) => number) => nodes.reduce((acc, n) => acc + f(n), 0);
  return {
    seed: options.seed,
    ok: checker.ok,
    violations: checker.violations,
    kinds: plan.kinds,
    byzantine: [...plan.byzantine.entries()],
    heightsCommitted: checker.height,
    decidedRounds: checker.decidedRounds(),
    targetHeight: Number.isFinite(targetHeight) ? targetHeight : options.heights,
    healedAtMs: plan.healedAtMs,
    virtualTimeMs: queue.now,
    events,
    stats: {
      messagesSent: network.stats.sent,
      dropped: network.stats.dropped,
      partitioned: network.stats.partitioned,
      duplicated: network.stats.duplicated,
      signaturesVerified: verifier.stats.verified,
      verifyCacheHits: verifier.stats.cacheHits,
      guardRefusals: sum((n) => n.stats.guardRefusals),
      restartsMidHeight: sum((n) => n.stats.restartsMidHeight),
      garbageRejected: sum((n) => n.stats.garbageRejected),
      synced: sum((n) => n.stats.synced),
      evidenceCommitted: checker.committedEvidenceCount(),
      evidenceLostToCrashes: checker.evidenceLostToCrashes,
      crashes,
    },
  };
}
