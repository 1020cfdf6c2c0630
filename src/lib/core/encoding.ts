// The one canonical encoding of everything hashed, signed, stored or sent: deterministic CBOR
// (RFC 8949 §4.2 core deterministic encoding, as cborg writes it) of fixed-shape arrays.
//
// Why arrays: a struct is an array of its fields in a fixed order (documented in
// docs/protocol.md), so there are no map keys to sort, duplicate or omit, the bytes are compact,
// and a decoder checks the shape by position. Enumerations (tx kind, vote type, evidence kind)
// are text strings; commit slots are small integers because commits repeat them per validator.
//
// Why decoding is strict: two nodes must never disagree on whether bytes are a valid message.
// A decoder (1) bounds the input size, (2) decodes with cborg's strict options (minimal integer
// and length encodings, no indefinite lengths, no undefined / NaN / Infinity / bigint, no tags,
// no duplicate map keys), (3) validates the shape (field types, byte lengths, hex formats, safe
// integers, enumerations), and (4) re-encodes the value and requires the same bytes. Step 4
// makes every accepted input canonical: exactly one byte string decodes to each value (it also
// rejects floats standing in for integers, non-shortest floats, unsorted maps, trailing bytes).
// Every failure is a DecodeError; no other exception escapes a decoder.

import { decode as cborDecode, encode as cborgEncode } from 'cborg';
import { bytesEqual } from './bytes';
import { cborFastEncode, cborFastEquals, cborFastSize, cborFastTransient } from './cbor-fast';
import { sha256Digest } from './sha256';
import {
  BLOCK_BYTES_MAX,
  BLOCK_EVIDENCE_MAX,
  BLOCK_TXS_MAX,
  MESSAGE_BYTES_MAX,
  TX_BYTES_MAX,
  VALIDATORS_MAX,
  GENESIS_BALANCES_MAX,
} from './params';
import type {
  Block,
  BlockHeader,
  Commit,
  CommitSig,
  Evidence,
  Genesis,
  GenesisBalance,
  GenesisValidator,
  Proposal,
  ProposalMessage,
  Tx,
  TxBody,
  TxKind,
  UnsignedProposal,
  UnsignedTx,
  UnsignedVote,
  Validator,
  ValidatorSet,
  Vote,
  VoteType,
} from './types';

export type DecodeReason =
  | 'too-large'
  | 'malformed'
  | 'non-canonical'
  | 'bad-shape'
  | 'bad-type'
  | 'bad-length'
  | 'bad-format'
  | 'out-of-range'
  | 'unknown-kind';

/** Any input a decoder refuses. `path` names the offending field (e.g. `tx.body.amount`). */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  constructor(
    readonly reason: DecodeReason,
    readonly path: string,
    detail?: string,
  ) {
    super(`${reason} at ${path}${detail ? `: ${detail}` : ''}`);
  }
}

export const HASH_BYTES = 32;
export const PUBLIC_KEY_BYTES = 32;
export const SIGNATURE_BYTES = 64;
export const ADDRESS_PATTERN = /^[0-9a-f]{40}$/;
export const CHAIN_ID_PATTERN = /^[0-9a-f]{64}$/;
export const TX_KINDS: readonly TxKind[] = [
  'transfer',
  'put',
  'delete',
  'validator-propose',
  'validator-approve',
];
export const VOTE_TYPES: readonly VoteType[] = ['prevote', 'precommit'];

// cborg decode options that make it reject every non-canonical or non-data construct.
const STRICT_DECODE = {
  strict: true,
  allowIndefinite: false,
  allowUndefined: false,
  coerceUndefinedToNull: false,
  allowInfinity: false,
  allowNaN: false,
  allowBigInt: false,
  useMaps: false,
  rejectDuplicateMapKeys: true,
  retainStringBytes: false,
  tags: [],
};

// ---------------------------------------------------------------------------------------------
// Plain CBOR

/** cborg's canonical bytes; the common shapes take the faster same-bytes path (cbor-fast.ts). */
function cborEncode(value: unknown): Uint8Array {
  return cborFastEncode(value) ?? cborgEncode(value);
}

/** SHA-256 of the canonical encoding of `value`, encoded in a reused buffer when it can be. */
function sha256OfCbor(value: unknown): Uint8Array {
  return sha256Digest(cborFastTransient(value) ?? cborgEncode(value));
}

/** sha256(encodeValue(value)), without allocating the encoding. */
export function sha256OfValue(value: unknown): Uint8Array {
  return sha256OfCbor(value);
}

/** Canonical CBOR of plain data (arrays, string-keyed objects, strings, integers, bytes, null). */
export function encodeValue(value: unknown): Uint8Array {
  return cborEncode(value);
}

/** Strict canonical decode of plain data; `bytesMax` bounds the input. */
export function decodeValue(bytes: Uint8Array, bytesMax: number = MESSAGE_BYTES_MAX): unknown {
  return decodeWith(bytes, bytesMax, 'value', (value) => value);
}

function decodeWith<T>(
  bytes: Uint8Array,
  bytesMax: number,
  path: string,
  shape: (value: unknown, path: string) => T,
): T {
  if (!(bytes instanceof Uint8Array)) throw new DecodeError('bad-type', path, 'not bytes');
  if (bytes.length > bytesMax) {
    throw new DecodeError('too-large', path, `${bytes.length} > ${bytesMax} bytes`);
  }
  let raw: unknown;
  try {
    raw = cborDecode(bytes, STRICT_DECODE);
  } catch (error) {
    throw new DecodeError('malformed', path, error instanceof Error ? error.message : undefined);
  }
  let value: T;
  try {
    value = shape(raw, path);
  } catch (error) {
    if (error instanceof DecodeError) throw error;
    // A shape function only throws DecodeError by design; anything else (e.g. a stack overflow
    // on absurd nesting) is still the input's fault.
    throw new DecodeError('malformed', path, error instanceof Error ? error.message : undefined);
  }
  let canonical: boolean;
  try {
    canonical = cborFastEquals(raw, bytes) ?? bytesEqual(cborgEncode(raw), bytes);
  } catch {
    throw new DecodeError('non-canonical', path, 'cannot re-encode');
  }
  if (!canonical) throw new DecodeError('non-canonical', path);
  return value;
}

// ---------------------------------------------------------------------------------------------
// Shape checks (each throws DecodeError with the field path)

function tuple(value: unknown, length: number, path: string): unknown[] {
  if (!Array.isArray(value)) throw new DecodeError('bad-shape', path, 'expected an array');
  if (value.length !== length) {
    throw new DecodeError('bad-shape', path, `expected ${length} fields, got ${value.length}`);
  }
  return value;
}

function list(value: unknown, lengthMax: number, path: string): unknown[] {
  if (!Array.isArray(value)) throw new DecodeError('bad-shape', path, 'expected an array');
  if (value.length > lengthMax) {
    throw new DecodeError('out-of-range', path, `${value.length} > ${lengthMax} items`);
  }
  return value;
}

function bytesOf(value: unknown, path: string, length?: number): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new DecodeError('bad-type', path, 'expected bytes');
  if (length !== undefined && value.length !== length) {
    throw new DecodeError('bad-length', path, `expected ${length} bytes, got ${value.length}`);
  }
  return value;
}

function text(value: unknown, path: string): string {
  if (typeof value !== 'string') throw new DecodeError('bad-type', path, 'expected a string');
  return value;
}

function matching(value: unknown, pattern: RegExp, path: string): string {
  const string = text(value, path);
  if (!pattern.test(string)) throw new DecodeError('bad-format', path);
  return string;
}

/** A safe integer in [min, Number.MAX_SAFE_INTEGER]. */
function integer(value: unknown, path: string, min = 0): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new DecodeError('bad-type', path, 'expected a safe integer');
  }
  if (value < min) throw new DecodeError('out-of-range', path, `below ${min}`);
  return value;
}

function oneOf<T extends string>(value: unknown, options: readonly T[], path: string): T {
  const string = text(value, path);
  if (!(options as readonly string[]).includes(string)) {
    throw new DecodeError('unknown-kind', path, string);
  }
  return string as T;
}

const hash = (value: unknown, path: string) => bytesOf(value, path, HASH_BYTES);
const publicKey = (value: unknown, path: string) => bytesOf(value, path, PUBLIC_KEY_BYTES);
const signature = (value: unknown, path: string) => bytesOf(value, path, SIGNATURE_BYTES);
const address = (value: unknown, path: string) => matching(value, ADDRESS_PATTERN, path);
const chainId = (value: unknown, path: string) => matching(value, CHAIN_ID_PATTERN, path);

// ---------------------------------------------------------------------------------------------
// Transactions
// Tx = [chainId, from, nonce, kind, body, signature]; body per kind (see docs/protocol.md).

function bodyToCbor(kind: TxKind, body: TxBody): unknown[] {
  const b = body as unknown as Record<string, unknown>;
  switch (kind) {
    case 'transfer':
      return [b.to, b.amount];
    case 'put':
      return [b.key, b.value];
    case 'delete':
      return [b.key];
    case 'validator-propose':
      return [b.publicKey, b.power, b.possession ?? null];
    case 'validator-approve':
      return [b.proposalId];
    default:
      // Unknown kinds only exist in memory (a decoder never yields one); encode them
      // distinguishably so checkTx can still hash and reject them.
      return [];
  }
}

function bodyFromCbor(kind: TxKind, value: unknown, path: string): TxBody {
  switch (kind) {
    case 'transfer': {
      const [to, amount] = tuple(value, 2, path);
      return { to: address(to, `${path}.to`), amount: integer(amount, `${path}.amount`) };
    }
    case 'put': {
      const [key, data] = tuple(value, 2, path);
      return { key: text(key, `${path}.key`), value: bytesOf(data, `${path}.value`) };
    }
    case 'delete': {
      const [key] = tuple(value, 1, path);
      return { key: text(key, `${path}.key`) };
    }
    case 'validator-propose': {
      const [key, power, possession] = tuple(value, 3, path);
      return {
        publicKey: publicKey(key, `${path}.publicKey`),
        power: integer(power, `${path}.power`),
        possession: possession === null ? null : signature(possession, `${path}.possession`),
      };
    }
    case 'validator-approve': {
      const [id] = tuple(value, 1, path);
      return { proposalId: hash(id, `${path}.proposalId`) };
    }
  }
}

function unsignedTxToCbor(tx: UnsignedTx): unknown[] {
  return [tx.chainId, tx.from, tx.nonce, tx.kind, bodyToCbor(tx.kind, tx.body)];
}

function txToCbor(tx: Tx): unknown[] {
  return [...unsignedTxToCbor(tx), tx.signature];
}

function txFromCbor(value: unknown, path: string): Tx {
  const [id, from, nonce, kind, body, sig] = tuple(value, 6, path);
  const txKind = oneOf(kind, TX_KINDS, `${path}.kind`);
  return {
    chainId: chainId(id, `${path}.chainId`),
    from: publicKey(from, `${path}.from`),
    nonce: integer(nonce, `${path}.nonce`),
    kind: txKind,
    body: bodyFromCbor(txKind, body, `${path}.body`),
    signature: signature(sig, `${path}.signature`),
  };
}

export function encodeTx(tx: Tx): Uint8Array {
  return cborEncode(txToCbor(tx));
}

/** sha256(encodeTx(tx)), without allocating the encoding. */
export function sha256OfTx(tx: Tx): Uint8Array {
  return sha256OfCbor(txToCbor(tx));
}

/** encodeTx(tx).length, without writing the bytes when it can. */
export function encodedTxSize(tx: Tx): number {
  const value = txToCbor(tx);
  return cborFastSize(value) ?? cborgEncode(value).length;
}

export function decodeTx(bytes: Uint8Array): Tx {
  return decodeWith(bytes, TX_BYTES_MAX, 'tx', txFromCbor);
}

/** The CBOR array of an unsigned tx's fields, for the sign-bytes builder. */
export function unsignedTxFields(tx: UnsignedTx): unknown[] {
  return unsignedTxToCbor(tx);
}

// ---------------------------------------------------------------------------------------------
// Votes and proposals
// Vote = [chainId, height, round, type, blockHash | null, timestamp, validator, signature]
// Proposal = [chainId, height, round, polRound, blockHash, proposer, signature]

export function unsignedVoteFields(vote: UnsignedVote): unknown[] {
  return [
    vote.chainId,
    vote.height,
    vote.round,
    vote.type,
    vote.blockHash,
    vote.timestamp,
    vote.validator,
  ];
}

function voteFromCbor(value: unknown, path: string): Vote {
  const [id, height, round, type, blockHash, timestamp, validator, sig] = tuple(value, 8, path);
  return {
    chainId: chainId(id, `${path}.chainId`),
    height: integer(height, `${path}.height`, 1),
    round: integer(round, `${path}.round`),
    type: oneOf(type, VOTE_TYPES, `${path}.type`),
    blockHash: blockHash === null ? null : hash(blockHash, `${path}.blockHash`),
    timestamp: integer(timestamp, `${path}.timestamp`),
    validator: address(validator, `${path}.validator`),
    signature: signature(sig, `${path}.signature`),
  };
}

function voteToCbor(vote: Vote): unknown[] {
  return [...unsignedVoteFields(vote), vote.signature];
}

export function encodeVote(vote: Vote): Uint8Array {
  return cborEncode(voteToCbor(vote));
}

/** Votes are small; 1 KiB is generous and keeps gossip validation cheap. */
export const VOTE_BYTES_MAX = 1024;

export function decodeVote(bytes: Uint8Array): Vote {
  return decodeWith(bytes, VOTE_BYTES_MAX, 'vote', voteFromCbor);
}

export function unsignedProposalFields(proposal: UnsignedProposal): unknown[] {
  return [
    proposal.chainId,
    proposal.height,
    proposal.round,
    proposal.polRound,
    proposal.blockHash,
    proposal.proposer,
  ];
}

function proposalToCbor(proposal: Proposal): unknown[] {
  return [...unsignedProposalFields(proposal), proposal.signature];
}

function proposalFromCbor(value: unknown, path: string): Proposal {
  const [id, height, round, polRound, blockHash, proposer, sig] = tuple(value, 7, path);
  const proposalRound = integer(round, `${path}.round`);
  const pol = integer(polRound, `${path}.polRound`, -1);
  if (pol >= proposalRound) {
    throw new DecodeError('out-of-range', `${path}.polRound`, 'polRound must be < round');
  }
  return {
    chainId: chainId(id, `${path}.chainId`),
    height: integer(height, `${path}.height`, 1),
    round: proposalRound,
    polRound: pol,
    blockHash: hash(blockHash, `${path}.blockHash`),
    proposer: address(proposer, `${path}.proposer`),
    signature: signature(sig, `${path}.signature`),
  };
}

export function encodeProposal(proposal: Proposal): Uint8Array {
  return cborEncode(proposalToCbor(proposal));
}

export function decodeProposal(bytes: Uint8Array): Proposal {
  return decodeWith(bytes, VOTE_BYTES_MAX, 'proposal', proposalFromCbor);
}

/** ProposalMessage = [proposal, block]. */
export function encodeProposalMessage(message: ProposalMessage): Uint8Array {
  return cborEncode([proposalToCbor(message.proposal), blockToCbor(message.block)]);
}

export function decodeProposalMessage(bytes: Uint8Array): ProposalMessage {
  return decodeWith(bytes, MESSAGE_BYTES_MAX, 'proposalMessage', (value, path) => {
    const [proposal, block] = tuple(value, 2, path);
    return {
      proposal: proposalFromCbor(proposal, `${path}.proposal`),
      block: blockFromCbor(block, `${path}.block`),
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Commits and evidence
// CommitSig = [0] absent | [1, timestamp, signature] commit | [2, timestamp, signature] nil
// Commit = [height, round, blockHash, [CommitSig...]]
// Evidence = ['duplicate-vote', voteA, voteB]

const COMMIT_SIG_CODES = { absent: 0, commit: 1, nil: 2 } as const;

function commitSigToCbor(sig: CommitSig): unknown[] {
  if (sig.kind === 'absent') return [COMMIT_SIG_CODES.absent];
  return [COMMIT_SIG_CODES[sig.kind], sig.timestamp, sig.signature];
}

function commitSigFromCbor(value: unknown, path: string): CommitSig {
  if (!Array.isArray(value) || value.length === 0) {
    throw new DecodeError('bad-shape', path, 'expected a commit slot');
  }
  const code = integer(value[0], `${path}.kind`);
  if (code === COMMIT_SIG_CODES.absent) {
    tuple(value, 1, path);
    return { kind: 'absent' };
  }
  if (code !== COMMIT_SIG_CODES.commit && code !== COMMIT_SIG_CODES.nil) {
    throw new DecodeError('unknown-kind', `${path}.kind`, String(code));
  }
  const [, timestamp, sig] = tuple(value, 3, path);
  return {
    kind: code === COMMIT_SIG_CODES.commit ? 'commit' : 'nil',
    timestamp: integer(timestamp, `${path}.timestamp`),
    signature: signature(sig, `${path}.signature`),
  };
}

function commitToCbor(commit: Commit): unknown[] {
  return [commit.height, commit.round, commit.blockHash, commit.signatures.map(commitSigToCbor)];
}

function commitFromCbor(value: unknown, path: string): Commit {
  const [height, round, blockHash, sigs] = tuple(value, 4, path);
  return {
    height: integer(height, `${path}.height`, 1),
    round: integer(round, `${path}.round`),
    blockHash: hash(blockHash, `${path}.blockHash`),
    signatures: list(sigs, VALIDATORS_MAX, `${path}.signatures`).map((sig, i) =>
      commitSigFromCbor(sig, `${path}.signatures[${i}]`),
    ),
  };
}

export function encodeCommit(commit: Commit): Uint8Array {
  return cborEncode(commitToCbor(commit));
}

/** sha256(encodeCommit(commit)), without allocating the encoding. */
export function sha256OfCommit(commit: Commit): Uint8Array {
  return sha256OfCbor(commitToCbor(commit));
}

export function decodeCommit(bytes: Uint8Array): Commit {
  return decodeWith(bytes, MESSAGE_BYTES_MAX, 'commit', commitFromCbor);
}

function evidenceToCbor(evidence: Evidence): unknown[] {
  return [evidence.kind, voteToCbor(evidence.voteA), voteToCbor(evidence.voteB)];
}

function evidenceFromCbor(value: unknown, path: string): Evidence {
  const [kind, voteA, voteB] = tuple(value, 3, path);
  return {
    kind: oneOf(kind, ['duplicate-vote'] as const, `${path}.kind`),
    voteA: voteFromCbor(voteA, `${path}.voteA`),
    voteB: voteFromCbor(voteB, `${path}.voteB`),
  };
}

export function encodeEvidence(evidence: Evidence): Uint8Array {
  return cborEncode(evidenceToCbor(evidence));
}

export function decodeEvidence(bytes: Uint8Array): Evidence {
  return decodeWith(bytes, 2 * VOTE_BYTES_MAX + 64, 'evidence', evidenceFromCbor);
}

// ---------------------------------------------------------------------------------------------
// Blocks
// Header = [chainId, height, time, previousHash, lastCommitHash, txsRoot, evidenceHash,
//           stateRoot, validatorsHash, nextValidatorsHash, proposer]
// Block = [header, [tx...], commit | null, [evidence...]]

function headerToCbor(header: BlockHeader): unknown[] {
  return [
    header.chainId,
    header.height,
    header.time,
    header.previousHash,
    header.lastCommitHash,
    header.txsRoot,
    header.evidenceHash,
    header.stateRoot,
    header.validatorsHash,
    header.nextValidatorsHash,
    header.proposer,
  ];
}

function headerFromCbor(value: unknown, path: string): BlockHeader {
  const fields = tuple(value, 11, path);
  return {
    chainId: chainId(fields[0], `${path}.chainId`),
    height: integer(fields[1], `${path}.height`, 1),
    time: integer(fields[2], `${path}.time`),
    previousHash: hash(fields[3], `${path}.previousHash`),
    lastCommitHash: hash(fields[4], `${path}.lastCommitHash`),
    txsRoot: hash(fields[5], `${path}.txsRoot`),
    evidenceHash: hash(fields[6], `${path}.evidenceHash`),
    stateRoot: hash(fields[7], `${path}.stateRoot`),
    validatorsHash: hash(fields[8], `${path}.validatorsHash`),
    nextValidatorsHash: hash(fields[9], `${path}.nextValidatorsHash`),
    proposer: address(fields[10], `${path}.proposer`),
  };
}

export function encodeHeader(header: BlockHeader): Uint8Array {
  return cborEncode(headerToCbor(header));
}

/** sha256(encodeHeader(header)), without allocating the encoding. */
export function sha256OfHeader(header: BlockHeader): Uint8Array {
  return sha256OfCbor(headerToCbor(header));
}

export function decodeHeader(bytes: Uint8Array): BlockHeader {
  return decodeWith(bytes, VOTE_BYTES_MAX, 'header', headerFromCbor);
}

function blockToCbor(block: Block): unknown[] {
  return [
    headerToCbor(block.header),
    block.txs.map(txToCbor),
    block.lastCommit === null ? null : commitToCbor(block.lastCommit),
    block.evidence.map(evidenceToCbor),
  ];
}

function blockFromCbor(value: unknown, path: string): Block {
  const [header, txs, lastCommit, evidence] = tuple(value, 4, path);
  return {
    header: headerFromCbor(header, `${path}.header`),
    txs: list(txs, BLOCK_TXS_MAX, `${path}.txs`).map((tx, i) =>
      txFromCbor(tx, `${path}.txs[${i}]`),
    ),
    lastCommit: lastCommit === null ? null : commitFromCbor(lastCommit, `${path}.lastCommit`),
    evidence: list(evidence, BLOCK_EVIDENCE_MAX, `${path}.evidence`).map((item, i) =>
      evidenceFromCbor(item, `${path}.evidence[${i}]`),
    ),
  };
}

export function encodeBlock(block: Block): Uint8Array {
  return cborEncode(blockToCbor(block));
}

/** encodeBlock(block).length, without writing the bytes when it can. */
export function encodedBlockSize(block: Block): number {
  const value = blockToCbor(block);
  return cborFastSize(value) ?? cborgEncode(value).length;
}

export function decodeBlock(bytes: Uint8Array): Block {
  return decodeWith(bytes, BLOCK_BYTES_MAX, 'block', blockFromCbor);
}

// ---------------------------------------------------------------------------------------------
// Genesis and validator sets
// Genesis = [name, time, [[publicKey, power]...], [[address, amount]...], salt]
// ValidatorSet = [[[address, publicKey, power]...], totalPower]

function genesisToCbor(genesis: Genesis): unknown[] {
  return [
    genesis.name,
    genesis.time,
    genesis.validators.map((v) => [v.publicKey, v.power]),
    genesis.balances.map((b) => [b.address, b.amount]),
    genesis.salt,
  ];
}

/** Genesis salts are random bytes; 64 is plenty. */
export const GENESIS_SALT_BYTES_MAX = 64;
/** Bound on an encoded genesis (validators and balances are bounded too). */
export const GENESIS_BYTES_MAX = 128 * 1024;

function genesisFromCbor(value: unknown, path: string): Genesis {
  const [name, time, validators, balances, salt] = tuple(value, 5, path);
  const saltBytes = bytesOf(salt, `${path}.salt`);
  if (saltBytes.length > GENESIS_SALT_BYTES_MAX) {
    throw new DecodeError('bad-length', `${path}.salt`);
  }
  return {
    name: text(name, `${path}.name`),
    time: integer(time, `${path}.time`),
    validators: list(validators, VALIDATORS_MAX, `${path}.validators`).map(
      (item, i): GenesisValidator => {
        const itemPath = `${path}.validators[${i}]`;
        const [key, power] = tuple(item, 2, itemPath);
        return {
          publicKey: publicKey(key, `${itemPath}.publicKey`),
          power: integer(power, `${itemPath}.power`, 1),
        };
      },
    ),
    balances: list(balances, GENESIS_BALANCES_MAX, `${path}.balances`).map(
      (item, i): GenesisBalance => {
        const itemPath = `${path}.balances[${i}]`;
        const [owner, amount] = tuple(item, 2, itemPath);
        return {
          address: address(owner, `${itemPath}.address`),
          amount: integer(amount, `${itemPath}.amount`),
        };
      },
    ),
    salt: saltBytes,
  };
}

export function encodeGenesis(genesis: Genesis): Uint8Array {
  return cborEncode(genesisToCbor(genesis));
}

export function decodeGenesis(bytes: Uint8Array): Genesis {
  return decodeWith(bytes, GENESIS_BYTES_MAX, 'genesis', genesisFromCbor);
}

function validatorSetToCbor(set: ValidatorSet): unknown[] {
  return [set.validators.map((v) => [v.address, v.publicKey, v.power]), set.totalPower];
}

export function encodeValidatorSet(set: ValidatorSet): Uint8Array {
  return cborEncode(validatorSetToCbor(set));
}

/** sha256(encodeValidatorSet(set)), without allocating the encoding. */
export function sha256OfValidatorSet(set: ValidatorSet): Uint8Array {
  return sha256OfCbor(validatorSetToCbor(set));
}

export function decodeValidatorSet(bytes: Uint8Array): ValidatorSet {
  return decodeWith(bytes, GENESIS_BYTES_MAX, 'validatorSet', (value, path) => {
    const [validators, totalPower] = tuple(value, 2, path);
    return {
      validators: list(validators, VALIDATORS_MAX, `${path}.validators`).map(
        (item, i): Validator => {
          const itemPath = `${path}.validators[${i}]`;
          const [owner, key, power] = tuple(item, 3, itemPath);
          return {
            address: address(owner, `${itemPath}.address`),
            publicKey: publicKey(key, `${itemPath}.publicKey`),
            power: integer(power, `${itemPath}.power`, 1),
          };
        },
      ),
      totalPower: integer(totalPower, `${path}.totalPower`),
    };
  });
}

/** Shape check of an in-memory tx (checkTx uses it to return bad-body instead of throwing). */
export function txShapeError(tx: Tx): DecodeError | null {
  try {
    txFromCbor(txToCbor(tx), 'tx');
    return null;
  } catch (error) {
    if (error instanceof DecodeError) return error;
    return new DecodeError('bad-shape', 'tx');
  }
}
