// Executing transactions against a block-local overlay of the state. checkTx runs one tx on a
// throwaway overlay; applyBlock runs a block's txs on one overlay and turns it into
// StateChanges. Nothing here touches the caller's LedgerState.

import { utf8Length } from './bytes';
import { ADDRESS_PATTERN, encodedTxSize, TX_KINDS, txShapeError } from './encoding';
import { addressOf, toHex, txHash } from './hash';
import {
  GOVERNANCE_PROPOSALS_MAX,
  NEW_ACCOUNTS_PER_BLOCK_MAX,
  NEW_RECORDS_PER_BLOCK_MAX,
  RECORD_KEY_BYTES_MAX,
  RECORD_VALUE_BYTES_MAX,
  TOTAL_POWER_MAX,
  TX_BYTES_MAX,
  VALIDATORS_MAX,
} from './params';
import type { LedgerState } from './state';
import type {
  Account,
  Address,
  DeleteBody,
  GovernanceProposal,
  PublicKey,
  PutBody,
  TransferBody,
  Tx,
  TxCode,
  TxResult,
  Validator,
  ValidatorApproveBody,
  ValidatorProposeBody,
  EpochRotateBody,
  MemberAddBody,
  MemberRemoveBody,
  PrivateAccess,
} from './types';
import { exceedsTwoThirds, findValidator } from './validators';
import { enactMemberProposal, epochRotate, isMember, memberAdd, memberRemove } from './membership';

/** Block-local view: reads fall through to the state, writes stay here. */
export interface Overlay {
  readonly state: LedgerState;
  /** Height of the block being executed (state.height + 1). */
  readonly height: number;
  readonly accounts: Map<Address, Account>;
  readonly records: Map<string, Uint8Array | null>;
  /** Working copy of the open proposals (small: at most GOVERNANCE_PROPOSALS_MAX). */
  readonly proposals: Map<string, GovernanceProposal>;
  /** Working copy of the set that will sign height + 2, keyed by address. */
  readonly next: Map<Address, Validator>;
  nextChanged: boolean;
  /** Accounts and records this block created so far (bounded per block). */
  newAccounts: number;
  newRecords: number;
  /** Working copy of a private ledger's access state (null: public). */
  access: PrivateAccess | null;
  accessChanged: boolean;
}

export function newOverlay(state: LedgerState): Overlay {
  return {
    state,
    height: state.height + 1,
    accounts: new Map(),
    records: new Map(),
    proposals: new Map(state.proposals),
    next: new Map(state.nextValidators.validators.map((v) => [v.address, v])),
    nextChanged: false,
    newAccounts: 0,
    newRecords: 0,
    access: state.access,
    accessChanged: false,
  };
}

const NO_ACCOUNT: Account = { balance: 0, nonce: 0 };

function account(overlay: Overlay, address: Address): Account {
  return overlay.accounts.get(address) ?? overlay.state.accounts.get(address) ?? NO_ACCOUNT;
}

function record(overlay: Overlay, fullKey: string): Uint8Array | null {
  const local = overlay.records.get(fullKey);
  if (local !== undefined) return local;
  return stateRecord(overlay.state, fullKey);
}

/** Thrown when a record a tx needs was not loaded into an incomplete state: a driver bug. */
export class RecordNotLoadedError extends Error {
  override readonly name = 'RecordNotLoadedError';
  constructor(fullKey: string) {
    super(`record ${fullKey} was not loaded before execution`);
  }
}

/** A record of the state before the block (see LedgerState.records). */
export function stateRecord(state: LedgerState, fullKey: string): Uint8Array | null {
  const value = state.records.get(fullKey);
  if (value !== undefined) return value;
  if (!state.recordsComplete) throw new RecordNotLoadedError(fullKey);
  return null;
}

/** The full record keys `txs` may read or write (put and delete), each once. */
export function recordKeysOf(txs: readonly Tx[]): string[] {
  const keys = new Set<string>();
  for (const tx of txs) {
    if (tx.kind !== 'put' && tx.kind !== 'delete') continue;
    const key = (tx.body as { key?: unknown }).key;
    if (typeof key === 'string' && tx.from instanceof Uint8Array && tx.from.length === 32) {
      keys.add(recordKey(addressOf(tx.from), key));
    }
  }
  return [...keys];
}

export function recordKey(owner: Address, key: string): string {
  return `${owner}/${key}`;
}

const fail = (code: TxCode, detail?: string): TxResult => (detail ? { code, detail } : { code });
const OK: TxResult = { code: 'ok' };

/**
 * Why `tx` may not go into a block as its sender's next tx on `overlay`, or null if it may.
 * These are the inclusion rules (a block carrying such a tx is invalid, see validateBlock):
 * a known kind and a well-formed, small enough body, this chain, a valid signature, a sender the
 * ledger knows (an account, or a validator of the signing set: outsiders cannot write), and the
 * sender's next nonce. Checks run in a fixed order, so every node reports the same code.
 */
export function inclusionError(overlay: Overlay, tx: Tx, signatureValid: boolean): TxResult | null {
  if (!(TX_KINDS as readonly string[]).includes(tx.kind)) return fail('unknown-kind', tx.kind);
  const shapeError = txShapeError(tx);
  if (shapeError) return fail('bad-body', shapeError.message);
  const size = encodedTxSize(tx);
  if (size > TX_BYTES_MAX) return fail('too-large', `${size} > ${TX_BYTES_MAX} bytes`);
  if (tx.chainId !== overlay.state.chainId) return fail('wrong-chain');
  if (!signatureValid) return fail('bad-signature');
  const sender = addressOf(tx.from);
  if (!knownSender(overlay, sender)) {
    return fail(overlay.state.access === null ? 'unknown-sender' : 'not-a-member');
  }
  const senderAccount = account(overlay, sender);
  if (tx.nonce < senderAccount.nonce) {
    return fail('nonce-too-low', `expected ${senderAccount.nonce}`);
  }
  if (tx.nonce > senderAccount.nonce) return fail('nonce-gap', `expected ${senderAccount.nonce}`);
  return null;
}

/**
 * A public ledger: an account in the state before this block, or a validator of the set signing
 * it. A private ledger: a member (validators always are) whose removal is not decided.
 */
function knownSender(overlay: Overlay, sender: Address): boolean {
  const access = overlay.state.access;
  if (access !== null) return isMember(access, sender) && !access.leaving.includes(sender);
  return (
    overlay.state.accounts.has(sender) ||
    findValidator(overlay.state.validators, sender) !== undefined
  );
}

/**
 * Checks `tx` against the overlay and applies it. A tx that breaks an inclusion rule changes
 * nothing (and may not be in a block at all). An included tx always uses its nonce; if its body
 * fails (insufficient balance, record not found...), that is all it changes: it stays in its
 * block with its code, and can never be replayed.
 */
export function executeTx(
  overlay: Overlay,
  tx: Tx,
  signatureValid: boolean,
  /** The verdict on a validator-propose's proof of possession (blockSignatureChecks). */
  possessionValid = false,
): TxResult {
  const refused = inclusionError(overlay, tx, signatureValid);
  if (refused) return refused;
  const sender = addressOf(tx.from);
  const result = executeBody(overlay, tx, sender, account(overlay, sender), possessionValid);
  // Re-read: a transfer has already debited the sender in the overlay.
  const current = account(overlay, sender);
  overlay.accounts.set(sender, { balance: current.balance, nonce: current.nonce + 1 });
  return result;
}

function executeBody(
  overlay: Overlay,
  tx: Tx,
  sender: Address,
  senderAccount: Account,
  possessionValid: boolean,
): TxResult {
  switch (tx.kind) {
    case 'transfer':
      return transfer(overlay, tx.body as TransferBody, sender, senderAccount);
    case 'put':
      return put(overlay, tx.body as PutBody, sender);
    case 'delete':
      return remove(overlay, tx.body as DeleteBody, sender);
    case 'validator-propose':
      return propose(overlay, tx, tx.body as ValidatorProposeBody, sender, possessionValid);
    case 'validator-approve':
      return approve(overlay, tx.body as ValidatorApproveBody, sender);
    case 'member-add':
      return memberAdd(overlay, tx, tx.body as MemberAddBody, sender, possessionValid, (p) =>
        openProposal(overlay, p),
      );
    case 'member-remove':
      return memberRemove(overlay, tx, tx.body as MemberRemoveBody, sender, (p) =>
        openProposal(overlay, p),
      );
    case 'epoch-rotate':
      return epochRotate(overlay, tx.body as EpochRotateBody, sender);
  }
}

function transfer(
  overlay: Overlay,
  body: TransferBody,
  sender: Address,
  senderAccount: Account,
): TxResult {
  if (!ADDRESS_PATTERN.test(body.to)) return fail('bad-body', 'bad recipient');
  if (body.amount === 0) return fail('zero-amount');
  if (body.to === sender) return fail('self-transfer');
  if (senderAccount.balance < body.amount) {
    return fail('insufficient-balance', `balance ${senderAccount.balance}`);
  }
  const isNew = !overlay.accounts.has(body.to) && !overlay.state.accounts.has(body.to);
  if (isNew && overlay.newAccounts >= NEW_ACCOUNTS_PER_BLOCK_MAX) {
    return fail('block-limit', `more than ${NEW_ACCOUNTS_PER_BLOCK_MAX} new accounts in one block`);
  }
  if (isNew) overlay.newAccounts += 1;
  const recipient = account(overlay, body.to);
  overlay.accounts.set(sender, {
    balance: senderAccount.balance - body.amount,
    nonce: senderAccount.nonce,
  });
  // No overflow: balances sum to the genesis supply, which genesis bounds by AMOUNT_MAX.
  overlay.accounts.set(body.to, {
    balance: recipient.balance + body.amount,
    nonce: recipient.nonce,
  });
  return OK;
}

function checkKey(key: string): TxResult | null {
  if (key.length === 0) return fail('bad-body', 'empty key');
  const bytes = utf8Length(key);
  if (bytes > RECORD_KEY_BYTES_MAX) {
    return fail('key-too-large', `${bytes} > ${RECORD_KEY_BYTES_MAX} bytes`);
  }
  return null;
}

function put(overlay: Overlay, body: PutBody, sender: Address): TxResult {
  const keyError = checkKey(body.key);
  if (keyError) return keyError;
  if (body.value.length > RECORD_VALUE_BYTES_MAX) {
    return fail('value-too-large', `${body.value.length} > ${RECORD_VALUE_BYTES_MAX} bytes`);
  }
  const fullKey = recordKey(sender, body.key);
  if (record(overlay, fullKey) === null) {
    if (overlay.newRecords >= NEW_RECORDS_PER_BLOCK_MAX) {
      return fail('block-limit', `more than ${NEW_RECORDS_PER_BLOCK_MAX} new records in one block`);
    }
    overlay.newRecords += 1;
  }
  overlay.records.set(fullKey, body.value);
  return OK;
}

function remove(overlay: Overlay, body: DeleteBody, sender: Address): TxResult {
  const keyError = checkKey(body.key);
  if (keyError) return keyError;
  const fullKey = recordKey(sender, body.key);
  if (record(overlay, fullKey) === null) return fail('record-not-found');
  overlay.records.set(fullKey, null);
  return OK;
}

/**
 * Why applying (publicKey, power) to the pending next set is impossible, or null. A change may
 * not give any validator more power than the strongest one holds: approvals cannot be escalated
 * into a take-over (a validator below a third asking for power 1,000, say).
 */
function changeError(overlay: Overlay, publicKey: PublicKey, power: number): TxResult | null {
  const target = addressOf(publicKey);
  const existing = overlay.next.get(target);
  let strongest = 0;
  for (const validator of overlay.next.values()) strongest = Math.max(strongest, validator.power);
  if (power > strongest && overlay.next.size > 0) {
    return fail('power-too-large', `${power} > ${strongest}, the strongest validator's power`);
  }
  if (power === 0 && !existing) return fail('bad-body', 'removing a non-validator');
  if (power > 0 && !existing && overlay.next.size >= VALIDATORS_MAX) {
    return fail('too-many-validators');
  }
  let total = 0;
  for (const validator of overlay.next.values()) total += validator.power;
  total += power - (existing?.power ?? 0);
  if (total === 0) return fail('bad-body', 'the validator set would be empty');
  if (total > TOTAL_POWER_MAX) return fail('too-many-validators', 'total power too large');
  return null;
}

function propose(
  overlay: Overlay,
  tx: Tx,
  body: ValidatorProposeBody,
  sender: Address,
  possessionValid: boolean,
): TxResult {
  if (!findValidator(overlay.state.validators, sender)) return fail('not-a-validator');
  if (overlay.proposals.size >= GOVERNANCE_PROPOSALS_MAX) return fail('too-many-proposals');
  // A new key must come with its holder's signature: nobody can be made a validator (and its
  // power dead) without holding its key.
  const adding = body.power > 0 && !overlay.next.has(addressOf(body.publicKey));
  if (adding && (body.possession === null || !possessionValid)) return fail('bad-possession');
  // In a private ledger every validator is a member (it reads the ledger to vote on it).
  if (adding && overlay.access && !isMember(overlay.access, addressOf(body.publicKey))) {
    return fail('not-a-member');
  }
  const error = changeError(overlay, body.publicKey, body.power);
  if (error) return error;
  return openProposal(overlay, {
    id: txHash(tx),
    kind: 'validator',
    publicKey: body.publicKey,
    power: body.power,
    boxKey: null,
    proposer: sender,
    approvals: [sender],
    height: overlay.height,
  });
}

/** A new governance proposal (its proposer's approval counted); enacted at once if enough. */
function openProposal(overlay: Overlay, proposal: GovernanceProposal): TxResult {
  if (overlay.proposals.size >= GOVERNANCE_PROPOSALS_MAX) return fail('too-many-proposals');
  overlay.proposals.set(toHex(proposal.id), proposal);
  enactIfApproved(overlay, proposal);
  return OK;
}

function approve(overlay: Overlay, body: ValidatorApproveBody, sender: Address): TxResult {
  if (!findValidator(overlay.state.validators, sender)) return fail('not-a-validator');
  const id = toHex(body.proposalId);
  const proposal = overlay.proposals.get(id);
  if (!proposal) return fail('unknown-proposal');
  if (proposal.approvals.includes(sender)) return fail('already-approved');
  const updated = { ...proposal, approvals: [...proposal.approvals, sender] };
  overlay.proposals.set(id, updated);
  enactIfApproved(overlay, updated);
  return OK;
}

/**
 * Once approvals from the current set (the one signing this block) exceed 2/3 of its power,
 * the change goes into the set for height + 2 and the proposal closes. If the change has become
 * impossible meanwhile (set full, validator already gone), the proposal closes unapplied.
 */
function enactIfApproved(overlay: Overlay, proposal: GovernanceProposal): void {
  const current = overlay.state.validators;
  let power = 0;
  for (const approver of proposal.approvals) power += findValidator(current, approver)?.power ?? 0;
  if (!exceedsTwoThirds(power, current)) return;
  overlay.proposals.delete(toHex(proposal.id));
  if (proposal.kind !== 'validator') {
    enactMemberProposal(overlay, proposal);
    return;
  }
  if (changeError(overlay, proposal.publicKey, proposal.power)) return;
  const address = addressOf(proposal.publicKey);
  if (proposal.power === 0) overlay.next.delete(address);
  else overlay.next.set(address, { address, publicKey: proposal.publicKey, power: proposal.power });
  overlay.nextChanged = true;
}
