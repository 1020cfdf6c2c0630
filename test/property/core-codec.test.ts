// Codec properties: round trips, and decoders that only ever return a value or a DecodeError.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
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
  encodeCommit,
  encodeTx,
  encodeVote,
  type Commit,
  type Tx,
  type Vote,
} from '../../src/lib/core/index';

const hex = (bytes: number) =>
  fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => Buffer.from(b).toString('hex'));
const bytes = (length: number) => fc.uint8Array({ minLength: length, maxLength: length });
const safe = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const small = fc.integer({ min: 0, max: 1_000_000 });

const txArb: fc.Arbitrary<Tx> = fc
  .record({
    chainId: hex(32),
    from: bytes(32),
    nonce: safe,
    signature: bytes(64),
    kindBody: fc.oneof(
      fc.record({
        kind: fc.constant('transfer' as const),
        body: fc.record({ to: hex(20), amount: safe }),
      }),
      fc.record({
        kind: fc.constant('put' as const),
        body: fc.record({
          key: fc.string({ maxLength: 40 }),
          value: fc.uint8Array({ maxLength: 100 }),
        }),
      }),
      fc.record({
        kind: fc.constant('delete' as const),
        body: fc.record({ key: fc.string({ maxLength: 40 }) }),
      }),
      fc.record({
        kind: fc.constant('validator-propose' as const),
        body: fc.record({
          publicKey: bytes(32),
          power: small,
          possession: fc.option(bytes(64), { nil: null }),
        }),
      }),
      fc.record({
        kind: fc.constant('validator-approve' as const),
        body: fc.record({ proposalId: bytes(32) }),
      }),
    ),
  })
  .map(({ kindBody, ...rest }) => ({ ...rest, ...kindBody }) as Tx);

const voteArb: fc.Arbitrary<Vote> = fc.record({
  chainId: hex(32),
  height: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  round: small,
  type: fc.constantFrom('prevote' as const, 'precommit' as const),
  blockHash: fc.option(bytes(32), { nil: null }),
  timestamp: safe,
  validator: hex(20),
  signature: bytes(64),
});

const commitArb: fc.Arbitrary<Commit> = fc.record({
  height: fc.integer({ min: 1, max: 1e9 }),
  round: small,
  blockHash: bytes(32),
  signatures: fc.array(
    fc.oneof(
      fc.constant({ kind: 'absent' as const }),
      fc.record({
        kind: fc.constantFrom('commit' as const, 'nil' as const),
        timestamp: safe,
        signature: bytes(64),
      }),
    ),
    { maxLength: 10 },
  ),
});

const decoders = [
  decodeTx,
  decodeVote,
  decodeProposal,
  decodeCommit,
  decodeEvidence,
  decodeBlock,
  decodeProposalMessage,
  decodeGenesis,
  (b: Uint8Array) => decodeValue(b),
];

function onlyValueOrDecodeError(input: Uint8Array): void {
  for (const decode of decoders) {
    try {
      decode(input);
    } catch (error) {
      if (!(error instanceof DecodeError)) throw error;
    }
  }
}

describe('codec properties', () => {
  test('tx, vote and commit round-trip byte-exactly', () => {
    fc.assert(
      fc.property(txArb, voteArb, commitArb, (tx, vote, commit) => {
        const txBytes = encodeTx(tx);
        // Keys with lone surrogates do not survive UTF-8; the decoder refuses them.
        if (
          !tx.kind.startsWith('validator') &&
          'key' in tx.body &&
          tx.body.key.isWellFormed?.() === false
        ) {
          expect(() => decodeTx(txBytes)).toThrow(DecodeError);
        } else if (txBytes.length <= 4096) {
          expect(decodeTx(txBytes)).toEqual(tx);
        }
        expect(decodeVote(encodeVote(vote))).toEqual(vote);
        expect(decodeCommit(encodeCommit(commit))).toEqual(commit);
      }),
      { numRuns: 300 },
    );
  });

  test('arbitrary bytes decode to a value or a DecodeError, never anything else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (input) => onlyValueOrDecodeError(input)),
      {
        numRuns: 500,
      },
    );
  });

  test('mutated valid encodings decode to a value or a DecodeError', () => {
    fc.assert(
      fc.property(
        txArb,
        voteArb,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.nat(),
        (tx, vote, edits, cut) => {
          for (const valid of [encodeTx(tx), encodeVote(vote)]) {
            const mutated = valid.slice();
            for (const [at, value] of edits) mutated[at % mutated.length] = value;
            onlyValueOrDecodeError(mutated);
            onlyValueOrDecodeError(valid.subarray(0, cut % valid.length));
            onlyValueOrDecodeError(Uint8Array.from([...valid, cut & 255]));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  test('any accepted encoding is canonical: re-encoding gives the same bytes', () => {
    fc.assert(
      fc.property(voteArb, fc.nat(), fc.integer({ min: 0, max: 255 }), (vote, at, value) => {
        const mutated = encodeVote(vote).slice();
        mutated[at % mutated.length] = value;
        let decoded: Vote | null = null;
        try {
          decoded = decodeVote(mutated);
        } catch (error) {
          expect(error).toBeInstanceOf(DecodeError);
        }
        if (decoded) expect(encodeVote(decoded)).toEqual(mutated);
      }),
      { numRuns: 500 },
    );
  });
});
