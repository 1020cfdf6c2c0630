// What the node does with each validated inbound message, inside the serial queue: transactions
// go to the mempool, proposals and votes to the consensus driver, decided blocks to the block
// importer, evidence to its pool, join requests to their table.

import type { LedgerState } from '../core/state';
import type { MessageType } from '../net/message-types';
import type { BlockImporter } from './block-importer';
import type { ConsensusDriver, ConsensusHost } from './consensus-driver';
import type { EvidencePool } from './evidence-pool';
import type { Inbound, InboundHandler } from './ingress';
import type { JoinRequests } from './join-requests';
import type { Mempool } from './mempool';
import type { NodeEvents } from './node-events';
import type { NodeStatusView } from './node-status';
import { admitTx } from './tx-admission';
import type { VoteActivity } from './vote-activity';

export interface GossipHandlerComponents {
  state(): LedgerState;
  nowMs(): number;
  driver: ConsensusDriver;
  host: ConsensusHost;
  importer: BlockImporter;
  mempool: Mempool;
  evidence: EvidencePool;
  joins: JoinRequests;
  votes: VoteActivity;
  events: NodeEvents;
  status: NodeStatusView;
}

export function createGossipHandler(c: GossipHandlerComponents): InboundHandler {
  /** Tell an idle proposer that something worth a block arrived. */
  async function whenWorkAppears(change: () => void): Promise<void> {
    const hadWork = c.host.hasWork();
    change();
    if (!hadWork && c.host.hasWork()) await c.driver.input({ type: 'work-available' });
  }

  return async <K extends MessageType>(type: K, inbound: Inbound<K>): Promise<void> => {
    const { source } = inbound;
    const message = inbound.message as Inbound['message'];
    switch (type) {
      case 'tx': {
        const { txs, txBytes } = message as Inbound<'tx'>['message'];
        await whenWorkAppears(() => {
          txs.forEach((tx, i) =>
            admitTx(c.state(), c.mempool, tx, (txBytes[i] as Uint8Array).length),
          );
        });
        return;
      }
      case 'proposal': {
        const { proposal, block } = message as Inbound<'proposal'>['message'];
        await c.driver.input({ type: 'proposal', proposal, block });
        c.status.consensusMaybeChanged();
        return;
      }
      case 'vote': {
        const vote = message as Inbound<'vote'>['message'];
        c.votes.note(vote.validator, vote);
        c.events.emit({
          type: 'vote',
          validator: vote.validator,
          height: vote.height,
          round: vote.round,
          voteType: vote.type,
        });
        await c.driver.input({ type: 'vote', vote });
        c.status.consensusMaybeChanged();
        return;
      }
      case 'commit': {
        const { block, commit, blockBytes } = message as Inbound<'commit'>['message'];
        const result = await c.importer.import(
          [{ block, commit, bytes: blockBytes }],
          source === 'tab' ? 'tab' : 'gossip',
        );
        if (result.committed > 0) await c.driver.startHeight();
        return;
      }
      case 'evidence': {
        const evidence = message as Inbound<'evidence'>['message'];
        await whenWorkAppears(() => c.evidence.add(c.state(), evidence));
        return;
      }
      case 'join': {
        c.joins.add(c.state(), message as Inbound<'join'>['message'], inbound.from, c.nowMs());
        c.status.changed();
        return;
      }
      default: {
        const unreachable: never = type as never;
        throw new Error(`unknown message type ${String(unreachable)}`);
      }
    }
  };
}
