// The consensus host: what the driver asks of the ledger (Malachite's host). It builds the
// blocks this node proposes from the mempool and the evidence pool, judges proposed blocks with
// the core, and hands decided blocks to the block importer.
//
// A proposer never proposes what its own validation would refuse: every block it builds goes
// through validateBlock first (signatures in it were verified when their txs, votes and
// evidence were admitted), and if it fails — a bug, or a pool that kept something it should
// not — the offending evidence is dropped, the problem reported, and an empty block proposed.

import { blockSignatureChecks, blockSignatureSources, buildBlock } from '../core/block';
import { blockTimeFor } from '../core/block-time';
import { BLOCK_BYTES_MAX, BLOCK_TXS_MAX } from '../core/params';
import type { LedgerState } from '../core/state';
import type { Block, Commit, Evidence } from '../core/types';
import { validateBlock } from '../core/validate';
import type { Verifier } from '../core/signing';
import { validatorChangePending } from '../core/validators';
import type { Clock } from './clock';
import type { ConsensusHost } from './consensus-driver';
import type { EvidencePool } from './evidence-pool';
import type { LedgerHead } from './ledger-head';
import type { Mempool } from './mempool';
import { verifyAll } from './verify';

export interface ConsensusHostComponents {
  head: LedgerHead;
  mempool: Mempool;
  evidence: EvidencePool;
  verifier: Verifier;
  clock: Clock;
  /** This node's validator address (the proposer field of its blocks). */
  address: string;
  /** Commit a decided block (the block importer's consensus path). */
  commitDecided(block: Block, commit: Commit): Promise<boolean>;
  /** The engine detected an equivocation that the pool took: gossip it. */
  publishEvidence(evidence: Evidence): void;
  /** Something that should never happen did; the node reports it and goes on. */
  problem(code: string, message: string): void;
}

/**
 * Hooks where an adversary deviates in what it proposes (the simulator's byzantine validators);
 * an honest node has none.
 */
export interface ProposalTamper {
  (block: Block, state: LedgerState): Block;
}

export function createConsensusHost(
  c: ConsensusHostComponents,
  tamper?: ProposalTamper,
): ConsensusHost {
  const state = () => c.head.state;

  function build(txs: Block['txs'], evidence: Evidence[]): Block {
    const current = state();
    const lastCommit = c.head.seenCommit;
    return buildBlock(current, {
      txs,
      // BFT time (core/block-time.ts): the last commit decides it, not this node's clock.
      time: blockTimeFor(current, lastCommit) ?? current.lastBlockTime + 1,
      proposer: c.address,
      lastCommit,
      evidence,
    });
  }

  return {
    state,

    // Only work a block would carry: a tx waiting behind a missing nonce is not (proposing for
    // it made empty blocks without end, about 120 a second on one device).
    hasWork() {
      const current = state();
      const nextNonce = (sender: string) => current.accounts.get(sender)?.nonce ?? 0;
      return (
        c.mempool.hasReady(nextNonce) ||
        c.evidence.hasIncludable(current) ||
        validatorChangePending(current)
      );
    },

    async proposeBlock() {
      const current = state();
      const nextNonce = (sender: string) => current.accounts.get(sender)?.nonce ?? 0;
      const txs = c.mempool.reap(nextNonce, BLOCK_TXS_MAX, BLOCK_BYTES_MAX / 2);
      const evidence = c.evidence.forProposal(current);
      let block = build(txs, evidence);
      // Signatures were verified on admission; the rules are checked here.
      const verdicts = blockSignatureSources(current, block).map(() => true);
      const verdict = validateBlock(current, block, verdicts);
      if (!verdict.ok) {
        c.problem('proposal-refused', `own block refused: ${verdict.rule}: ${verdict.detail}`);
        c.evidence.prune(current, evidence);
        block = build([], []);
      }
      return tamper ? tamper(block, current) : block;
    },

    async isValid(block) {
      const current = state();
      const verdicts = await verifyAll(c.verifier, blockSignatureChecks(current, block));
      return validateBlock(current, block, verdicts).ok;
    },

    decided(block, commit) {
      return c.commitDecided(block, commit);
    },

    evidence(item) {
      if (c.evidence.add(state(), item)) c.publishEvidence(item);
    },
  };
}
