// The evidence pool judges every item by the rule block validation applies (evidenceError):
// what the next block could not carry is refused, pruned, and never proposed — whether it aged
// past EVIDENCE_AGE_MAX_HEIGHTS or comes from before a validator-set change. The consensus host
// builds its proposals from the pool and checks them, so a stale item never reaches a block.
import { describe, expect, test } from 'vitest';
import { blockSignatureSources } from '../../../src/lib/core/block';
import { encodeEvidence } from '../../../src/lib/core/encoding';
import { blockHash, txHash } from '../../../src/lib/core/hash';
import { EVIDENCE_AGE_MAX_HEIGHTS } from '../../../src/lib/core/params';
import type { LedgerState } from '../../../src/lib/core/state';
import type { Evidence, Vote } from '../../../src/lib/core/types';
import { validateBlock } from '../../../src/lib/core/validate';
import { webCryptoVerifier } from '../../../src/lib/crypto/index';
import { ManualClock } from '../../../src/lib/node/clock';
import { createConsensusHost } from '../../../src/lib/node/consensus-host';
import { EvidencePool } from '../../../src/lib/node/evidence-pool';
import type { LedgerHead } from '../../../src/lib/node/ledger-head';
import { Mempool } from '../../../src/lib/node/mempool';
import { addressOfKey, possession, signVote, TestChain } from '../../support/fixtures';

/** Two conflicting prevotes of validator `index` at `height` (round 0). */
async function equivocation(chain: TestChain, index: number, height: number): Promise<Evidence> {
  const key = chain.validatorKeys[index]!;
  const vote = (blockHash: Uint8Array | null): Promise<Vote> =>
    signVote(key, {
      chainId: chain.chainId,
      height,
      round: 0,
      type: 'prevote',
      blockHash,
      timestamp: 1,
      validator: addressOfKey(key),
    });
  return {
    kind: 'duplicate-vote',
    voteA: await vote(null),
    voteB: await vote(new Uint8Array(32).fill(7)),
  };
}

/** The host over `state` with `pool`, proposing as the chain's first validator. */
function hostOn(chain: TestChain, pool: EvidencePool) {
  const problems: string[] = [];
  const head = { state: chain.state, seenCommit: chain.commits.at(-1) ?? null } as LedgerHead;
  const host = createConsensusHost({
    head,
    mempool: new Mempool(),
    evidence: pool,
    verifier: webCryptoVerifier(),
    clock: new ManualClock(chain.state.lastBlockTime + 10_000),
    address: chain.state.validators.validators[0]!.address,
    commitDecided: async () => true,
    publishEvidence: () => undefined,
    problem: (code) => problems.push(code),
  });
  return { host, problems };
}

function validatesOn(state: LedgerState, block: Parameters<typeof validateBlock>[1]) {
  return validateBlock(
    state,
    block,
    blockSignatureSources(state, block).map(() => true),
  );
}

describe('evidence pool', () => {
  test('refuses pairs that are no equivocation and keeps one copy of each pair', async () => {
    const chain = await TestChain.create();
    await chain.addBlock();
    const pool = new EvidencePool();
    const evidence = await equivocation(chain, 1, 1);
    const sameVoteTwice = { ...evidence, voteB: evidence.voteA };
    const prevoteAndPrecommit = {
      ...evidence,
      voteB: { ...evidence.voteB, type: 'precommit' as const },
    };
    expect(pool.add(chain.state, sameVoteTwice)).toBe(false);
    expect(pool.add(chain.state, prevoteAndPrecommit)).toBe(false);
    expect(pool.add(chain.state, evidence)).toBe(true);
    expect(
      pool.add(chain.state, { ...evidence, voteA: evidence.voteB, voteB: evidence.voteA }),
    ).toBe(false);
    expect(pool.size).toBe(1);
  });

  test('an item that aged out is pruned, and never proposed even before pruning', async () => {
    const chain = await TestChain.create();
    await chain.addBlock();
    const pool = new EvidencePool();
    expect(pool.add(chain.state, await equivocation(chain, 1, 1))).toBe(true);
    await chain.addBlocks(EVIDENCE_AGE_MAX_HEIGHTS);
    // Not pruned yet (a node that missed the prune): the proposer still leaves it out.
    expect(pool.size).toBe(1);
    expect(pool.forProposal(chain.state)).toEqual([]);
    const { host, problems } = hostOn(chain, pool);
    const block = await host.proposeBlock(chain.state.height + 1, 0);
    expect(block.evidence).toEqual([]);
    expect(validatesOn(chain.state, block)).toEqual({ ok: true });
    expect(problems).toEqual([]);
    pool.prune(chain.state);
    expect(pool.size).toBe(0);
    expect(pool.add(chain.state, await equivocation(chain, 2, 1))).toBe(false);
  });

  test('an item from before a validator-set change is pruned and never proposed', async () => {
    const chain = await TestChain.create({ accounts: 1 });
    await chain.addBlock();
    const pool = new EvidencePool();
    const old = await equivocation(chain, 1, 2);
    expect(pool.add(chain.state, old)).toBe(true);
    // Three of four validators approve a new one in block 2; it signs from block 4.
    const [v0, v1, v2] = chain.validatorKeys;
    const newcomer = chain.accounts[0]!;
    const propose = await chain.tx(v0!, 'validator-propose', {
      publicKey: newcomer.publicKey,
      power: 1,
      possession: await possession(newcomer, chain.chainId),
    });
    const proposalId = txHash(propose);
    await chain.addBlock({
      txs: [
        propose,
        await chain.tx(v1!, 'validator-approve', { proposalId }),
        await chain.tx(v2!, 'validator-approve', { proposalId }),
      ],
    });
    await chain.addBlocks(3);
    expect(chain.state.validators.validators.length).toBe(5);
    const { host } = hostOn(chain, pool);
    const block = await host.proposeBlock(chain.state.height + 1, 0);
    expect(block.evidence).toEqual([]);
    expect(validatesOn(chain.state, block)).toEqual({ ok: true });
    // Had it been proposed, every validator would refuse the block:
    const withIt = chain.buildNext({ evidence: [old] });
    expect(validatesOn(chain.state, withIt)).toMatchObject({ ok: false, rule: 'evidence-invalid' });
    pool.prune(chain.state);
    expect(pool.size).toBe(0);
  });

  test('includable evidence is proposed, and a block that carries it prunes it', async () => {
    const chain = await TestChain.create();
    await chain.addBlock();
    const pool = new EvidencePool();
    const evidence = await equivocation(chain, 1, 1);
    pool.add(chain.state, evidence);
    const { host } = hostOn(chain, pool);
    const block = await host.proposeBlock(chain.state.height + 1, 0);
    expect(block.evidence.map(encodeEvidence)).toEqual([encodeEvidence(evidence)]);
    expect(validatesOn(chain.state, block)).toEqual({ ok: true });
    expect(blockHash(block)).toBeInstanceOf(Uint8Array);
    pool.prune(chain.state, block.evidence);
    expect(pool.size).toBe(0);
  });
});
