// The ledger core's public API (pure: no IO, no clock, no randomness, no await).

export * from './types';
export * from './params';
export type { LedgerState, StateChanges } from './state';
export {
  DecodeError,
  type DecodeReason,
  decodeBlock,
  decodeCommit,
  decodeEvidence,
  decodeGenesis,
  decodeHeader,
  decodeProposal,
  decodeProposalMessage,
  decodeTx,
  decodeValidatorSet,
  decodeValue,
  decodeVote,
  encodeBlock,
  encodeCommit,
  encodeEvidence,
  encodeGenesis,
  encodeHeader,
  encodeProposal,
  encodeProposalMessage,
  encodeTx,
  encodeValidatorSet,
  encodeValue,
  encodeVote,
  ADDRESS_PATTERN,
  CHAIN_ID_PATTERN,
  GENESIS_BYTES_MAX,
  GENESIS_SALT_BYTES_MAX,
  HASH_BYTES,
  PUBLIC_KEY_BYTES,
  SIGNATURE_BYTES,
  TX_KINDS,
  VOTE_BYTES_MAX,
  VOTE_TYPES,
} from './encoding';
export {
  addressOf,
  blockHash,
  bytesEqual,
  chainIdOf,
  commitHash,
  fromHex,
  sha256,
  toHex,
  txHash,
  ZERO_HASH,
} from './hash';
export {
  precheckSignature,
  proposalSignBytes,
  SIGN_DOMAIN_PROPOSAL,
  SIGN_DOMAIN_TX,
  SIGN_DOMAIN_VOTE,
  joinSignBytes,
  DEVICE_KINDS,
  possessionSignBytes,
  txSignBytes,
  voteSignBytes,
  type DeviceKind,
  type SignatureCheck,
  type SignatureRejection,
  type Signer,
  type Verifier,
} from './signing';
export {
  EMPTY_VALIDATOR_SET,
  exceedsTwoThirds,
  findValidator,
  makeValidatorSet,
  validatorChangePending,
  validatorSetHash,
  ValidatorSetError,
} from './validators';
export { GenesisError, genesisState, validateGenesis } from './genesis';
export { applyBlock, applyChanges, checkInclusion, checkTx, checkTxAfter } from './apply';
export { blockTimeFor, precommitTimestamp } from './block-time';
export { recordKey, recordKeysOf, RecordNotLoadedError } from './execute';
export {
  blockSignatureChecks,
  buildBlock,
  commitSlotVote,
  evidenceHash,
  evidenceSetForHeight,
  setForHeight,
  txsRoot,
  type BlockSignatureCheck,
  type BuildBlockOptions,
  type SignatureSource,
} from './block';
export {
  validateBlock,
  VerdictsMismatchError,
  type BlockRule,
  type BlockValidation,
  type ValidateBlockOptions,
} from './validate';
export { ACCUMULATOR_BYTES, ACCUMULATOR_LANES, stateRootOf } from './accumulator';
