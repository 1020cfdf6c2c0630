// What follows every persisted batch of committed blocks, whatever their source: the one place
// that brings the node's pools and views up to date with the chain.
// - mempool: committed txs and txs whose nonce is now used leave it;
// - evidence pool: what the blocks carried, and what the new state would refuse, leave it;
// - join requests of devices that hold what they asked for (membership, power) are settled;
// - a private ledger's decided removal gets this validator's key rotation scheduled;
// - a block this node decided by consensus is posted to its other tabs, and gossiped once to
//   the network by its proposer (the other validators decided it too; observers and laggards
//   need one copy, and the proposer surely has the block);
// - events: each block, this device's outbox fates (activity), the status.

import { encodeBlock, encodeCommit } from '../core/encoding';
import { blockHash, bytesEqual, toHex, txHash } from '../core/hash';
import type { Block } from '../core/types';
import type { BlockToApply, LedgerStore } from '../store/types';
import type { BlockSummary } from './api';
import type { CommittedBatch } from './block-importer';
import type { EvidencePool } from './evidence-pool';
import type { JoinRequests } from './join-requests';
import type { LedgerHead } from './ledger-head';
import type { Mempool } from './mempool';
import type { NodeEvents } from './node-events';
import { activityOf } from './views';
import { encodeDecided } from './wire';

export interface AfterCommitComponents {
  head: LedgerHead;
  store: LedgerStore;
  mempool: Mempool;
  evidence: EvidencePool;
  joins: JoinRequests;
  events: NodeEvents;
  /** This device's public key (its txs' activity) and validator address (proposer). */
  publicKey: Uint8Array;
  address: string;
  /** Gossip a decided block to the network; post it to this profile's other tabs. */
  publishDecided(payload: Uint8Array): void;
  postToTabs(payload: Uint8Array): void;
  /** The status changed (height, finality...). */
  statusChanged(): void;
  /** A private ledger: schedule this validator's rotation if a removal waits for one. */
  checkRotation(): void;
  /** Told of every committed block (the simulator's invariant checker listens). */
  onCommitted?(entry: BlockToApply, source: CommittedBatch['source']): void;
}

export function createAfterCommit(c: AfterCommitComponents): (batch: CommittedBatch) => void {
  return ({ entries, source }) => {
    const state = c.head.state;
    if (c.mempool.size > 0) {
      const committed: string[] = [];
      for (const { block } of entries)
        for (const tx of block.txs) committed.push(toHex(txHash(tx)));
      c.mempool.update(committed, (sender) => state.accounts.get(sender)?.nonce ?? 0);
    }
    c.evidence.prune(
      state,
      entries.flatMap(({ block }) => block.evidence),
    );
    c.joins.settle(state);
    c.checkRotation();

    for (const entry of entries) {
      const { block, commit } = entry;
      c.onCommitted?.(entry, source);
      if (source === 'consensus') {
        const decided = encodeDecided(entry.encoded ?? encodeBlock(block), encodeCommit(commit));
        c.postToTabs(decided);
        if (block.header.proposer === c.address) c.publishDecided(decided);
      }
      c.events.emit({ type: 'block', block: summaryOf(block) });
      // Activity events only update views: nothing waits for their outbox read.
      void emitActivityFor(c, block).catch(() => undefined);
    }
    c.statusChanged();
  };
}

async function emitActivityFor(c: AfterCommitComponents, block: Block): Promise<void> {
  const mine = block.txs.filter((tx) => bytesEqual(tx.from, c.publicKey));
  if (mine.length === 0) return;
  const entries = await c.store.outboxEntries(mine.map((tx) => toHex(txHash(tx))));
  for (const entry of entries) {
    if (entry) c.events.emit({ type: 'activity', entry: activityOf(entry) });
  }
}

export function summaryOf(block: Block): BlockSummary {
  return {
    height: block.header.height,
    hash: toHex(blockHash(block)),
    time: block.header.time,
    proposer: block.header.proposer,
    txCount: block.txs.length,
  };
}
