// A private ledger's members as the UI shows them, with the open removal proposals and their
// progress (the Devices page's member list and its Remove / Approve removal buttons).

import { toHex } from '../core/bytes';
import { addressOf } from '../core/hash';
import type { LedgerState } from '../core/state';
import type { GovernanceProposal } from '../core/types';
import { findValidator } from '../core/validators';
import type { MemberView, ProposalProgress } from './api';

export function progressOf(
  state: LedgerState,
  proposal: GovernanceProposal,
  self: string,
): ProposalProgress {
  const approvedPower = proposal.approvals.reduce(
    (sum, address) => sum + (findValidator(state.validators, address)?.power ?? 0),
    0,
  );
  return {
    proposalId: toHex(proposal.id),
    proposer: proposal.proposer,
    approvedPower,
    totalPower: state.validators.totalPower,
    approvedByMe: proposal.approvals.includes(self),
  };
}

export function memberViews(state: LedgerState, self: string): MemberView[] {
  const access = state.access;
  if (access === null) return [];
  const removals = [...state.proposals.values()].filter((p) => p.kind === 'member-remove');
  return access.members.map((member) => {
    const removal = removals.find((p) => addressOf(p.publicKey) === member.address);
    return {
      address: member.address,
      publicKey: toHex(member.publicKey),
      validator: findValidator(state.validators, member.address) !== undefined,
      leaving: access.leaving.includes(member.address),
      removal: removal ? progressOf(state, removal, self) : null,
    };
  });
}
