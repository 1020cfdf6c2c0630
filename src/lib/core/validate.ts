// Block validity: every rule a full node checks before applying a block, each with a name.

import { blockSignatureSources, evidenceHash, evidenceSetForHeight, txsRoot } from './block';
import { bytesEqual } from './bytes';
import { encodedBlockSize, encodeEvidence } from './encoding';
import { addressOf, commitHash, toHex, ZERO_HASH } from './hash';
import { inclusionError, newOverlay } from './execute';
import { blockTimeFor } from './block-time';
import { BLOCK_BYTES_MAX, BLOCK_EVIDENCE_MAX, BLOCK_TXS_MAX } from './params';
import type { LedgerState } from './state';
import type { Address, Block, Evidence } from './types';
import { exceedsTwoThirds, findValidator, validatorSetHash } from './validators';

/** The rule a block broke, in the order validateBlock checks them. */
export type BlockRule =
  | 'too-large'
  | 'too-many-txs'
  | 'too-many-evidence'
  | 'chain-id'
  | 'height'
  | 'time'
  | 'previous-hash'
  | 'proposer'
  | 'validators-hash'
  | 'next-validators-hash'
  | 'state-root'
  | 'txs-root'
  | 'evidence-hash'
  | 'last-commit-missing'
  | 'last-commit-unexpected'
  | 'last-commit-hash'
  | 'last-commit-height'
  | 'last-commit-block-hash'
  | 'last-commit-size'
  | 'evidence-invalid'
  | 'evidence-duplicate'
  | 'tx-signature'
  | 'tx-not-includable'
  | 'last-commit-signature'
  | 'last-commit-power'
  | 'evidence-signature';

export type BlockValidation = { ok: true } | { ok: false; rule: BlockRule; detail: string };

export interface ValidateBlockOptions {
  /**
   * The proposer consensus expects for this block's (height, round); proposer selection is
   * consensus's business. Without it the core only requires a member of the signing set.
   */
  expectedProposer?: Address;
}

/** Thrown when the verdicts do not match blockSignatureChecks: a driver bug, not a bad block. */
export class VerdictsMismatchError extends Error {
  override readonly name = 'VerdictsMismatchError';
}

const invalid = (rule: BlockRule, detail: string): BlockValidation => ({ ok: false, rule, detail });

/**
 * Checks every rule for `block` as the next block on `state`. `verdicts` answers
 * blockSignatureChecks(state, block) in order. Structural rules come first, so a block that
 * fails one is rejected before any verdict is read.
 */
export function validateBlock(
  state: LedgerState,
  block: Block,
  verdicts: readonly boolean[],
  options: ValidateBlockOptions = {},
): BlockValidation {
  const { header } = block;
  const size = encodedBlockSize(block);
  if (size > BLOCK_BYTES_MAX) return invalid('too-large', `${size} > ${BLOCK_BYTES_MAX} bytes`);
  if (block.txs.length > BLOCK_TXS_MAX) return invalid('too-many-txs', `${block.txs.length}`);
  if (block.evidence.length > BLOCK_EVIDENCE_MAX) {
    return invalid('too-many-evidence', `${block.evidence.length}`);
  }
  if (header.chainId !== state.chainId) return invalid('chain-id', header.chainId);
  if (header.height !== state.height + 1) {
    return invalid('height', `expected ${state.height + 1}, got ${header.height}`);
  }
  if (header.time <= state.lastBlockTime) {
    return invalid('time', `${header.time} is not after ${state.lastBlockTime}`);
  }
  if (!bytesEqual(header.previousHash, state.lastBlockHash)) {
    return invalid('previous-hash', toHex(header.previousHash));
  }
  if (options.expectedProposer !== undefined && header.proposer !== options.expectedProposer) {
    return invalid('proposer', `expected ${options.expectedProposer}, got ${header.proposer}`);
  }
  if (!findValidator(state.validators, header.proposer)) {
    return invalid('proposer', `${header.proposer} is not a validator`);
  }
  if (!bytesEqual(header.validatorsHash, validatorSetHash(state.validators))) {
    return invalid('validators-hash', toHex(header.validatorsHash));
  }
  if (!bytesEqual(header.nextValidatorsHash, validatorSetHash(state.nextValidators))) {
    return invalid('next-validators-hash', toHex(header.nextValidatorsHash));
  }
  if (!bytesEqual(header.stateRoot, state.stateRoot)) {
    return invalid('state-root', toHex(header.stateRoot));
  }
  if (!bytesEqual(header.txsRoot, txsRoot(block.txs))) {
    return invalid('txs-root', toHex(header.txsRoot));
  }
  if (!bytesEqual(header.evidenceHash, evidenceHash(block.evidence))) {
    return invalid('evidence-hash', toHex(header.evidenceHash));
  }

  const commitRule = checkLastCommitShape(state, block);
  if (commitRule) return commitRule;
  const expectedTime = blockTimeFor(state, block.lastCommit);
  if (header.time !== expectedTime) {
    return invalid('time', `${header.time} is not the BFT time ${expectedTime ?? '(none)'}`);
  }
  const evidenceRule = checkEvidenceShape(state, block.evidence);
  if (evidenceRule) return evidenceRule;

  const sources = blockSignatureSources(state, block);
  if (verdicts.length !== sources.length) {
    throw new VerdictsMismatchError(`${verdicts.length} verdicts for ${sources.length} checks`);
  }
  let commitPower = 0;
  for (let i = 0; i < sources.length; i++) {
    const source = sources[i]!;
    const valid = verdicts[i] === true;
    switch (source.kind) {
      case 'tx':
        if (!valid) return invalid('tx-signature', `tx ${source.index}`);
        break;
      case 'commit': {
        if (!valid) return invalid('last-commit-signature', `slot ${source.index}`);
        const slot = block.lastCommit!.signatures[source.index]!;
        if (slot.kind === 'commit') {
          commitPower += state.lastValidators.validators[source.index]!.power;
        }
        break;
      }
      case 'evidence':
        if (!valid) return invalid('evidence-signature', `evidence ${source.index}`);
        break;
      case 'possession':
        // A bad proof fails its tx (bad-possession), not the block.
        break;
    }
  }
  if (block.lastCommit && !exceedsTwoThirds(commitPower, state.lastValidators)) {
    return invalid(
      'last-commit-power',
      `${commitPower} of ${state.lastValidators.totalPower} is not more than 2/3`,
    );
  }
  return checkInclusion(state, block);
}

/**
 * Every tx must be includable in order: a known sender, its next nonce (counting the block's
 * earlier txs from the same sender), a well-formed body. Only nonces move here; a tx whose body
 * will fail is still includable (it uses its nonce, see executeTx).
 */
function checkInclusion(state: LedgerState, block: Block): BlockValidation {
  const overlay = newOverlay(state);
  for (let index = 0; index < block.txs.length; index++) {
    const tx = block.txs[index]!;
    const error = inclusionError(overlay, tx, true);
    if (error) {
      return invalid(
        'tx-not-includable',
        `tx ${index}: ${error.code}${error.detail ? ` (${error.detail})` : ''}`,
      );
    }
    const sender = addressOf(tx.from);
    const account = overlay.accounts.get(sender) ??
      state.accounts.get(sender) ?? { balance: 0, nonce: 0 };
    overlay.accounts.set(sender, { balance: account.balance, nonce: account.nonce + 1 });
  }
  return { ok: true };
}

function checkLastCommitShape(state: LedgerState, block: Block): BlockValidation | null {
  const commit = block.lastCommit;
  const { header } = block;
  if (header.height === 1) {
    if (commit !== null) return invalid('last-commit-unexpected', 'height 1 has no last commit');
    if (!bytesEqual(header.lastCommitHash, ZERO_HASH)) {
      return invalid('last-commit-hash', 'must be zero at height 1');
    }
    return null;
  }
  if (commit === null) return invalid('last-commit-missing', `height ${header.height}`);
  if (!bytesEqual(header.lastCommitHash, commitHash(commit))) {
    return invalid('last-commit-hash', toHex(header.lastCommitHash));
  }
  if (commit.height !== state.height) {
    return invalid('last-commit-height', `expected ${state.height}, got ${commit.height}`);
  }
  if (!bytesEqual(commit.blockHash, state.lastBlockHash)) {
    return invalid('last-commit-block-hash', toHex(commit.blockHash));
  }
  const expected = state.lastValidators.validators.length;
  if (commit.signatures.length !== expected) {
    return invalid(
      'last-commit-size',
      `expected ${expected} slots, got ${commit.signatures.length}`,
    );
  }
  return null;
}

/**
 * Why `evidence` cannot go into the next block on `state`, or null if it can (signatures aside:
 * those are verified by the driver). Duplicate-vote evidence: two votes of one validator, same
 * chain, height, round and type, for different block hashes, at a height whose set the state
 * knows (see evidenceSetForHeight: at most EVIDENCE_AGE_MAX_HEIGHTS old and signed by the
 * current last set). Block validation, the gossip edge and the evidence pool all apply this one
 * rule, so a node never pools or proposes what a block would be refused for. Evidence is
 * recorded in the chain only; it moves no balance and changes no power.
 */
export function evidenceError(state: LedgerState, evidence: Evidence): EvidenceError | null {
  const { voteA, voteB } = evidence;
  const malformed = (detail: string): EvidenceError => ({ kind: 'malformed', detail });
  if (evidence.kind !== 'duplicate-vote') return malformed('unknown kind');
  if (voteA.chainId !== state.chainId || voteB.chainId !== state.chainId) {
    return malformed('wrong chain');
  }
  if (
    voteA.height !== voteB.height ||
    voteA.round !== voteB.round ||
    voteA.type !== voteB.type ||
    voteA.validator !== voteB.validator
  ) {
    return malformed('votes are not for the same slot');
  }
  const sameBlock =
    voteA.blockHash === null || voteB.blockHash === null
      ? voteA.blockHash === voteB.blockHash
      : bytesEqual(voteA.blockHash, voteB.blockHash);
  if (sameBlock) return malformed('votes do not conflict');
  const set = evidenceSetForHeight(state, voteA.height);
  if (!set) return { kind: 'not-includable', detail: `height ${voteA.height} is out of range` };
  if (!findValidator(set, voteA.validator)) {
    return { kind: 'not-includable', detail: 'not a validator at that height' };
  }
  return null;
}

/**
 * Why evidence is refused: 'malformed' whatever the state (the pair is not an equivocation);
 * 'not-includable' on this state (too old, from before a set change, an unknown validator).
 */
export interface EvidenceError {
  kind: 'malformed' | 'not-includable';
  detail: string;
}

/**
 * One key per equivocation pair whatever the order of its votes, so swapping A and B cannot
 * smuggle a duplicate into a block (or into a pool).
 */
export function evidenceIdentity(evidence: Evidence): string {
  const { voteA, voteB } = evidence;
  const a = toHex(encodeEvidence({ kind: 'duplicate-vote', voteA, voteB }));
  const b = toHex(encodeEvidence({ kind: 'duplicate-vote', voteA: voteB, voteB: voteA }));
  return a < b ? a : b;
}

function checkEvidenceShape(
  state: LedgerState,
  evidence: readonly Evidence[],
): BlockValidation | null {
  const seen = new Set<string>();
  for (let index = 0; index < evidence.length; index++) {
    const item = evidence[index]!;
    const error = evidenceError(state, item);
    if (error) return invalid('evidence-invalid', `evidence ${index}: ${error.detail}`);
    const key = evidenceIdentity(item);
    if (seen.has(key)) return invalid('evidence-duplicate', `evidence ${index}`);
    seen.add(key);
  }
  return null;
}
