// The outbox: this device's own transactions. A submit is checked against the committed state,
// signed, and stored durably before anything else happens (from then on nothing is lost: a
// reload, a crash or a week offline resubmits it). Quick submits are group-committed: signed
// together and stored in one outbox write. Pending entries are gossiped at once, re-published
// every OUTBOX_RESUBMIT_MS and whenever a peer connects, until a block settles them.
//
// Nonces follow the pending outbox, one batch at a time (and one per profile across tabs, with
// `exclusive`), so no two submits share one.

import { checkTxAfter } from '../core/apply';
import { encodeTx } from '../core/encoding';
import { txSignBytes, type Signer } from '../core/signing';
import type { Tx, TxBody, TxKind, UnsignedTx } from '../core/types';
import { TX_BATCH_TXS_MAX } from '../net/limits';
import type { MessageType } from '../net/message-types';
import { OUTBOX_PENDING_MAX } from '../store/limits';
import type { LedgerStore, OutboxEntry } from '../store/types';
import type { ActivityEntry } from './api';
import type { Clock } from './clock';
import { GroupCommit, type Outcome } from './group-commit';
import type { LedgerHead } from './ledger-head';
import type { NodeEvents } from './node-events';
import { SUBMIT_BATCH_MAX } from './params';
import { activityOf } from './views';
import { chunks, encodeTxBatch } from './wire';

/** Stands in for the signature while a tx is checked before signing (the check skips it). */
const UNSIGNED_PLACEHOLDER = new Uint8Array(64);

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

interface SubmitRequest {
  kind: TxKind;
  body: TxBody;
}

export interface OutboxComponents {
  head: LedgerHead;
  store: LedgerStore;
  signer: Signer;
  clock: Clock;
  events: NodeEvents;
  /** This device's account address. */
  address: string;
  /** Whether the node runs (submits to a stopped node are refused). */
  running(): boolean;
  publish(type: MessageType, payload: Uint8Array): Promise<void>;
  postToTabs(type: MessageType, payload: Uint8Array): void;
  /**
   * Runs `task` in the node's serial queue (the check before signing reads the head state and
   * its record cache, which only the queue changes).
   */
  inQueue<T>(task: () => Promise<T>): Promise<T>;
  /** Reads the records some txs touch into the head state (inside the queue). */
  loadRecords(txs: readonly Tx[]): Promise<void>;
  /** Offer signed txs to the mempool (inside the serial queue; does not wait for it). */
  admit(txs: readonly { tx: Tx; sizeBytes: number }[]): void;
  /** Runs `task` holding this profile's submit lock (Web Locks); absent: this node only. */
  exclusive?: <T>(task: () => Promise<T>) => Promise<T>;
}

export class Outbox {
  readonly #c: OutboxComponents;
  readonly #submitter: GroupCommit<SubmitRequest, ActivityEntry>;

  constructor(components: OutboxComponents) {
    this.#c = components;
    this.#submitter = new GroupCommit((requests) => this.#submitBatch(requests), {
      batchMax: SUBMIT_BATCH_MAX,
      waitingMax: OUTBOX_PENDING_MAX,
    });
  }

  /** Queue a submit; quick submits are signed and stored together. */
  submit(kind: TxKind, body: TxBody): Promise<ActivityEntry> {
    return this.#submitter.submit({ kind, body });
  }

  /** Offer what is pending to the mempool (a node opening with a queued outbox). */
  async restore(): Promise<void> {
    const pending = await this.#c.store.outbox('pending');
    this.#c.admit(pending.map(({ tx }) => ({ tx, sizeBytes: encodeTx(tx).length })));
  }

  /** Re-publish every pending tx (the timer, a new peer, back online). */
  async resubmit(): Promise<void> {
    if (!this.#c.running()) return;
    const pending: OutboxEntry[] = await this.#c.store.outbox('pending');
    const encoded = pending.map((entry) => encodeTx(entry.tx));
    for (const batch of chunks(encoded, TX_BATCH_TXS_MAX)) {
      await this.#c.publish('tx', encodeTxBatch(batch));
    }
  }

  async activity(): Promise<ActivityEntry[]> {
    return (await this.#c.store.outbox()).map(activityOf).reverse();
  }

  async #submitBatch(requests: readonly SubmitRequest[]): Promise<Outcome<ActivityEntry>[]> {
    if (!this.#c.running()) throw new NodeStoppedError();
    const run = () => this.#signAndStore(requests);
    return this.#c.exclusive ? this.#c.exclusive(run) : run();
  }

  /**
   * Each new tx is judged as if this device's pending txs (and the batch's earlier ones) were
   * applied first: a tx the ledger would refuse is refused now, with its reason, and takes no
   * nonce (an overspend never sits in the outbox holding up everything after it).
   */
  async #judge(requests: readonly SubmitRequest[], pending: readonly OutboxEntry[]) {
    const state = this.#c.head.state;
    const { signer } = this.#c;
    const committedNonce = state.accounts.get(this.#c.address)?.nonce ?? 0;
    let nonce = Math.max(committedNonce, ...pending.map((entry) => entry.tx.nonce + 1));
    const outcomes: Outcome<ActivityEntry>[] = [];
    const accepted: { index: number; unsigned: UnsignedTx }[] = [];
    const before: Tx[] = pending.map((entry) => entry.tx).sort((a, b) => a.nonce - b.nonce);
    const candidates: Tx[] = requests.map(({ kind, body }) => ({
      chainId: state.chainId,
      from: signer.publicKey,
      nonce: 0,
      kind,
      body,
      signature: UNSIGNED_PLACEHOLDER,
    }));
    await this.#c.loadRecords([...before, ...candidates]);
    requests.forEach(({ kind, body }, index) => {
      const unsigned: UnsignedTx = {
        chainId: state.chainId,
        from: signer.publicKey,
        nonce,
        kind,
        body,
      };
      const next: Tx = { ...unsigned, signature: UNSIGNED_PLACEHOLDER };
      const check = checkTxAfter(state, before, next);
      if (check.code === 'ok') {
        accepted.push({ index, unsigned });
        before.push(next);
        nonce++;
      } else {
        outcomes[index] = { ok: false, error: new TxRejectedError(check.code, check.detail) };
      }
    });
    return { outcomes, accepted };
  }

  /** The whole batch is one outbox write; a request the state refuses is rejected alone. */
  async #signAndStore(requests: readonly SubmitRequest[]): Promise<Outcome<ActivityEntry>[]> {
    const { store, signer } = this.#c;
    const pending = await store.outbox('pending');
    const { outcomes, accepted } = await this.#c.inQueue(() => this.#judge(requests, pending));
    const txs: Tx[] = await Promise.all(
      accepted.map(async ({ unsigned }) => ({
        ...unsigned,
        signature: await signer.sign(txSignBytes(unsigned)),
      })),
    );
    let entries: OutboxEntry[] = [];
    try {
      if (txs.length > 0) entries = await store.addToOutbox(txs, this.#c.clock.nowMs());
    } catch (error) {
      for (const { index } of accepted) outcomes[index] = { ok: false, error };
      return outcomes;
    }
    // Durable in the outbox: from here nothing is lost. Admission waits its turn in the serial
    // queue (behind a commit, say) and gossip goes out meanwhile; neither holds up the next
    // batch (the outbox resubmits what gossip drops).
    const encoded = txs.map((tx) => encodeTx(tx));
    this.#c.admit(txs.map((tx, i) => ({ tx, sizeBytes: (encoded[i] as Uint8Array).length })));
    for (const batch of chunks(encoded, TX_BATCH_TXS_MAX)) {
      const payload = encodeTxBatch(batch);
      this.#c.postToTabs('tx', payload);
      void this.#c.publish('tx', payload);
    }
    accepted.forEach(({ index }, i) => {
      const activity = activityOf(entries[i] as OutboxEntry);
      this.#c.events.emit({ type: 'activity', entry: activity });
      outcomes[index] = { ok: true, value: activity };
    });
    return outcomes;
  }
}
