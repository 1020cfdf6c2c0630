// The node's facts said in words a person uses. Display only: every fact comes from the node;
// names come from the local name table (names.svelte.ts) through `who`.
import type { ActivityEntry, NodeStatus, Role, TxAction } from '$lib/node/api';
import { formatAmount } from './format';

/** How an address reads (a device name, "You", or "Device 3f2a9c"). */
export type Who = (address: string) => string;

/**
 * One transaction as a short phrase. `subjectOf` finds the device an approval is for (from the
 * join requests this device saw), when known.
 */
export function describeAction(
  action: TxAction,
  who: Who,
  subjectOf: (proposalId: string) => string | null = () => null,
): string {
  switch (action.kind) {
    case 'transfer':
      return `Send ${formatAmount(action.amount)} to ${who(action.to)}`;
    case 'put':
      return `Save record “${action.key}”`;
    case 'delete':
      return `Delete record “${action.key}”`;
    case 'validator-propose':
      return action.power === 0
        ? `Stop ${who(action.address)} from confirming changes`
        : `Let ${who(action.address)} confirm changes (validator)`;
    case 'validator-approve': {
      const subject = subjectOf(action.proposalId);
      return subject ? `Approve ${who(subject)} as a validator` : 'Approve a new validator';
    }
    case 'member-add':
      return `Let ${who(action.address)} into this private ledger`;
    case 'member-remove':
      return `Remove ${who(action.address)} from this private ledger`;
    case 'epoch-rotate':
      return 'Change the ledger key (removed devices can no longer read)';
  }
}

/** The fate of a change this device sent, as a short badge text. */
export function fateLabel(entry: ActivityEntry): string {
  if (entry.status === 'pending') return 'Pending';
  if (entry.status === 'committed') return `Confirmed in block ${entry.height}`;
  return 'Refused';
}

export const ROLE_LABELS: Record<Role, string> = {
  validator: 'Validator',
  standby: 'Validator (other tab)',
  observer: 'Observer',
  'catching-up': 'Catching up',
};

export const ROLE_SENTENCES: Record<Role, string> = {
  validator: 'This device confirms changes together with the other validators.',
  standby: 'Another tab of this browser confirms changes for this device; this tab follows along.',
  observer: 'This device keeps a full copy and checks every change, but does not confirm them.',
  'catching-up': 'Downloading the history from other devices and checking every block.',
};

/** The connection in a few words, from the node's status. */
export function connectionLabel(status: Pick<NodeStatus, 'online' | 'peerCount'>): string {
  if (!status.online) return 'Offline';
  if (status.peerCount === 0) return 'Online, no other device';
  return status.peerCount === 1 ? '1 device connected' : `${status.peerCount} devices connected`;
}

/** A longer sentence for the same, where there is room. */
export function connectionSentence(status: Pick<NodeStatus, 'online' | 'peerCount'>): string {
  if (!status.online) {
    return 'Offline. You can read everything and make changes; they are sent when the connection returns.';
  }
  if (status.peerCount === 0) {
    return 'Online, but no other device of this ledger is connected right now.';
  }
  return status.peerCount === 1
    ? 'Connected to 1 other device of this ledger.'
    : `Connected to ${status.peerCount} other devices of this ledger.`;
}

export const VOTE_WORDS: Record<string, string> = {
  prevote: 'first vote',
  precommit: 'final vote',
};
