// Building blocks and listing the signatures a block carries.

import { encodeEvidence, sha256OfValue } from './encoding';
import { sha256Concat } from './sha256';
import { commitHash, sha256, txHash, ZERO_HASH } from './hash';
import { EVIDENCE_AGE_MAX_HEIGHTS } from './params';
import type { LedgerState } from './state';
import { possessionSignBytes, txSignBytes, voteSignBytes, type SignatureCheck } from './signing';
import type {
  Address,
  Block,
  Commit,
  Evidence,
  Hash,
  Tx,
  ValidatorProposeBody,
  ValidatorSet,
  Vote,
} from './types';
import { findValidator, validatorSetHash } from './validators';

const LEAF_PREFIX = Uint8Array.of(0);
const NODE_PREFIX = Uint8Array.of(1);

/**
 * Binary Merkle root of the txs' hashes, RFC 6962 style: leaf = H(0x00 || txHash),
 * node = H(0x01 || left || right), split at the largest power of two below n; empty = H("").
 */
export function txsRoot(txs: readonly Tx[]): Hash {
  return merkleRoot(txs.map((tx) => sha256Concat(LEAF_PREFIX, txHash(tx))));
}

function merkleRoot(leaves: readonly Hash[]): Hash {
  if (leaves.length === 0) return sha256(new Uint8Array(0));
  if (leaves.length === 1) return leaves[0]!;
  let split = 1;
  while (split * 2 < leaves.length) split *= 2;
  const left = merkleRoot(leaves.slice(0, split));
  const right = merkleRoot(leaves.slice(split));
  return sha256Concat(NODE_PREFIX, left, right);
}

/** SHA-256 of the canonical CBOR list of the evidence encodings. */
export function evidenceHash(evidence: readonly Evidence[]): Hash {
  return sha256OfValue(evidence.map(encodeEvidence));
}

export interface BuildBlockOptions {
  txs: Tx[];
  /** ms since epoch; must be later than state.lastBlockTime. */
  time: number;
  proposer: Address;
  /** The commit for block state.height (null at height 1). */
  lastCommit: Commit | null;
  evidence?: Evidence[];
}

/**
 * The proposer's next block on `state`, every root and hash filled in. The header carries the
 * state root *before* this block (state.stateRoot), as Tendermint's app hash does, so building
 * needs no execution; the txs should have passed checkTx (the mempool's job).
 */
export function buildBlock(state: LedgerState, options: BuildBlockOptions): Block {
  const evidence = options.evidence ?? [];
  return {
    header: {
      chainId: state.chainId,
      height: state.height + 1,
      time: options.time,
      previousHash: state.lastBlockHash,
      lastCommitHash: options.lastCommit ? commitHash(options.lastCommit) : ZERO_HASH,
      txsRoot: txsRoot(options.txs),
      evidenceHash: evidenceHash(evidence),
      stateRoot: state.stateRoot,
      validatorsHash: validatorSetHash(state.validators),
      nextValidatorsHash: validatorSetHash(state.nextValidators),
      proposer: options.proposer,
    },
    txs: options.txs,
    lastCommit: options.lastCommit,
    evidence,
  };
}

/** The vote a commit slot stands for (slot i belongs to set.validators[i]). */
export function commitSlotVote(
  chainId: string,
  commit: Commit,
  index: number,
  set: ValidatorSet,
): Omit<Vote, 'signature'> | null {
  const slot = commit.signatures[index];
  const validator = set.validators[index];
  if (!slot || slot.kind === 'absent' || !validator) return null;
  return {
    chainId,
    height: commit.height,
    round: commit.round,
    type: 'precommit',
    blockHash: slot.kind === 'commit' ? commit.blockHash : null,
    timestamp: slot.timestamp,
    validator: validator.address,
  };
}

/**
 * The validator set that signed votes at `height`, as far as the state remembers: the set of
 * the last block (state.height) or of the block being built (state.height + 1). Evidence for
 * older heights cannot be checked and is invalid.
 */
/**
 * The validator set against which evidence of an equivocation at `height` is checked: the set
 * of the block being built (state.height + 1), or the last signing set if it has signed every
 * height since `height` and `height` is at most EVIDENCE_AGE_MAX_HEIGHTS old. Older evidence,
 * or evidence from before a validator-set change, cannot be checked and is invalid.
 */
export function evidenceSetForHeight(state: LedgerState, height: number): ValidatorSet | null {
  if (height === state.height + 1) return state.validators;
  if (height < 1 || height > state.height) return null;
  if (height < state.lastValidatorsSince) return null;
  if (state.height + 1 - height > EVIDENCE_AGE_MAX_HEIGHTS) return null;
  return state.lastValidators;
}

export function setForHeight(state: LedgerState, height: number): ValidatorSet | null {
  if (height === state.height && state.height > 0) return state.lastValidators;
  if (height === state.height + 1) return state.validators;
  return null;
}

export type SignatureSource =
  | { kind: 'tx'; index: number }
  | { kind: 'commit'; index: number }
  | { kind: 'evidence'; index: number; vote: 'a' | 'b' }
  /** The proof of possession in tx `index` (a validator-propose adding a key). */
  | { kind: 'possession'; index: number };

export interface BlockSignatureCheck extends SignatureCheck {
  source: SignatureSource;
}

/** One signature of a block, before its message bytes are built. */
interface BlockSignatureSlot {
  source: SignatureSource;
  publicKey: Uint8Array;
  signature: Uint8Array;
  signed: { tx: Tx } | { vote: Omit<Vote, 'signature'> } | { possession: Uint8Array };
}

function blockSignatureSlots(state: LedgerState, block: Block): BlockSignatureSlot[] {
  const slots: BlockSignatureSlot[] = block.txs.map((tx, index) => ({
    source: { kind: 'tx', index },
    publicKey: tx.from,
    signature: tx.signature,
    signed: { tx },
  }));
  const commit = block.lastCommit;
  if (commit) {
    const set = state.lastValidators;
    const count = Math.min(commit.signatures.length, set.validators.length);
    for (let index = 0; index < count; index++) {
      const vote = commitSlotVote(state.chainId, commit, index, set);
      const slot = commit.signatures[index]!;
      if (!vote || slot.kind === 'absent') continue;
      slots.push({
        source: { kind: 'commit', index },
        publicKey: set.validators[index]!.publicKey,
        signature: slot.signature,
        signed: { vote },
      });
    }
  }
  block.evidence.forEach((item, index) => {
    const set = evidenceSetForHeight(state, item.voteA.height);
    const validator = set && findValidator(set, item.voteA.validator);
    if (!validator) return;
    for (const [vote, which] of [
      [item.voteA, 'a'],
      [item.voteB, 'b'],
    ] as const) {
      slots.push({
        source: { kind: 'evidence', index, vote: which },
        publicKey: validator.publicKey,
        signature: vote.signature,
        signed: { vote },
      });
    }
  });
  block.txs.forEach((tx, index) => {
    const possession = possessionOf(tx);
    if (!possession) return;
    slots.push({
      source: { kind: 'possession', index },
      publicKey: possession.publicKey,
      signature: possession.signature,
      signed: { possession: possession.publicKey },
    });
  });
  return slots;
}

/** The key and proof of a validator-propose that carries one. */
export function possessionOf(tx: Tx): { publicKey: Uint8Array; signature: Uint8Array } | null {
  if (tx.kind !== 'validator-propose') return null;
  const body = tx.body as ValidatorProposeBody;
  if (!(body.possession instanceof Uint8Array) || !(body.publicKey instanceof Uint8Array)) {
    return null;
  }
  return { publicKey: body.publicKey, signature: body.possession };
}

/**
 * Every signature in `block` the driver must verify before validateBlock / applyBlock, in this
 * order: each tx (block order), each non-absent lastCommit slot (set order), voteA and voteB of
 * each evidence item whose validator the state knows, then each proof of possession carried by
 * a validator-propose (block order). The driver verifies each with
 * its Verifier and passes the verdicts back in the same order.
 */
export function blockSignatureChecks(state: LedgerState, block: Block): BlockSignatureCheck[] {
  return blockSignatureSlots(state, block).map(({ source, publicKey, signature, signed }) => ({
    publicKey,
    message:
      'tx' in signed
        ? txSignBytes(signed.tx)
        : 'vote' in signed
          ? voteSignBytes(signed.vote)
          : possessionSignBytes(state.chainId, signed.possession),
    signature,
    source,
  }));
}

/** The sources of blockSignatureChecks(state, block), in its order, without building messages. */
export function blockSignatureSources(state: LedgerState, block: Block): SignatureSource[] {
  return blockSignatureSlots(state, block).map((slot) => slot.source);
}
