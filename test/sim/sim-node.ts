// One simulated validator: the shipped full node (src/lib/node/full-node.ts, with its driver,
// host, importer, pools and signer guard) over the in-memory store and network, the
// simulation's virtual clock and the shared verifier. The simulator owns nothing of its own
// that decides: it only builds the node, carries its messages through the fault model, crashes
// and restarts it, and watches what it publishes and commits.
//
// Crash semantics: the store (blocks, state, signer state) is durable, as IndexedDB is for a
// real tab; everything else is memory and is lost. A crashed node's pending work is abandoned:
// its timers and network never fire again, and a restart builds a fresh node on the same store.

import { genesisState } from '../../src/lib/core/genesis';
import { blockHash } from '../../src/lib/core/hash';
import type { Genesis, Tx } from '../../src/lib/core/types';
import { bytesEqual } from '../../src/lib/core/bytes';
import { decodeProposalMessage, decodeVote } from '../../src/lib/core/encoding';
import { MemoryNetwork, type MemoryHub } from '../../src/lib/net/memory-network';
import type { MessageType } from '../../src/lib/net/message-types';
import type { TimeoutParams } from '../../src/lib/consensus/types';
import type { Clock, Timers } from '../../src/lib/node/clock';
import { FullNode, type NodeTamper } from '../../src/lib/node/full-node';
import {
  createMemoryLedgerStore,
  type MemoryLedgerStore,
} from '../../src/lib/store/memory-ledger-store';
import type { Verifier } from '../../src/lib/core/signing';
import type { InvariantChecker, SignKind } from './invariants';
import type { Prng } from './prng';
import type { SimKey } from './sim-crypto';

/** What the simulation provides to each node. */
export interface NodeEnvironment {
  hub: MemoryHub;
  clock: Clock;
  /** Timers of one incarnation of one node: they never fire after it crashed. */
  timersFor(node: number, incarnation: number): Timers;
  verifier: Verifier;
  checker: InvariantChecker;
  timeouts: Partial<TimeoutParams>;
  genesis: Genesis;
  chainId: string;
  /** Runs invariant checks one after another (a synced batch commits several blocks at once). */
  check(task: () => Promise<void> | void): void;
}

/** How a byzantine validator deviates; an honest node has none of these. */
export interface Adversary {
  tamper?: NodeTamper;
  /** Wraps what the node publishes (its network's publish). */
  publish?: (
    node: SimNode,
    type: MessageType,
    payload: Uint8Array,
    honest: () => Promise<void>,
  ) => Promise<void>;
  /** Sends nothing at all (publishing and serving sync both fail). */
  muted?: boolean;
  /** Its wall clock runs this far off the honest ones (a lying clock). */
  clockOffsetMs?: number;
  /** Runs after every event; true if it changed something (the simulator settles again). */
  afterEvent?: (node: SimNode) => Promise<boolean>;
}

export interface NodeConfig {
  index: number;
  key: SimKey;
  /** Signs without counting (an adversary's extra, unguarded signatures). */
  rawSigner: SimKey['signer'];
  address: string;
  honest: boolean;
  adversary: Adversary;
  prng: Prng;
}

export class SimNode {
  readonly index: number;
  readonly address: string;
  readonly honest: boolean;
  readonly prng: Prng;
  readonly config: NodeConfig;
  readonly peerId: string;
  /** Durable across crashes. */
  readonly store: MemoryLedgerStore;
  node: FullNode | null = null;
  network: MemoryNetwork | null = null;
  incarnation = 0;
  restartsMidHeight = 0;
  committedBySync = 0;
  /** Its own txs as they were committed (an adversary replays them). */
  readonly ownCommittedTxs: Tx[] = [];

  constructor(
    config: NodeConfig,
    readonly env: NodeEnvironment,
  ) {
    this.config = config;
    this.index = config.index;
    this.address = config.address;
    this.honest = config.honest;
    this.prng = config.prng;
    this.peerId = `n${config.index}`;
    this.store = createMemoryLedgerStore(env.chainId);
  }

  get up(): boolean {
    return this.node !== null;
  }

  /** Height of the last committed block (the store's head: it survives crashes). */
  height = 0;

  async initialize(): Promise<void> {
    await this.store.initialize(this.env.genesis, genesisState(this.env.genesis));
  }

  /** (Re)start: a fresh node on the durable store. */
  async start(): Promise<void> {
    const incarnation = ++this.incarnation;
    const signed = await this.store.signerState.load();
    if (signed !== null && signed.height === this.height + 1) this.restartsMidHeight++;
    const adversary = this.config.adversary;
    const node = new FullNode(
      { ledgerName: this.env.genesis.name, timeouts: this.env.timeouts },
      {
        store: this.store,
        createNetwork: ({ validator, blocks }) => {
          const network = new MemoryNetwork(this.peerId, this.store.chainId, {
            hub: this.env.hub,
            blocks,
            validator,
          });
          this.network = network;
          return this.#watch(network);
        },
        signer: this.config.key.signer,
        verifier: this.env.verifier,
        clock: adversary.clockOffsetMs
          ? {
              nowMs: () => this.env.clock.nowMs() + (adversary.clockOffsetMs ?? 0),
              monotonicMs: () => this.env.clock.monotonicMs(),
            }
          : this.env.clock,
        timers: this.env.timersFor(this.index, incarnation),
        yieldNow: async () => undefined,
        tamper: adversary.tamper,
        onCommitted: (entry, source) => {
          // Told after the store write: the store's head is at least this height now.
          this.height = Math.max(this.height, entry.block.header.height);
          for (const tx of entry.block.txs) {
            if (bytesEqual(tx.from, this.config.key.publicKey)) this.ownCommittedTxs.push(tx);
          }
          if (source === 'sync') this.committedBySync++;
          if (!this.honest) return;
          this.env.check(() =>
            this.env.checker.onCommit(
              this.index,
              entry.block.header.height,
              entry.commit.round,
              entry.block,
              blockHash(entry.block),
              entry.changes.stateRoot,
            ),
          );
        },
      },
    );
    if (this.honest) {
      node.parts.evidence.onAdded = (evidence) =>
        this.env.check(() => this.env.checker.onEvidenceHeld(this.index, evidence));
    }
    this.node = node;
    await node.start();
    // Everyone up links to everyone up (the fault model decides what gets through).
    for (const peer of this.env.hub.members.keys()) this.env.hub.link(this.peerId, peer);
  }

  /** Lose everything but the store, at once: no goodbye, no last write. */
  crash(): void {
    if (this.node === null) return;
    this.node = null;
    this.incarnation++;
    const network = this.network;
    this.network = null;
    if (network) void network.stop();
    if (this.honest) this.env.check(() => this.env.checker.onCrash(this.index));
  }

  /**
   * The node's network with the adversary's publish (if any) and the checker watching every
   * consensus message an honest node lets out.
   */
  #watch(network: MemoryNetwork): MemoryNetwork {
    const honestPublish = network.publish.bind(network);
    const adversary = this.config.adversary;
    network.publish = async (type, payload) => {
      if (adversary.muted) return;
      if (this.honest) this.#recordSigned(type, payload);
      const honest = () => honestPublish(type, payload);
      await (adversary.publish ? adversary.publish(this, type, payload, honest) : honest());
    };
    return network;
  }

  #recordSigned(type: MessageType, payload: Uint8Array): void {
    const record = (kind: SignKind, height: number, round: number, hash: Uint8Array | null) =>
      this.env.check(() =>
        this.env.checker.onSigned({
          node: this.index,
          validator: this.address,
          height,
          round,
          kind,
          blockHash: hash,
        }),
      );
    // Only its own: a node also relays others' proof-of-lock prevotes.
    if (type === 'vote') {
      const vote = decodeVote(payload);
      if (vote.validator === this.address)
        record(vote.type, vote.height, vote.round, vote.blockHash);
    } else if (type === 'proposal') {
      const { proposal } = decodeProposalMessage(payload);
      if (proposal.proposer === this.address) {
        record('proposal', proposal.height, proposal.round, proposal.blockHash);
      }
    }
  }
}
