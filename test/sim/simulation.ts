// One simulation run: a seed, N validators (F byzantine), a fault plan, a virtual clock and the
// in-memory network carried through a fault model. Each validator is the shipped full node
// (sim-node.ts). Events (message deliveries, timers, sync replies, crashes, restarts, client
// txs) are processed one at a time in (time, seq) order, and each is handled to completion —
// every node quiet, no signature check in flight — before the next, so a seed replays bit for
// bit.

import type { TimeoutParams } from '../../src/lib/consensus/types';
import { DEFAULT_TIMEOUTS } from '../../src/lib/consensus/params';
import { applyBlock, applyChanges } from '../../src/lib/core/apply';
import { blockSignatureChecks } from '../../src/lib/core/block';
import { encodeTx } from '../../src/lib/core/encoding';
import { genesisState } from '../../src/lib/core/genesis';
import { addressOf, chainIdOf } from '../../src/lib/core/hash';
import { txSignBytes } from '../../src/lib/core/signing';
import { VALIDATORS_MAX } from '../../src/lib/core/params';
import type { LedgerState } from '../../src/lib/core/state';
import type { Genesis, Tx, UnsignedTx } from '../../src/lib/core/types';
import { validateBlock } from '../../src/lib/core/validate';
import { MemoryHub, MemoryNetwork, type MemoryLinks } from '../../src/lib/net/memory-network';
import type { Clock, Timers } from '../../src/lib/node/clock';
import { encodeTxBatch } from '../../src/lib/node/wire';
import { adversaryFor } from './byzantine';
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
import { Prng } from './prng';
import { CachedVerifier, CryptoInFlight, keyFromSeed, type SimKey } from './sim-crypto';
import { SimNode, type NodeEnvironment } from './sim-node';

export const GENESIS_TIME_MS = 1_700_000_000_000;
/** Accounts that submit transfers; each keeps one transaction in flight. */
export const CLIENTS = 6;
export const CLIENT_BALANCE = 1_000_000_000;
export const CLIENT_TICK_MS = 400;
/** A client re-sends its in-flight transaction if it is not committed within this time. */
export const CLIENT_RESEND_MS = 2_000;
/** Liveness: after the last fault heals, every honest node commits this many more heights... */
export const LIVENESS_HEIGHTS = 2;
/** ...within this much virtual time plus LIVENESS_PER_HEIGHT_MS per height still to commit. */
export const LIVENESS_BASE_MS = 30_000;
export const LIVENESS_PER_HEIGHT_MS = 10_000;
/** Evidence an honest node holds must be committed within this long of healthy network. */
export const EVIDENCE_COMMIT_BOUND_MS = 20_000;
/** The peer id clients submit from; the fault model never cuts it off (they call nodes directly). */
const CLIENT_PEER = 'client';

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
  /** Print every node's state at the end of the run (diagnosing a stall). */
  debug?: boolean;
  /**
   * Negative control: count twins (two nodes holding one key) as honest, so the checker sees one
   * "honest" validator sign two different proposals and must report a double-sign.
   */
  twinsCountAsHonest?: boolean;
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
    restartsMidHeight: number;
    /** Messages honest nodes' gossip edge rejected (garbage, bad signatures, bad evidence). */
    garbageRejected: number;
    /** Blocks honest nodes committed by range sync. */
    synced: number;
    /** Inbound messages honest nodes dropped at their inbox bounds. */
    inboxDropped: number;
    evidenceCommitted: number;
    evidenceLostToCrashes: number;
    crashes: number;
  };
}

type SimEvent =
  | { type: 'run'; action: () => void }
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

const macrotask = () => new Promise<void>((resolve) => setImmediate(resolve));

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
  for (let i = 0; i < options.validators; i++) {
    validatorKeys.push(await poolKey(dealt[i] as number));
  }
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
  const faultModel = new SimNetwork(plan.network, root.fork('network'), HEALTHY_LATENCY);
  const inFlight = new CryptoInFlight();
  const cachedVerifier = new CachedVerifier();
  const verifier = inFlight.verifier(cachedVerifier);
  const reference = new Reference(genesisState(genesis), cachedVerifier);
  const checker = new InvariantChecker(
    reference,
    () => queue.now,
    () => GENESIS_TIME_MS + queue.now,
  );
  let checks: Promise<void> = Promise.resolve();

  // Nodes: validators 0..N-1, then one extra node per twin (same key as its validator).
  const twinOf: number[] = [];
  for (const [validator, behaviour] of plan.byzantine) {
    if (behaviour === 'twins') twinOf.push(validator);
  }
  const nodeCount = options.validators + twinOf.length;
  const nodes: SimNode[] = [];
  const indexOf = (peerId: string) => (peerId === CLIENT_PEER ? -1 : Number(peerId.slice(1)));
  const isMuted = (index: number) => nodes[index]?.config.adversary.muted === true;

  const links: MemoryLinks = {
    send(from, to, deliver) {
      const a = indexOf(from);
      const b = indexOf(to);
      if (a === -1 || b === -1) {
        // Clients reach every node directly (like an RPC): no partition, healthy latency.
        const delayMs = faultModel.healthyDelay();
        queue.after(delayMs, { type: 'run', action: deliver });
        return;
      }
      for (const delayMs of faultModel.plan(a, b, queue.now)) {
        queue.after(delayMs, { type: 'run', action: deliver });
      }
    },
    roundTrip(from, to) {
      const a = indexOf(from);
      const b = indexOf(to);
      const requester = nodes[a];
      const incarnation = requester?.incarnation;
      return new Promise((resolve, reject) => {
        if (faultModel.isCut(a, b, queue.now) || isMuted(b)) {
          queue.after(faultModel.healthyDelay(), {
            type: 'run',
            action: () => {
              if (requester?.incarnation === incarnation) reject(new Error('unreachable'));
            },
          });
          return;
        }
        const delayMs = faultModel.healthyDelay() + faultModel.healthyDelay();
        queue.after(delayMs, {
          type: 'run',
          // A crashed requester's sync is abandoned: its promise never settles.
          action: () => {
            if (requester?.incarnation === incarnation) resolve();
          },
        });
      });
    },
  };
  const hub = new MemoryHub(links);
  const clock: Clock = { nowMs: () => GENESIS_TIME_MS + queue.now, monotonicMs: () => queue.now };
  const timersFor = (node: number, incarnation: number): Timers => ({
    after(delayMs, callback) {
      let cancelled = false;
      queue.after(delayMs, {
        type: 'run',
        action: () => {
          if (!cancelled && nodes[node]?.incarnation === incarnation) callback();
        },
      });
      return () => {
        cancelled = true;
      };
    },
  });
  const env: NodeEnvironment = {
    hub,
    clock,
    timersFor,
    verifier,
    checker,
    timeouts: SIM_TIMEOUTS,
    genesis,
    chainId,
    check(task) {
      checks = checks.then(task).catch((error: unknown) => {
        checker.report('driver-error', `invariant check threw: ${(error as Error).message}`);
      });
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
        key: { publicKey: key.publicKey, signer: inFlight.signer(key.signer) },
        rawSigner: inFlight.signer(key.signer),
        address: addressOf(key.publicKey),
        honest:
          behaviour === null || (behaviour === 'twins' && options.twinsCountAsHonest === true),
        adversary: adversaryFor(behaviour, root.fork(`adversary-${index}`)),
        prng: root.fork(`node-${index}`),
      },
      env,
    );
    await node.initialize();
    nodes.push(node);
  }
  const honest = nodes.filter((n) => n.honest);

  /** Wait until every node is quiet: no signature check or signing in flight, checks done. */
  async function settle(): Promise<void> {
    for (;;) {
      await macrotask();
      if (inFlight.count > 0) continue;
      await macrotask();
      if (inFlight.count === 0) break;
    }
    await checks;
  }

  // The clients' own network member: honest txs travel like any gossip (edge-validated).
  const clientNetwork = new MemoryNetwork(CLIENT_PEER, chainId, {
    hub,
    blocks: {
      status: () => ({ chainId, height: 0, headHash: new Uint8Array(32) }),
      getBlocks: async () => [],
    },
  });
  await clientNetwork.start();

  for (const crash of plan.crashes) {
    queue.push(crash.atMs, { type: 'crash', node: crash.node });
    queue.push(crash.restartAtMs, { type: 'restart', node: crash.node });
  }
  queue.push(plan.healedAtMs, { type: 'heal' });
  queue.push(0, { type: 'client-tick' });

  const clientPrng = root.fork('clients');
  /** Mostly transfers; also puts and deletes of a few record keys (some deletes miss: they fail). */
  function clientWork(): Pick<UnsignedTx, 'kind' | 'body'> {
    const roll = clientPrng.int(0, 99);
    const key = `k${clientPrng.int(0, 3)}`;
    if (roll < 20)
      return { kind: 'put', body: { key, value: clientPrng.bytes(clientPrng.int(1, 64)) } };
    if (roll < 30) return { kind: 'delete', body: { key } };
    const to = clientPrng.pick(clients).address;
    return { kind: 'transfer', body: { to, amount: clientPrng.int(1, 1_000) } };
  }
  const referenceNonce = (address: string) => reference.state.accounts.get(address)?.nonce ?? 0;
  async function clientTick(): Promise<void> {
    queue.after(CLIENT_TICK_MS, { type: 'client-tick' });
    const client = clientPrng.pick(clients);
    const nonce = referenceNonce(client.address);
    if (client.inFlight !== null && client.inFlight.tx.nonce < nonce) client.inFlight = null;
    if (client.inFlight === null) {
      const unsigned: UnsignedTx = { chainId, from: client.key.publicKey, nonce, ...clientWork() };
      const signature = await client.key.signer.sign(txSignBytes(unsigned));
      client.inFlight = { tx: { ...unsigned, signature }, sentAtMs: queue.now };
    } else if (queue.now - client.inFlight.sentAtMs < CLIENT_RESEND_MS) {
      return;
    }
    client.inFlight.sentAtMs = queue.now;
    await clientNetwork.publish('tx', encodeTxBatch([encodeTx(client.inFlight.tx)]));
  }

  for (const node of nodes) {
    await node.start();
    await settle();
  }

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
  const honestHeights = () => honest.map((n) => n.height);

  let done = false;
  while (checker.ok && !done) {
    const next = queue.pop();
    if (next === undefined || next.timeMs > deadlineMs) break;
    events++;
    const event = next.event;
    try {
      switch (event.type) {
        case 'run':
          event.action();
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
          heightAtHeal = Math.max(...honestHeights());
          targetHeight = Math.max(options.heights, heightAtHeal + LIVENESS_HEIGHTS);
          break;
      }
      await settle();
      if (await adversaryAfterEvent(nodes)) await settle();
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
    for (const node of nodes) {
      const problem = node.up && node.honest ? node.node?.status.problem : null;
      if (problem && problem.code !== 'conflicting-block') {
        checker.report('driver-error', `node ${node.index}: ${problem.code}: ${problem.message}`);
      }
    }
    done =
      healed &&
      honestHeights().every((h) => h >= targetHeight) &&
      checker.pendingEvidence().every((e) => e.detectedAtMs > plan.healedAtMs);
  }

  if (checker.ok) {
    const heights = honestHeights();
    const behind = honest.filter((_, i) => (heights[i] as number) < targetHeight);
    if (behind.length > 0) {
      const where = behind
        .map((n) => {
          const status = n.node?.status.consensus;
          const at = status ? `height ${status.height} round ${status.round}` : '(down)';
          return `node ${n.index} at ${at}`;
        })
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
      const status = n.node?.status;
      console.log(
        `node ${n.index} ${n.honest ? 'honest' : 'byzantine'} up=${n.up} height=${n.height} ` +
          `consensus=${JSON.stringify(status?.consensus)} drops=${JSON.stringify(status?.drops)} ` +
          `rejected=${JSON.stringify(n.network?.validationStats().rejected)}`,
      );
    }
  }
  const sum = (f: (n: SimNode) => number) => honest.reduce((acc, n) => acc + f(n), 0);
  const result: RunResult = {
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
      messagesSent: faultModel.stats.sent,
      dropped: faultModel.stats.dropped,
      partitioned: faultModel.stats.partitioned,
      duplicated: faultModel.stats.duplicated,
      signaturesVerified: cachedVerifier.stats.verified,
      verifyCacheHits: cachedVerifier.stats.cacheHits,
      restartsMidHeight: sum((n) => n.restartsMidHeight),
      garbageRejected: sum((n) =>
        Object.values(n.network?.validationStats().rejected ?? {}).reduce((a, b) => a + b, 0),
      ),
      synced: sum((n) => n.committedBySync),
      inboxDropped: sum((n) =>
        Object.values(n.node?.status.drops ?? {}).reduce((a, b) => a + b, 0),
      ),
      evidenceCommitted: checker.committedEvidenceCount(),
      evidenceLostToCrashes: checker.evidenceLostToCrashes,
      crashes,
    },
  };
  // The nodes' timers live in this run's event queue, which is dropped: nothing fires again.
  return result;
}

/** Byzantine behaviours that act between events (amnesia restarts with its lock forgotten). */
async function adversaryAfterEvent(nodes: readonly SimNode[]): Promise<boolean> {
  let acted = false;
  for (const node of nodes) {
    const after = node.config.adversary.afterEvent;
    if (after && (await after(node))) acted = true;
  }
  return acted;
}
