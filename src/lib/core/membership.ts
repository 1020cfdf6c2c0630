// Private ledgers: who may write (members), who decides membership, and the key epochs that
// make a removal final (docs/protocol.md §9). Pure rules over the block overlay; the sealing and
// opening of keys happens in the node (src/lib/crypto), which the core never calls.
//
// - Validators are always members; a member is admitted by a validator alone or by more than
//   2/3 of the power (the genesis's admission rule), with its key holder's proof of possession.
// - A member is removed by more than 2/3 of the power, or by itself; the removal is final at the
//   key rotation that follows: an epoch-rotate from a validator seals a new key to every member
//   that stays, and from the next height on the removed device can neither read nor write.

import { sha256OfValue } from './encoding';
import { addressOf, txHash } from './hash';
import { MEMBERS_MAX } from './params';
import type {
  Address,
  EpochRotateBody,
  GovernanceProposal,
  Hash,
  Member,
  MemberAddBody,
  MemberRemoveBody,
  PrivateAccess,
  PublicKey,
  Tx,
  TxCode,
  TxResult,
} from './types';
import { findValidator } from './validators';

export const EPOCH_KEY_DOMAIN = 'p2p-ledger/epoch-key/v1';

/** The commitment to a key epoch's key (in the genesis for epoch 0, in each rotation after). */
export function epochKeyHash(epoch: number, key: Uint8Array): Hash {
  return sha256OfValue([EPOCH_KEY_DOMAIN, epoch, key]);
}

export function isMember(access: PrivateAccess, address: Address): boolean {
  return access.members.some((member) => member.address === address);
}

/** The members that stay once the decided removals are final, in address order. */
export function remainingMembers(access: PrivateAccess): Member[] {
  return access.members.filter((member) => !access.leaving.includes(member.address));
}

/** What the membership rules need of the block overlay (execute.ts's Overlay). */
export interface MembershipOverlay {
  readonly state: {
    validators: Parameters<typeof findValidator>[0];
    access: PrivateAccess | null;
  };
  readonly height: number;
  /** Working copy of the access state (null: a public ledger). */
  access: PrivateAccess | null;
  readonly proposals: Map<string, GovernanceProposal>;
  accessChanged: boolean;
}

const fail = (code: TxCode, detail?: string): TxResult => (detail ? { code, detail } : { code });
const OK: TxResult = { code: 'ok' };

function sortedMembers(members: Member[]): Member[] {
  return [...members].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
}

function addMember(access: PrivateAccess, publicKey: PublicKey, boxKey: Uint8Array): PrivateAccess {
  const member: Member = { address: addressOf(publicKey), publicKey, boxKey };
  return { ...access, members: sortedMembers([...access.members, member]) };
}

/** member-add: by a validator; applied at once, or opened as a proposal ('two-thirds'). */
export function memberAdd(
  overlay: MembershipOverlay,
  tx: Tx,
  body: MemberAddBody,
  sender: Address,
  possessionValid: boolean,
  openProposal: (proposal: GovernanceProposal) => TxResult,
): TxResult {
  const access = overlay.access;
  if (access === null) return fail('bad-body', 'not a private ledger');
  if (!findValidator(overlay.state.validators, sender)) return fail('not-a-validator');
  if (!possessionValid) return fail('bad-possession');
  if (isMember(access, addressOf(body.publicKey))) return fail('already-a-member');
  if (access.members.length >= MEMBERS_MAX) return fail('too-many-members');
  if (access.admission === 'any-validator') {
    overlay.access = addMember(access, body.publicKey, body.boxKey);
    overlay.accessChanged = true;
    return OK;
  }
  return openProposal({
    id: txHash(tx),
    kind: 'member-add',
    publicKey: body.publicKey,
    power: 0,
    boxKey: body.boxKey,
    proposer: sender,
    approvals: [sender],
    height: overlay.height,
  });
}

/** member-remove: a member leaving, or a validator proposing a removal (> 2/3 approve). */
export function memberRemove(
  overlay: MembershipOverlay,
  tx: Tx,
  body: MemberRemoveBody,
  sender: Address,
  openProposal: (proposal: GovernanceProposal) => TxResult,
): TxResult {
  const access = overlay.access;
  if (access === null) return fail('bad-body', 'not a private ledger');
  const target = access.members.find((member) => member.address === body.address);
  if (!target) return fail('not-a-member');
  // A validator gives up its power first (validator-propose with power 0): validators are
  // always members.
  if (findValidator(overlay.state.validators, body.address)) return fail('is-a-validator');
  if (access.leaving.includes(body.address)) return OK;
  if (sender === body.address) {
    overlay.access = { ...access, leaving: [...access.leaving, body.address].sort() };
    overlay.accessChanged = true;
    return OK;
  }
  if (!findValidator(overlay.state.validators, sender)) return fail('not-a-validator');
  return openProposal({
    id: txHash(tx),
    kind: 'member-remove',
    publicKey: target.publicKey,
    power: 0,
    boxKey: null,
    proposer: sender,
    approvals: [sender],
    height: overlay.height,
  });
}

/** An approved member proposal takes effect (called once approvals pass 2/3). */
export function enactMemberProposal(
  overlay: MembershipOverlay,
  proposal: GovernanceProposal,
): void {
  const access = overlay.access;
  if (access === null) return;
  const address = addressOf(proposal.publicKey);
  if (proposal.kind === 'member-add' && proposal.boxKey !== null) {
    if (isMember(access, address) || access.members.length >= MEMBERS_MAX) return;
    overlay.access = addMember(access, proposal.publicKey, proposal.boxKey);
    overlay.accessChanged = true;
  } else if (proposal.kind === 'member-remove') {
    if (!isMember(access, address) || access.leaving.includes(address)) return;
    if (findValidator(overlay.state.validators, address)) return;
    overlay.access = { ...access, leaving: [...access.leaving, address].sort() };
    overlay.accessChanged = true;
  }
}

/**
 * epoch-rotate: a validator's new key for the next epoch, sealed to every member that stays;
 * it makes the decided removals final. Only the shape can be checked here (the boxes are
 * encrypted to others): one box per remaining member, the next epoch number.
 */
export function epochRotate(
  overlay: MembershipOverlay,
  body: EpochRotateBody,
  sender: Address,
): TxResult {
  const access = overlay.access;
  if (access === null) return fail('bad-body', 'not a private ledger');
  if (!findValidator(overlay.state.validators, sender)) return fail('not-a-validator');
  if (body.epoch !== access.epoch + 1) {
    return fail('stale-epoch', `expected epoch ${access.epoch + 1}`);
  }
  const staying = remainingMembers(access);
  if (body.sealed.length !== staying.length) {
    return fail('bad-rotation', `${body.sealed.length} sealed keys for ${staying.length} members`);
  }
  overlay.access = {
    ...access,
    members: staying,
    leaving: [],
    epoch: body.epoch,
    keyHash: body.keyHash,
  };
  overlay.accessChanged = true;
  return OK;
}

/** The canonical form of the access state in the state root. */
export function accessToCbor(access: PrivateAccess | null): unknown {
  if (access === null) return null;
  return [
    access.admission,
    access.members.map((m) => [m.address, m.publicKey, m.boxKey]),
    access.epoch,
    access.keyHash,
    access.leaving,
  ];
}
