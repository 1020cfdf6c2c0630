// Every named maximum in params.ts is enforced somewhere; one test per limit.
import { encode as cborEncode } from 'cborg';
import { beforeAll, expect, test } from 'vitest';
import {
  checkTx,
  DecodeError,
  decodeBlock,
  decodeCommit,
  decodeGenesis,
  decodeProposalMessage,
  decodeTx,
  decodeValue,
  encodeBlock,
  encodeTx,
  GenesisError,
  genesisState,
  makeValidatorSet,
  toHex,
  ValidatorSetError,
  type Block,
  type LedgerState,
  type Tx,
} from '../../../src/lib/core/index';
import {
  AMOUNT_MAX,
  BLOCK_BYTES_MAX,
  BLOCK_EVIDENCE_MAX,
  BLOCK_TXS_MAX,
  GENESIS_BALANCES_MAX,
  GOVERNANCE_PROPOSAL_TTL_BLOCKS,
  GOVERNANCE_PROPOSALS_MAX,
  LEDGER_NAME_BYTES_MAX,
  MESSAGE_BYTES_MAX,
  RECORD_KEY_BYTES_MAX,
  RECORD_VALUE_BYTES_MAX,
  TOTAL_POWER_MAX,
  TX_BYTES_MAX,
  VALIDATORS_MAX,
} from '../../../src/lib/core/params';
import { addressOfKey, makeGenesis, newKeys, possession, TestChain } from '../../support/fixtures';

let chain: TestChain;
let state: LedgerState;
let block: Block;

beforeAll(async () => {
  chain = await TestChain.create({ validators: 1, accounts: 1 });
  block = (await chain.addBlock()).block;
  state = chain.state;
});

const key = (i: number) =>
  Uint8Array.from({ length: 32 }, (_, j) => (j === 0 ? i & 255 : j === 1 ? i >> 8 : 7));

function put(k: string, valueBytes: number): Tx {
  return {
    chainId: state.chainId,
    from: chain.accounts[0]!.publicKey,
    nonce: 0,
    kind: 'put',
    body: { key: k, value: new Uint8Array(valueBytes) },
    signature: new Uint8Array(64),
  };
}

function decodeReason(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof DecodeError) return error.reason;
    throw error;
  }
  return 'decoded';
}

test('TX_BYTES_MAX: decoder and checkTx', () => {
  expect(decodeReason(() => decodeTx(new Uint8Array(TX_BYTES_MAX + 1)))).toBe('too-large');
  const big = put('k', TX_BYTES_MAX);
  expect(encodeTx(big).length).toBeGreaterThan(TX_BYTES_MAX);
  expect(checkTx(state, big, true).code).toBe('too-large');
});

test('BLOCK_BYTES_MAX: decoder (validateBlock: validate-block.test.ts)', () => {
  expect(decodeReason(() => decodeBlock(new Uint8Array(BLOCK_BYTES_MAX + 1)))).toBe('too-large');
  expect(decodeBlock(encodeBlock(block))).toEqual(block);
});

test('BLOCK_TXS_MAX and BLOCK_EVIDENCE_MAX: decoder', () => {
  const fields = (txs: unknown[], evidence: unknown[]) => {
    const decoded = cborEncode([
      [state.chainId, 2, 1, ...Array(7).fill(new Uint8Array(32)), 'ab'.repeat(20)],
      txs,
      null,
      evidence,
    ]);
    return decoded;
  };
  expect(decodeReason(() => decodeBlock(fields(Array(BLOCK_TXS_MAX + 1).fill(0), [])))).toBe(
    'out-of-range',
  );
  expect(decodeReason(() => decodeBlock(fields([], Array(BLOCK_EVIDENCE_MAX + 1).fill(0))))).toBe(
    'out-of-range',
  );
});

test('RECORD_KEY_BYTES_MAX counts UTF-8 bytes', () => {
  expect(checkTx(state, put('k'.repeat(RECORD_KEY_BYTES_MAX), 1), true).code).toBe('ok');
  expect(checkTx(state, put('k'.repeat(RECORD_KEY_BYTES_MAX + 1), 1), true).code).toBe(
    'key-too-large',
  );
  // 'é' is 2 bytes: 65 of them are 130 bytes.
  expect(checkTx(state, put('é'.repeat(65), 1), true).code).toBe('key-too-large');
});

test('RECORD_VALUE_BYTES_MAX', () => {
  expect(checkTx(state, put('k', RECORD_VALUE_BYTES_MAX), true).code).toBe('ok');
  expect(checkTx(state, put('k', RECORD_VALUE_BYTES_MAX + 1), true).code).toBe('value-too-large');
});

test('VALIDATORS_MAX: sets, genesis and commits', () => {
  const many = Array.from({ length: VALIDATORS_MAX + 1 }, (_, i) => ({
    publicKey: key(i),
    power: 1,
  }));
  expect(makeValidatorSet(many.slice(0, VALIDATORS_MAX)).validators).toHaveLength(VALIDATORS_MAX);
  expect(() => makeValidatorSet(many)).toThrow(ValidatorSetError);
  const commit = cborEncode([1, 0, new Uint8Array(32), Array(VALIDATORS_MAX + 1).fill([0])]);
  expect(decodeReason(() => decodeCommit(commit))).toBe('out-of-range');
});

test('TOTAL_POWER_MAX', () => {
  expect(() => makeValidatorSet([{ publicKey: key(1), power: TOTAL_POWER_MAX + 1 }])).toThrow(
    ValidatorSetError,
  );
  expect(makeValidatorSet([{ publicKey: key(1), power: TOTAL_POWER_MAX }]).totalPower).toBe(
    TOTAL_POWER_MAX,
  );
});

test('GOVERNANCE_PROPOSALS_MAX and GOVERNANCE_PROPOSAL_TTL_BLOCKS', async () => {
  const gov = await TestChain.create({ validators: 2 });
  const proposer = gov.validatorKeys[0]!;
  const txs = [];
  const candidates = await newKeys(GOVERNANCE_PROPOSALS_MAX + 1);
  for (const candidate of candidates) {
    txs.push(
      await gov.tx(proposer, 'validator-propose', {
        publicKey: candidate.publicKey,
        power: 1,
        possession: await possession(candidate, gov.chainId),
      }),
    );
  }
  const { results } = await gov.addBlock({ txs });
  expect(results.slice(0, GOVERNANCE_PROPOSALS_MAX).every((r) => r.code === 'ok')).toBe(true);
  expect(results[GOVERNANCE_PROPOSALS_MAX]!.code).toBe('too-many-proposals');
  // Age every proposal to its last block, then one more block drops them all.
  for (const [id, p] of gov.state.proposals) {
    gov.state.proposals.set(id, {
      ...p,
      height: gov.state.height + 1 - GOVERNANCE_PROPOSAL_TTL_BLOCKS,
    });
  }
  await gov.addBlock();
  expect(gov.state.proposals.size).toBe(0);
});

test('LEDGER_NAME_BYTES_MAX, GENESIS_BALANCES_MAX and AMOUNT_MAX: genesis', () => {
  const genesis = chain.genesis;
  expect(() => genesisState({ ...genesis, name: 'n'.repeat(LEDGER_NAME_BYTES_MAX) })).not.toThrow();
  expect(() => genesisState({ ...genesis, name: 'n'.repeat(LEDGER_NAME_BYTES_MAX + 1) })).toThrow(
    GenesisError,
  );
  const balances = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ address: i.toString(16).padStart(40, '0'), amount: 1 }));
  expect(() => genesisState({ ...genesis, balances: balances(GENESIS_BALANCES_MAX + 1) })).toThrow(
    GenesisError,
  );
  const validators = genesis.validators;
  const oversupplied = makeGenesis([], {
    balances: [
      { address: addressOfKey(chain.accounts[0]!), amount: AMOUNT_MAX },
      { address: 'ab'.repeat(20), amount: 1 },
    ],
  });
  expect(() => genesisState({ ...oversupplied, validators })).toThrow(GenesisError);
  const listTooLong = cborEncode([
    'n',
    0,
    [],
    balances(GENESIS_BALANCES_MAX + 1).map((b) => [b.address, 1]),
    new Uint8Array(0),
  ]);
  expect(decodeReason(() => decodeGenesis(listTooLong))).toBe('out-of-range');
});

test('MESSAGE_BYTES_MAX: proposal messages and plain values', () => {
  expect(decodeReason(() => decodeProposalMessage(new Uint8Array(MESSAGE_BYTES_MAX + 1)))).toBe(
    'too-large',
  );
  expect(decodeReason(() => decodeValue(new Uint8Array(MESSAGE_BYTES_MAX + 1)))).toBe('too-large');
  expect(toHex(new Uint8Array(1))).toBe('00');
});
