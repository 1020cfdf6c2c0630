// Plain-data views of ledger objects for the UI (hex strings, short summaries).
import { commitSlotVote } from '../core/block';
import { addressOf, toHex, txHash } from '../core/hash';
import type {
  DeleteBody,
  EpochRotateBody,
  MemberAddBody,
  MemberRemoveBody,
  PutBody,
  TransferBody,
  Tx,
  ValidatorApproveBody,
  ValidatorProposeBody,
  ValidatorSet,
} from '../core/types';
import type { OutboxEntry, StoredBlock } from '../store/types';
import type { ActivityEntry, BlockView, TxAction } from './api';

/** The parts of a transaction a UI puts into words (hex for keys and ids). */
export function actionOfTx(tx: Tx): TxAction {
  switch (tx.kind) {
    case 'transfer': {
      const body = tx.body as TransferBody;
      return { kind: 'transfer', to: body.to, amount: body.amount };
    }
    case 'put':
      return { kind: 'put', key: (tx.body as PutBody).key };
    case 'delete':
      return { kind: 'delete', key: (tx.body as DeleteBody).key };
    case 'validator-propose': {
      const body = tx.body as ValidatorProposeBody;
      return { kind: 'validator-propose', address: addressOf(body.publicKey), power: body.power };
    }
    case 'validator-approve':
      return {
        kind: 'validator-approve',
        proposalId: toHex((tx.body as ValidatorApproveBody).proposalId),
      };
    case 'member-add':
      return { kind: 'member-add', address: addressOf((tx.body as MemberAddBody).publicKey) };
    case 'member-remove':
      return { kind: 'member-remove', address: (tx.body as MemberRemoveBody).address };
    case 'epoch-rotate':
      return { kind: 'epoch-rotate', epoch: (tx.body as EpochRotateBody).epoch };
  }
}

export function summaryOfTx(tx: Tx): string {
  const body = tx.body as unknown as Record<string, unknown>;
  switch (tx.kind) {
    case 'transfer':
      return `transfer ${String(body.amount)} to ${String(body.to).slice(0, 10)}…`;
    case 'put':
      return `put record "${String(body.key)}"`;
    case 'delete':
      return `delete record "${String(body.key)}"`;
    case 'validator-propose':
      return `propose validator ${addressOf(body.publicKey as Uint8Array).slice(0, 10)}… power ${String(body.power)}`;
    case 'validator-approve':
      return `approve proposal ${toHex(body.proposalId as Uint8Array).slice(0, 10)}…`;
    case 'member-add':
      return `add member ${addressOf(body.publicKey as Uint8Array).slice(0, 10)}…`;
    case 'member-remove':
      return `remove member ${String(body.address).slice(0, 10)}…`;
    case 'epoch-rotate':
      return `new ledger key (epoch ${String(body.epoch)})`;
  }
}

export function activityOf(entry: OutboxEntry): ActivityEntry {
  const fate = entry.fate;
  return {
    hash: entry.txHash,
    kind: entry.tx.kind,
    summary: summaryOfTx(entry.tx),
    action: actionOfTx(entry.tx),
    nonce: entry.tx.nonce,
    createdAt: entry.addedMs,
    status: fate.status,
    height: fate.status === 'committed' ? fate.height : null,
    code: fate.status === 'rejected' ? fate.code : null,
  };
}

/** `set` is the validator set that signed the block's commit (for naming signature slots). */
export function blockViewOf(stored: StoredBlock, set: ValidatorSet): BlockView {
  const { block, commit } = stored;
  return {
    height: stored.height,
    hash: toHex(stored.hash),
    time: block.header.time,
    proposer: block.header.proposer,
    txCount: block.txs.length,
    previousHash: toHex(block.header.previousHash),
    stateRoot: toHex(block.header.stateRoot),
    txs: block.txs.map((tx, index) => ({
      hash: toHex(txHash(tx)),
      from: addressOf(tx.from),
      nonce: tx.nonce,
      kind: tx.kind,
      summary: summaryOfTx(tx),
      action: actionOfTx(tx),
      code: stored.codes?.[index] ?? 'ok',
    })),
    commit: {
      round: commit.round,
      signatures: commit.signatures.map((slot, index) => ({
        validator:
          commitSlotVote(block.header.chainId, commit, index, set)?.validator ??
          set.validators[index]?.address ??
          `#${index}`,
        kind: slot.kind,
        timestamp: slot.kind === 'absent' ? null : slot.timestamp,
      })),
    },
    evidence: block.evidence.map((item) => ({
      validator: item.voteA.validator,
      height: item.voteA.height,
      round: item.voteA.round,
      type: item.voteA.type,
    })),
  };
}
