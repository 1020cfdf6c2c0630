import { beforeAll, describe, expect, test } from 'vitest';
import {
  blockSignatureChecks,
  buildBlock,
  genesisState,
  validateBlock,
  VerdictsMismatchError,
  type Block,
  type BlockRule,
  type Commit,
  type Evidence,
  type LedgerState,
  type Tx,
} from '../../../src/lib/core/index';
import { BLOCK_EVIDENCE_MAX, BLOCK_TXS_MAX } from '../../../src/lib/core/params';
import { makeCommit, signVote, TestChain, verifyAll, newKeys } from '../../support/fixtures';

let chain: TestChain;
let state: LedgerState;
let txs: Tx[];
let evidence: Evidence;
let lastCommit: Commit;

beforeAll(async () => {
  chain = await TestChain.create({ validators: 4, accounts: 2 });
  await chain.addBlock({ txs: [await chain.transfer(chain.accounts[0]!, chain.accounts[1]!, 3)] });
  await chain.addBlock();
  state = chain.state;
  lastCommit = chain.commits.at(-1)!;
  txs = [await chain.transfer(chain.accounts[1]!, chain.accounts[0]!, 1)];
  const validator = state.validators.validators[1]!;
  const key = chain.keyOf(validator.address);
  const vote = (blockHash: Uint8Array | null) =>
    signVote(key, {
      chainId: state.chainId,
      height: state.height + 1,
      round: 0,
      type: 'prevote',
      blockHash,
      timestamp: 1,
      validator: validator.address,
    });
  evidence = {
    kind: 'duplicate-vote',
    voteA: await vote(new Uint8Array(32).fill(1)),
    voteB: await vote(null),
  };
});

function build(
  options: { txs?: Tx[]; evidence?: Evidence[]; lastCommit?: Commit | null; time?: number } = {},
): Block {
  return buildBlock(state, {
    txs: options.txs ?? txs,
    time: options.time ?? state.lastBlockTime + 1000,
    proposer: state.validators.validators[0]!.address,
    lastCommit: options.lastCommit === undefined ? lastCommit : options.lastCommit,
    evidence: options.evidence ?? [evidence],
  });
}

async function verdictsFor(block: Block, on: LedgerState = state): Promise<boolean[]> {
  return verifyAll(blockSignatureChecks(on, block));
}

function withHeader(block: Block, patch: Partial<Block['header']>): Block {
  return { ...block, header: { ...block.header, ...patch } };
}

const dummyTx = (i: number, valueBytes: number): Tx => ({
  chainId: state.chainId,
  from: chain.accounts[0]!.publicKey,
  nonce: i,
  kind: 'put',
  body: { key: `k${i}`, value: new Uint8Array(valueBytes) },
  signature: new Uint8Array(64),
});

test('a well-formed block with txs, last commit and evidence is valid', async () => {
  const block = build();
  const checks = blockSignatureChecks(state, block);
  expect(checks.map((c) => c.source.kind)).toEqual([
    'tx',
    'commit',
    'commit',
    'commit',
    'commit',
    'evidence',
    'evidence',
  ]);
  expect(validateBlock(state, block, await verdictsFor(block))).toEqual({ ok: true });
});

describe('each rule is enforced and named', () => {
  type Case = [
    BlockRule,
    () => Promise<{
      block: Block;
      verdicts?: boolean[];
      on?: LedgerState;
      expectedProposer?: string;
    }>,
  ];
  const flip = async (block: Block, kind: 'tx' | 'commit' | 'evidence') => {
    const checks = blockSignatureChecks(state, block);
    const verdicts = await verdictsFor(block);
    verdicts[checks.findIndex((c) => c.source.kind === kind)] = false;
    return { block, verdicts };
  };
  const cases: Case[] = [
    [
      'too-large',
      async () => ({
        block: build({ txs: Array.from({ length: 300 }, (_, i) => dummyTx(i, 2000)) }),
      }),
    ],
    [
      'too-many-txs',
      async () => ({
        block: build({ txs: Array.from({ length: BLOCK_TXS_MAX + 1 }, (_, i) => dummyTx(i, 1)) }),
      }),
    ],
    [
      'too-many-evidence',
      async () => ({
        block: build({ evidence: Array.from({ length: BLOCK_EVIDENCE_MAX + 1 }, () => evidence) }),
      }),
    ],
    ['chain-id', async () => ({ block: withHeader(build(), { chainId: 'cd'.repeat(32) }) })],
    ['height', async () => ({ block: withHeader(build(), { height: state.height + 2 }) })],
    ['time', async () => ({ block: build({ time: state.lastBlockTime }) })],
    [
      'previous-hash',
      async () => ({ block: withHeader(build(), { previousHash: new Uint8Array(32).fill(7) }) }),
    ],
    ['proposer', async () => ({ block: withHeader(build(), { proposer: 'ab'.repeat(20) }) })],
    [
      'proposer',
      async () => ({ block: build(), expectedProposer: state.validators.validators[2]!.address }),
    ],
    [
      'validators-hash',
      async () => ({ block: withHeader(build(), { validatorsHash: new Uint8Array(32) }) }),
    ],
    [
      'next-validators-hash',
      async () => ({ block: withHeader(build(), { nextValidatorsHash: new Uint8Array(32) }) }),
    ],
    ['state-root', async () => ({ block: withHeader(build(), { stateRoot: new Uint8Array(32) }) })],
    ['txs-root', async () => ({ block: { ...build(), txs: [] } })],
    ['evidence-hash', async () => ({ block: { ...build(), evidence: [] } })],
    ['last-commit-missing', async () => ({ block: build({ lastCommit: null }) })],
    [
      'last-commit-unexpected',
      async () => {
        const genesis = genesisState(chain.genesis);
        const block = buildBlock(genesis, {
          txs: [],
          time: genesis.lastBlockTime + 1,
          proposer: genesis.validators.validators[0]!.address,
          lastCommit,
        });
        return { block, on: genesis, verdicts: [] };
      },
    ],
    [
      'last-commit-hash',
      async () => ({ block: withHeader(build(), { lastCommitHash: new Uint8Array(32) }) }),
    ],
    [
      'last-commit-height',
      async () => ({
        block: build({ lastCommit: { ...lastCommit, height: lastCommit.height - 1 } }),
      }),
    ],
    [
      'last-commit-block-hash',
      async () => ({
        block: build({ lastCommit: { ...lastCommit, blockHash: new Uint8Array(32) } }),
      }),
    ],
    [
      'last-commit-size',
      async () => ({
        block: build({ lastCommit: { ...lastCommit, signatures: lastCommit.signatures.slice(1) } }),
      }),
    ],
    [
      'evidence-invalid',
      async () => ({ block: build({ evidence: [{ ...evidence, voteB: evidence.voteA }] }) }),
    ],
    [
      'evidence-invalid',
      async () => ({
        block: build({ evidence: [{ ...evidence, voteB: { ...evidence.voteB, round: 1 } }] }),
      }),
    ],
    [
      'evidence-invalid',
      async () => ({
        block: build({
          evidence: [{ ...evidence, voteA: { ...evidence.voteA, chainId: 'ef'.repeat(32) } }],
        }),
      }),
    ],
    [
      'evidence-invalid',
      async () => {
        // Beyond the block being built: no validator set to check it against.
        const ahead = (v: Evidence['voteA']) => ({ ...v, height: state.height + 2 });
        return {
          block: build({
            evidence: [{ ...evidence, voteA: ahead(evidence.voteA), voteB: ahead(evidence.voteB) }],
          }),
        };
      },
    ],
    [
      'evidence-duplicate',
      async () => ({
        block: build({
          evidence: [evidence, { ...evidence, voteA: evidence.voteB, voteB: evidence.voteA }],
        }),
      }),
    ],
    ['tx-signature', async () => flip(build(), 'tx')],
    [
      'tx-not-includable',
      async () => {
        const gap = await chain.tx(
          chain.accounts[0]!,
          'put',
          { key: 'g', value: Uint8Array.of(1) },
          99,
        );
        return { block: build({ txs: [gap] }) };
      },
    ],
    ['tx-not-includable', async () => ({ block: build({ txs: [...txs, ...txs] }) })],
    [
      'tx-not-includable',
      async () => {
        const [outsider] = await newKeys(1);
        const put = await chain.tx(outsider!, 'put', { key: 'spam', value: Uint8Array.of(1) }, 0);
        return { block: build({ txs: [put] }) };
      },
    ],
    ['last-commit-signature', async () => flip(build(), 'commit')],
    [
      'last-commit-power',
      async () => {
        const weak = await makeCommit(
          chain.blocks.at(-1)!,
          state.lastValidators,
          chain.keysByAddress,
          { absent: [0, 1] },
        );
        return { block: build({ lastCommit: weak }) };
      },
    ],
    [
      'last-commit-power',
      async () => {
        const nil = await makeCommit(
          chain.blocks.at(-1)!,
          state.lastValidators,
          chain.keysByAddress,
          { nil: [0, 3] },
        );
        return { block: build({ lastCommit: nil }) };
      },
    ],
    ['evidence-signature', async () => flip(build(), 'evidence')],
  ];

  test.each(cases)('%s', async (rule, make) => {
    const c = await make();
    const on = c.on ?? state;
    const verdicts = c.verdicts ?? (await verdictsFor(c.block, on));
    const result = validateBlock(on, c.block, verdicts, { expectedProposer: c.expectedProposer });
    expect(result.ok).toBe(false);
    expect(result.ok === false && result.rule).toBe(rule);
  });

  test('the table covers every rule', () => {
    const all: Record<BlockRule, true> = {
      'too-large': true,
      'too-many-txs': true,
      'too-many-evidence': true,
      'chain-id': true,
      height: true,
      time: true,
      'previous-hash': true,
      proposer: true,
      'validators-hash': true,
      'next-validators-hash': true,
      'state-root': true,
      'txs-root': true,
      'evidence-hash': true,
      'last-commit-missing': true,
      'last-commit-unexpected': true,
      'last-commit-hash': true,
      'last-commit-height': true,
      'last-commit-block-hash': true,
      'last-commit-size': true,
      'evidence-invalid': true,
      'evidence-duplicate': true,
      'tx-signature': true,
      'tx-not-includable': true,
      'last-commit-signature': true,
      'last-commit-power': true,
      'evidence-signature': true,
    };
    expect([...new Set(cases.map(([rule]) => rule))].sort()).toEqual(Object.keys(all).sort());
  });
});

test('one nil precommit out of four still commits (30 of 40 > 2/3)', async () => {
  const commit = await makeCommit(chain.blocks.at(-1)!, state.lastValidators, chain.keysByAddress, {
    nil: [2],
  });
  const block = build({ lastCommit: commit });
  expect(validateBlock(state, block, await verdictsFor(block))).toEqual({ ok: true });
});

test('a verdict list of the wrong length is a driver bug (throws)', () => {
  expect(() => validateBlock(state, build(), [true])).toThrow(VerdictsMismatchError);
});
