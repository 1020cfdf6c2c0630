// The ledger's data model. Every type here has one canonical encoding (see encoding.ts);
// whatever is hashed or signed is encoded that way and nothing else.
//
// Conventions:
// - Hash: 32-byte SHA-256 digest. PublicKey: 32-byte Ed25519 key. Signature: 64 bytes.
// - ChainId: lowercase hex of the genesis hash (64 chars); it names topics and databases.
// - Address: lowercase hex of the first 20 bytes of SHA-256(publicKey) (40 chars).
// - Amounts, powers, nonces, heights, rounds and times are safe integers (checked on decode);
//   times are milliseconds since the Unix epoch, supplied from outside the core.

export type Hash = Uint8Array;
export type PublicKey = Uint8Array;
export type Signature = Uint8Array;
export type ChainId = string;
export type Address = string;

// ---------------------------------------------------------------------------------------------
// Transactions

export type TxKind = 'transfer' | 'put' | 'delete' | 'validator-propose' | 'validator-approve';

export interface TransferBody {
  to: Address;
  amount: number;
}

/** A key-value record in the sender's namespace (the record's full key is `${from}/${key}`). */
export interface PutBody {
  key: string;
  value: Uint8Array;
}

export interface DeleteBody {
  key: string;
}

/**
 * Propose adding, removing (power 0) or re-weighting a validator. Only a current validator may
 * propose; the proposal counts as the proposer's approval. Its id is the proposing tx's hash.
 */
export interface ValidatorProposeBody {
  publicKey: PublicKey;
  power: number;
  /**
   * Proof that someone holds the key: its signature over possessionSignBytes(chainId, key)
   * (the joining device makes it and sends it with its join request). Required to add a key
   * that is not a validator; null for a re-weighting or a removal.
   */
  possession: Signature | null;
}

export interface ValidatorApproveBody {
  proposalId: Hash;
}

export type TxBody =
  TransferBody | PutBody | DeleteBody | ValidatorProposeBody | ValidatorApproveBody;

/** The signed part of a transaction (everything but the signature). */
export interface UnsignedTx {
  chainId: ChainId;
  /** The sender's public key; the account address is derived from it. */
  from: PublicKey;
  nonce: number;
  kind: TxKind;
  body: TxBody;
}

export interface Tx extends UnsignedTx {
  signature: Signature;
}

// ---------------------------------------------------------------------------------------------
// Consensus messages

export type VoteType = 'prevote' | 'precommit';

export interface UnsignedVote {
  chainId: ChainId;
  height: number;
  round: number;
  type: VoteType;
  /** null is a vote for nil. */
  blockHash: Hash | null;
  /** The signer's wall clock (ms); precommit timestamps feed the next block's time. */
  timestamp: number;
  validator: Address;
}

export interface Vote extends UnsignedVote {
  signature: Signature;
}

export interface UnsignedProposal {
  chainId: ChainId;
  height: number;
  round: number;
  /** The round of the proof-of-lock the proposer holds for this block, or -1. */
  polRound: number;
  blockHash: Hash;
  proposer: Address;
}

export interface Proposal extends UnsignedProposal {
  signature: Signature;
}

/** A proposal travels with the block it names; the block is checked against blockHash. */
export interface ProposalMessage {
  proposal: Proposal;
  block: Block;
}

// ---------------------------------------------------------------------------------------------
// Blocks and commits

/** One slot per validator of the committing set, in the set's order. */
export type CommitSig =
  | { kind: 'absent' }
  | { kind: 'commit'; timestamp: number; signature: Signature }
  | { kind: 'nil'; timestamp: number; signature: Signature };

/** More than 2/3 of the voting power precommitted blockHash at (height, round). */
export interface Commit {
  height: number;
  round: number;
  blockHash: Hash;
  signatures: CommitSig[];
}

export interface BlockHeader {
  chainId: ChainId;
  height: number;
  /** ms since epoch; strictly greater than the previous block's time. */
  time: number;
  /** Hash of the previous block's header (32 zero bytes at height 1). */
  previousHash: Hash;
  /** Hash of the commit for the previous block (32 zero bytes at height 1). */
  lastCommitHash: Hash;
  txsRoot: Hash;
  evidenceHash: Hash;
  /** State root after applying every block up to height - 1 (genesis state at height 1). */
  stateRoot: Hash;
  /** Hash of the validator set that signs this block. */
  validatorsHash: Hash;
  /** Hash of the validator set for height + 1. */
  nextValidatorsHash: Hash;
  proposer: Address;
}

export interface Block {
  header: BlockHeader;
  txs: Tx[];
  /** The commit for height - 1; null only at height 1. */
  lastCommit: Commit | null;
  evidence: Evidence[];
}

/** Two conflicting signed votes by one validator at one (height, round, type). */
export interface DuplicateVoteEvidence {
  kind: 'duplicate-vote';
  voteA: Vote;
  voteB: Vote;
}

export type Evidence = DuplicateVoteEvidence;

// ---------------------------------------------------------------------------------------------
// Validators and genesis

export interface Validator {
  address: Address;
  publicKey: PublicKey;
  power: number;
}

/** Ordered by address; proposer priorities live in consensus, not in the hashed set. */
export interface ValidatorSet {
  validators: Validator[];
  totalPower: number;
}

export interface GenesisValidator {
  publicKey: PublicKey;
  power: number;
}

export interface GenesisBalance {
  address: Address;
  amount: number;
}

export interface Genesis {
  name: string;
  /** ms since epoch; the first block's time must be later. */
  time: number;
  validators: GenesisValidator[];
  balances: GenesisBalance[];
  /** Creator-chosen random bytes, so two ledgers with the same name get different ids. */
  salt: Uint8Array;
}

// ---------------------------------------------------------------------------------------------
// Ledger state

export interface Account {
  balance: number;
  /** The nonce the account's next transaction must carry (starts at 0). */
  nonce: number;
}

export interface GovernanceProposal {
  id: Hash;
  publicKey: PublicKey;
  power: number;
  proposer: Address;
  /** Addresses of current validators that approved; applied once their power > 2/3. */
  approvals: Address[];
  /** Height of the block that carried the proposal. */
  height: number;
}

/**
 * Per-transaction outcome inside a block: a failed tx stays in its block and changes nothing but
 * its sender's nonce (see executeTx).
 */
export type TxCode =
  | 'ok'
  | 'bad-signature'
  | 'wrong-chain'
  | 'unknown-sender'
  | 'nonce-too-low'
  | 'nonce-gap'
  | 'insufficient-balance'
  | 'too-large'
  | 'unknown-kind'
  | 'bad-body'
  | 'not-a-validator'
  | 'unknown-proposal'
  | 'already-approved'
  | 'too-many-proposals'
  | 'too-many-validators'
  | 'key-too-large'
  | 'value-too-large'
  | 'record-not-found'
  | 'self-transfer'
  | 'zero-amount'
  | 'bad-possession'
  | 'power-too-large'
  | 'block-limit';

export interface TxResult {
  code: TxCode;
  /** Human-readable detail for the UI; never consensus-relevant. */
  detail?: string;
}
