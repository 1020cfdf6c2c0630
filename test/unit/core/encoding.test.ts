import { encode as cborEncode } from 'cborg';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  DecodeError,
  decodeBlock,
  decodeCommit,
  decodeEvidence,
  decodeGenesis,
  decodeProposal,
  decodeProposalMessage,
  decodeTx,
  decodeValue,
  decodeVote,
  encodeBlock,
  encodeCommit,
  encodeEvidence,
  encodeGenesis,
  encodeProposal,
  encodeProposalMessage,
  encodeTx,
  encodeValue,
  encodeVote,
  type Block,
  type Tx,
  type Vote,
} from '../../../src/lib/core/index';
import { TX_BYTES_MAX } from '../../../src/lib/core/params';
import { signProposal, signVote, TestChain } from '../../support/fixtures';

let chain: TestChain;
let tx: Tx;
let block: Block;
let vote: Vote;

beforeAll(async () => {
  chain = await TestChain.create({ validators: 3, accounts: 1 });
  tx = await chain.transfer(chain.accounts[0]!, chain.validatorKeys[0]!, 7);
  await chain.addBlock({ txs: [tx] });
  const put = await chain.tx(chain.accounts[0]!, 'put', { key: 'k', value: Uint8Array.of(1, 2) });
  block = (await chain.addBlock({ txs: [put] })).block;
  const validator = chain.state.validators.validators[0]!;
  vote = await signVote(chain.keyOf(validator.address), {
    chainId: chain.chainId,
    height: 3,
    round: 0,
    type: 'prevote',
    blockHash: null,
    timestamp: 5,
    validator: validator.address,
  });
});

function expectDecodeError(fn: () => unknown, reason?: string): DecodeError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DecodeError);
    if (reason) expect((error as DecodeError).reason).toBe(reason);
    return error as DecodeError;
  }
  throw new Error('expected a DecodeError');
}

describe('round trips', () => {
  test('tx, block, vote, commit, evidence, proposal, genesis', async () => {
    expect(decodeTx(encodeTx(tx))).toEqual(tx);
    expect(decodeBlock(encodeBlock(block))).toEqual(block);
    expect(decodeVote(encodeVote(vote))).toEqual(vote);
    expect(decodeCommit(encodeCommit(chain.commits[0]!))).toEqual(chain.commits[0]);
    const evidence = { kind: 'duplicate-vote' as const, voteA: vote, voteB: vote };
    expect(decodeEvidence(encodeEvidence(evidence))).toEqual(evidence);
    const validator = chain.state.validators.validators[0]!;
    const proposal = await signProposal(chain.keyOf(validator.address), {
      chainId: chain.chainId,
      height: 3,
      round: 1,
      polRound: -1,
      blockHash: new Uint8Array(32),
      proposer: validator.address,
    });
    expect(decodeProposal(encodeProposal(proposal))).toEqual(proposal);
    expect(decodeProposalMessage(encodeProposalMessage({ proposal, block }))).toEqual({
      proposal,
      block,
    });
    expect(decodeGenesis(encodeGenesis(chain.genesis))).toEqual(chain.genesis);
  });

  test('plain values', () => {
    const value = { b: [1, -2, 'x', null, Uint8Array.of(9)], a: true };
    expect(decodeValue(encodeValue(value))).toEqual(value);
  });
});

describe('strict decoding: every bad input is a DecodeError with a reason', () => {
  const cases: Array<[string, () => Uint8Array, string]> = [
    ['trailing bytes', () => Uint8Array.from([...encodeTx(tx), 0]), 'malformed'],
    ['truncated', () => encodeTx(tx).subarray(0, 40), 'malformed'],
    ['empty input', () => new Uint8Array(0), 'malformed'],
    ['oversized input', () => new Uint8Array(TX_BYTES_MAX + 1), 'too-large'],
    ['not an array', () => cborEncode({ a: 1 }), 'bad-shape'],
    ['wrong arity', () => cborEncode([1, 2, 3]), 'bad-shape'],
    ['unknown kind', () => cborEncode(txFields({ kind: 'mint' })), 'unknown-kind'],
    ['short public key', () => cborEncode(txFields({ from: new Uint8Array(31) })), 'bad-length'],
    [
      'short signature',
      () => cborEncode(txFields({ signature: new Uint8Array(63) })),
      'bad-length',
    ],
    ['upper-case chain id', () => cborEncode(txFields({ chainId: 'A'.repeat(64) })), 'bad-format'],
    ['bad address', () => cborEncode(txFields({ body: ['xyz', 1] })), 'bad-format'],
    ['negative nonce', () => cborEncode(txFields({ nonce: -1 })), 'out-of-range'],
    ['float amount', () => cborEncode(txFields({ body: [addr(), 1.5] })), 'bad-type'],
    ['unsafe integer', () => cborEncode(txFields({ nonce: 2 ** 53 })), 'bad-type'],
    ['string where bytes', () => cborEncode(txFields({ from: 'ab' })), 'bad-type'],
  ];
  test.each(cases)('%s', (_name, bytes, reason) => {
    expectDecodeError(() => decodeTx(bytes()), reason);
  });

  test('non-minimal integer encoding is rejected', () => {
    // nonce 0 written as a one-byte-argument uint (0x18 0x00) instead of 0x00.
    const fields = txFields({});
    const canonical = cborEncode(fields);
    const nonceAt = indexOfNonce();
    const bytes = Uint8Array.from([
      ...canonical.subarray(0, nonceAt),
      0x18,
      0x01,
      ...canonical.subarray(nonceAt + 1),
    ]);
    expectDecodeError(() => decodeTx(bytes));
  });

  test('an integer encoded as a float is rejected (re-encoding differs)', () => {
    const canonical = encodeValue([1]);
    expect(Array.from(canonical)).toEqual([0x81, 0x01]);
    expectDecodeError(
      () => decodeValue(Uint8Array.of(0x81, 0xfb, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0)),
      'non-canonical',
    );
  });

  test('unsorted or duplicate map keys are rejected', () => {
    // {"b":1,"a":2} in that order.
    expectDecodeError(
      () => decodeValue(Uint8Array.of(0xa2, 0x61, 0x62, 1, 0x61, 0x61, 2)),
      'non-canonical',
    );
    expectDecodeError(() => decodeValue(Uint8Array.of(0xa2, 0x61, 0x61, 1, 0x61, 0x61, 2)));
  });

  test('indefinite lengths, undefined, tags, NaN are rejected', () => {
    for (const bytes of [
      Uint8Array.of(0x9f, 0x01, 0xff),
      Uint8Array.of(0xf7),
      Uint8Array.of(0xc1, 0x01),
      Uint8Array.of(0xf9, 0x7e, 0x00),
    ]) {
      expectDecodeError(() => decodeValue(bytes));
    }
  });

  test('invalid UTF-8 in a text string is rejected', () => {
    expectDecodeError(() => decodeValue(Uint8Array.of(0x62, 0xc3, 0x28)));
  });

  test('proposal polRound must be in [-1, round)', async () => {
    const fields = [chain.chainId, 1, 0, 0, new Uint8Array(32), addr(), new Uint8Array(64)];
    expectDecodeError(() => decodeProposal(cborEncode(fields)), 'out-of-range');
  });

  test('vote height 0 and bad type are rejected', () => {
    const fields = (over: Record<number, unknown>) => {
      const base: unknown[] = [chain.chainId, 1, 0, 'prevote', null, 0, addr(), new Uint8Array(64)];
      for (const [i, v] of Object.entries(over)) base[Number(i)] = v;
      return cborEncode(base);
    };
    expect(decodeVote(fields({})).height).toBe(1);
    expectDecodeError(() => decodeVote(fields({ 1: 0 })), 'out-of-range');
    expectDecodeError(() => decodeVote(fields({ 3: 'commit' })), 'unknown-kind');
  });

  test('absurdly deep nesting is a DecodeError, not a stack overflow', () => {
    const deep = new Uint8Array(400_000).fill(0x81);
    deep[deep.length - 1] = 0x00;
    expectDecodeError(() => decodeValue(deep));
    expectDecodeError(() => decodeBlock(deep));
  });

  test('a non-bytes input is a DecodeError', () => {
    expectDecodeError(() => decodeTx('abc' as unknown as Uint8Array), 'bad-type');
  });
});

function addr(): string {
  return 'ab'.repeat(20);
}

function txFields(
  over: Partial<Record<'chainId' | 'from' | 'nonce' | 'kind' | 'body' | 'signature', unknown>>,
) {
  return [
    over.chainId ?? 'ab'.repeat(32),
    over.from ?? new Uint8Array(32),
    over.nonce ?? 0,
    over.kind ?? 'transfer',
    over.body ?? [addr(), 1],
    over.signature ?? new Uint8Array(64),
  ];
}

/** Offset of the nonce (a 0x00 byte) in a canonical txFields({}) encoding. */
function indexOfNonce(): number {
  // array(6), text(64) chainId = 2 + 64 bytes, bytes(32) from = 2 + 32 bytes.
  return 1 + 2 + 64 + 2 + 32;
}
