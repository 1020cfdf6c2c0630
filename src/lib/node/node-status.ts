// The node's status as the UI sees it, recomputed from the parts when something changed and
// emitted as a 'status' event only when it did. Also the last problem worth telling the user
// (storage full, an invalid committed block...), and storage usage polled now and then.

import type { EngineStatus } from '../consensus/engine';
import { toHex } from '../core/bytes';
import type { LedgerState } from '../core/state';
import { findValidator } from '../core/validators';
import type { PeerSummary } from '../net/network';
import { isMember } from '../core/membership';
import type { AccessStatus, NodeStatus, StorageInfo } from './api';
import type { Keyring } from './keyring';
import type { NodeEvents } from './node-events';
import { connectivityOf } from './queries';

export interface NodeStatusComponents {
  ledgerName: string;
  address: string;
  publicKey: Uint8Array;
  events: NodeEvents;
  state(): LedgerState;
  engine(): EngineStatus;
  mayValidate(): boolean;
  sync(): { syncing: boolean; target: number };
  peers(): PeerSummary[];
  /** When the current height's block was proposed or first seen, or null. */
  proposedAtMs(): number | null;
  nowMs(): number;
  /** Inbound messages dropped for want of room, by type, and serial-queue refusals. */
  drops(): Record<string, number>;
  /** A private ledger's keys on this device (null: public, or none). */
  keyring(): Keyring | null;
}

function accessOf(
  state: LedgerState,
  address: string,
  keyring: Keyring | null,
): AccessStatus | null {
  const access = state.access;
  if (access === null) return null;
  const standing: AccessStatus['standing'] =
    keyring === null
      ? 'no-key'
      : keyring.locked
        ? 'removed'
        : access.leaving.includes(address)
          ? 'leaving'
          : isMember(access, address)
            ? 'member'
            : 'invited';
  return {
    standing,
    epoch: access.epoch,
    members: access.members.length,
    admission: access.admission,
  };
}

function total(counts: Record<string, number>): number {
  let sum = 0;
  for (const count of Object.values(counts)) sum += count;
  return sum;
}

const NO_STORAGE: StorageInfo = { usageBytes: null, quotaBytes: null, persisted: false };

export class NodeStatusView {
  readonly #c: NodeStatusComponents;
  #status: NodeStatus | null = null;
  #storage: StorageInfo = NO_STORAGE;
  #problem: NodeStatus['problem'] = null;
  #lastFinalityMs: number | null = null;
  #seenHeight = -1;

  constructor(components: NodeStatusComponents) {
    this.#c = components;
  }

  /** The status now (recomputed if messages were dropped since it was last computed). */
  get current(): NodeStatus {
    if (this.#status === null || total(this.#c.drops()) !== total(this.#status.drops)) {
      this.#status = this.#compute();
    }
    return this.#status;
  }

  /** Recompute and emit. */
  changed(): void {
    this.#status = this.#compute();
    this.#c.events.emit({ type: 'status', status: this.#status });
  }

  /** Recompute; emit only if the consensus step moved (votes arrive often). */
  consensusMaybeChanged(): void {
    const engine = this.#c.engine();
    const shown = this.current.consensus;
    if (
      shown.height !== engine.height ||
      shown.round !== engine.round ||
      shown.step !== engine.step
    ) {
      this.changed();
    }
  }

  problem(code: string, message: string): void {
    this.#problem = { code, message };
    this.changed();
  }

  setStorage(info: StorageInfo): void {
    this.#storage = info;
    this.changed();
  }

  #compute(): NodeStatus {
    const c = this.#c;
    const state = c.state();
    const engine = c.engine();
    if (state.height !== this.#seenHeight) {
      // A new head: how long its block took from proposal to commit here.
      const proposedAtMs = c.proposedAtMs();
      this.#lastFinalityMs = proposedAtMs === null ? null : c.nowMs() - proposedAtMs;
      this.#seenHeight = state.height;
    }
    const { syncing, target } = c.sync();
    const isValidator = findValidator(state.validators, c.address) !== undefined;
    const role = syncing
      ? 'catching-up'
      : isValidator
        ? c.mayValidate()
          ? 'validator'
          : 'standby'
        : 'observer';
    const peers = c.peers();
    return {
      chainId: state.chainId,
      ledgerName: c.ledgerName,
      height: state.height,
      headHash: state.height === 0 ? null : toHex(state.lastBlockHash),
      lastBlockTime: state.height === 0 ? null : state.lastBlockTime,
      lastFinalityMs: this.#lastFinalityMs,
      role,
      sync: syncing
        ? { fromHeight: state.height, currentHeight: state.height, targetHeight: target }
        : null,
      ...connectivityOf(peers),
      consensus: { height: engine.height, round: engine.round, step: engine.step },
      address: c.address,
      fingerprint: toHex(c.publicKey).slice(0, 16),
      storage: this.#storage,
      problem: this.#problem,
      drops: c.drops(),
      access: accessOf(state, c.address, c.keyring()),
    };
  }
}
