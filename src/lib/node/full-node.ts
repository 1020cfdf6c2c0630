// The full node of one tab: the composition root. It builds the parts (node-parts.ts; the map is
// docs/architecture.md), starts them in order, stops them in reverse, and implements the
// LedgerNode API by delegation.
//
//   gossip -> gossip validator (decode once, check) -> ingress -> inbox (bounded) -> serial queue
//     -> consensus driver (engine, effects, timers, signer guard) <-> consensus host
//     -> block importer (the only verify + commit path) -> store -> after-commit
//
// Everything that reads and changes the engine, the head state or the mempool runs in the one
// serial queue; network callbacks and timers only push into the inbox or enqueue.

import type { LedgerState } from '../core/state';
import type { TxBody, TxKind } from '../core/types';
import type { PeerEvent } from '../net/network';
import type * as Api from './api';
import * as joinApproval from './join-approval';
import { Keyring } from './keyring';
import { memberViews } from './members';
import {
  buildNodeParts,
  type FullNodeDeps,
  type FullNodeOptions,
  type NodeParts,
} from './node-parts';
import { TxRejectedError } from './outbox';
import { OUTBOX_RESUBMIT_MS, STORAGE_POLL_MS } from './params';
import * as queries from './queries';
import { searchLedger } from './search';

export { NodeStoppedError, TxRejectedError } from './outbox';
export type { NetworkParts } from './connectivity';
export type { FullNodeDeps, FullNodeOptions, NodeTamper } from './node-parts';

export class FullNode implements Api.LedgerNode {
  readonly #options: FullNodeOptions;
  readonly #deps: FullNodeDeps;
  readonly #p: NodeParts;
  readonly #cancelTimers = new Set<() => void>();
  readonly #unsubscribe: (() => void)[] = [];
  #validatorRole: boolean;
  #running = false;

  constructor(options: FullNodeOptions, deps: FullNodeDeps) {
    this.#options = options;
    this.#deps = deps;
    this.#validatorRole = options.mayValidate?.() ?? true;
    this.#p = buildNodeParts(options, deps, {
      running: () => this.#running,
      validatorRole: () => this.#validatorRole,
      run: (task) => this.#run(task),
      onPeerEvent: (event) => this.#onPeerEvent(event),
      joinsChanged: () =>
        this.#p.events.emit({ type: 'join-requests', requests: this.joinRequests() }),
      networkChanged: () => {
        this.#p.status.changed();
        this.#p.events.emit({ type: 'peers', peers: this.peers() });
        if (this.#p.connectivity.online) void this.#p.outbox.resubmit();
      },
    });
  }

  /** This device's account address. */
  get address(): string {
    return this.#p.address;
  }

  /** The committed state (read-only for callers). */
  get state(): LedgerState {
    return this.#p.head.state;
  }

  get status(): Api.NodeStatus {
    return this.#p.status.current;
  }

  /** The parts, for tests and the simulator (read them; do not drive them from outside). */
  get parts() {
    const { queue, mempool, evidence, ingress, connectivity } = this.#p;
    return { queue, mempool, evidence, ingress, network: () => connectivity.network };
  }

  // --- Lifecycle: start in order, stop in reverse ------------------------------------------

  async start(): Promise<void> {
    if (this.#running) return;
    const p = this.#p;
    await p.head.reload();
    const isPrivate = p.head.genesis.membership !== undefined;
    if (isPrivate) {
      p.keyring = await Keyring.open({
        store: this.#deps.store.keyring,
        chainId: p.head.state.chainId,
        address: p.address,
        boxKey: this.#deps.boxKey ?? null,
      });
    }
    this.#running = true;
    p.status.changed();
    const tabs = this.#deps.tabs;
    if (tabs) this.#unsubscribe.push(tabs.subscribe((t, b) => void p.ingress.fromTab(t, b)));
    // A private ledger without its key never goes online: its names would give it away.
    if (!isPrivate || p.keyring) await p.connectivity.start();
    else p.status.problem('key-missing', 'This device has no key for this private ledger.');
    await p.outbox.restore();
    this.#run(() => p.driver.start());
    this.#every(OUTBOX_RESUBMIT_MS, () => void p.outbox.resubmit());
    this.#every(STORAGE_POLL_MS, () => void this.#refreshStorage());
    void this.#refreshStorage();
  }

  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    const p = this.#p;
    for (const cancel of this.#cancelTimers) cancel();
    this.#cancelTimers.clear();
    p.announcer.stop();
    p.rotation.stop();
    p.catchUp.stop();
    p.driver.stop();
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
    p.ingress.clear();
    await p.queue.close();
    await p.connectivity.stop();
  }

  /** Resolves once every task queued so far has run (tests). */
  settled(): Promise<void> {
    return this.#p.queue.idle();
  }

  /**
   * Take or give up the device's validator role (another tab of this profile may hold it).
   * Taking it restarts the current height with this node signing; the persisted signer state
   * refuses anything the previous holder already signed, so the hand-over cannot double-sign.
   */
  setValidatorRole(active: boolean): void {
    if (this.#validatorRole === active) return;
    this.#validatorRole = active;
    this.#run(async () => {
      await this.#p.driver.restart();
      this.#p.status.changed();
    });
  }

  /** Follow the device's connectivity (the browser's online/offline events). */
  setOnline(online: boolean): Promise<void> {
    return this.#p.connectivity
      .setOnline(online)
      .catch((error: unknown) => this.#p.status.problem('network', (error as Error).message));
  }

  subscribe(listener: (event: Api.NodeEvent) => void): () => void {
    return this.#p.events.subscribe(listener);
  }

  // --- Actions ------------------------------------------------------------------------------

  transfer(to: string, amount: number): Promise<Api.ActivityEntry> {
    return this.#submit('transfer', { to, amount });
  }

  putRecord(key: string, value: string): Promise<Api.ActivityEntry> {
    return this.#submit('put', { key, value: new TextEncoder().encode(value) });
  }

  deleteRecord(key: string): Promise<Api.ActivityEntry> {
    return this.#submit('delete', { key });
  }

  requestToJoin(label: string, options?: { role?: Api.JoinRole }): Promise<void> {
    return this.#p.announcer.request(label, options?.role);
  }

  approveJoin(key: string, id: string | null, grants?: Api.JoinRole): Promise<Api.ActivityEntry> {
    return joinApproval.approveJoin(this.#p, key, id, grants);
  }

  declineJoin(publicKeyHex: string): Promise<void> {
    return joinApproval.declineJoin(this.#p, publicKeyHex);
  }

  inviteLink(baseUrl: string, options: { inviterName?: string } = {}): string {
    const relays = this.#options.relays ?? [];
    return joinApproval.nodeInviteLink(baseUrl, this.#p, relays, options.inviterName);
  }

  #submit(kind: TxKind, body: TxBody): Promise<Api.ActivityEntry> {
    return this.#p.outbox.submit(kind, body);
  }

  // --- Queries ------------------------------------------------------------------------------

  blocks(page: { beforeHeight?: number; limit: number }): Promise<Api.BlockSummary[]> {
    return queries.blockSummaries(this.#deps.store, page);
  }

  block(height: number): Promise<Api.BlockView | null> {
    return queries.blockView(this.#deps.store, this.#p.head.state, height);
  }

  account(address: string): Promise<Api.AccountView | null> {
    return queries.accountView(this.#deps.store, address);
  }

  async accounts(): Promise<{ address: string; balance: number }[]> {
    return queries.balances(this.#p.head.state);
  }

  records(prefix: string): Promise<Api.RecordView[]> {
    return queries.recordViews(this.#deps.store, prefix);
  }

  search(text: string): Promise<Api.SearchResult> {
    return searchLedger(this.#deps.store, this.#p.head.state.height, text);
  }

  activity(): Promise<Api.ActivityEntry[]> {
    return this.#p.outbox.activity();
  }

  async validators(): Promise<Api.ValidatorInfo[]> {
    const { state } = this.#p.head;
    return queries.validatorInfos(state, this.#p.votes.latest, this.address, this.#validatorRole);
  }

  peers(): Api.PeerInfo[] {
    const { connectivity, peerDevices } = this.#p;
    return queries.peerInfos(connectivity.network.peers(), (id) => peerDevices.addressOf(id));
  }

  joinRequests(): Api.JoinRequest[] {
    return this.#p.joins.views(this.#p.head.state, this.address);
  }

  members(): Api.MemberView[] {
    return memberViews(this.#p.head.state, this.address);
  }

  removeMember(address: string, proposalId: string | null): Promise<Api.ActivityEntry> {
    const view = this.members().find((member) => member.address === address);
    if (!view) return Promise.reject(new TxRejectedError('not-a-member'));
    if ((view.removal?.proposalId ?? null) !== proposalId) {
      return Promise.reject(new TxRejectedError('request-changed'));
    }
    if (proposalId !== null) {
      return this.#submit('validator-approve', { proposalId: hexToKey(proposalId) });
    }
    return this.#submit('member-remove', { address });
  }

  async removeValidator(address: string, proposalId: string | null): Promise<Api.ActivityEntry> {
    const view = (await this.validators()).find((validator) => validator.address === address);
    if (!view) throw new TxRejectedError('not-a-validator');
    if ((view.removal?.proposalId ?? null) !== proposalId) {
      throw new TxRejectedError('request-changed');
    }
    if (proposalId !== null) {
      return this.#submit('validator-approve', { proposalId: hexToKey(proposalId) });
    }
    const publicKey = hexToKey(view.publicKey);
    return this.#submit('validator-propose', { publicKey, power: 0, possession: null });
  }

  // --- Internals ----------------------------------------------------------------------------

  #run(task: () => Promise<void>): void {
    this.#p.queue.enqueue(task).catch((error: unknown) => {
      if (!this.#running) return;
      console.error('node task failed', error);
      this.#p.status.problem('internal', (error as Error).message);
    });
  }

  #onPeerEvent(event: PeerEvent): void {
    if (event.type === 'status') this.#p.catchUp.request(event.status.height);
    if (event.type === 'connected') void this.#p.outbox.resubmit();
    this.#p.events.emit({ type: 'peers', peers: this.peers() });
    this.#p.status.changed();
    // A peer's device claim is verified off the event: the list is told again once it is.
    void this.#p.peerDevices.onPeerEvent(event).then((changed) => {
      if (changed && this.#running) this.#p.events.emit({ type: 'peers', peers: this.peers() });
    });
  }

  async #refreshStorage(): Promise<void> {
    const info = await this.#deps.storageInfo?.().catch(() => null);
    if (info && this.#running) this.#p.status.setStorage(info);
  }

  #every(intervalMs: number, callback: () => void): void {
    const tick = () => {
      const cancel = this.#deps.timers.after(intervalMs, () => {
        this.#cancelTimers.delete(cancel);
        if (!this.#running) return;
        callback();
        tick();
      });
      this.#cancelTimers.add(cancel);
    };
    tick();
  }
}

/** 32 bytes from 64 hex digits (a public key or a proposal id). */
function hexToKey(hex: string): Uint8Array {
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    throw new TxRejectedError('bad-body', 'expected 32 bytes in hex');
  }
  const bytes = new Uint8Array(32);
  for (let i = 0; i < 32; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}
