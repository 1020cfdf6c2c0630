// Approving and declining join requests (the Devices page's banner, the always-on peer's
// --approve). Approval does exactly what the person was shown: the request's view says what it
// grants ('member': a member-add on a private ledger; 'validator': voting power) and which open
// proposal it would approve; if either changed since, it is refused with 'request-changed' and
// the person looks again. Making a member a validator is its own approval of its own request
// (the device asks for it), never a side effect of admitting it.

import { fromHex } from '../core/bytes';
import type { ActivityEntry, Invite, JoinRequest } from './api';
import { boundedInviterName, inviteLink, makeInvite } from './invite';
import type { NodeParts } from './node-parts';
import { TxRejectedError } from './outbox';
import { inviteAccessOfDevice } from './private-ledger';

/** The node's parts approving reads and writes through (FullNode passes its own). */
export type JoinApprovalParts = Pick<NodeParts, 'joins' | 'head' | 'address' | 'outbox'>;

/** 32 bytes from 64 hex digits (a public key or a proposal id); a typed refusal otherwise. */
export function keyFromHex(hex: string): Uint8Array {
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    throw new TxRejectedError('bad-body', 'expected 32 bytes in hex');
  }
  return fromHex(hex);
}

/**
 * Approve the request of `publicKeyHex` as shown: `proposalId` is the open proposal the view
 * showed (null: none, so approving makes one, or admits at once where one validator suffices),
 * `grants` what the view said approving does. Without it: 'member' on a private ledger (power
 * there is only ever given when asked for by name: a stale row of a device that became a member
 * meanwhile must not turn into a validator proposal), 'validator' on a public one.
 */
export async function approveJoin(
  parts: JoinApprovalParts,
  publicKeyHex: string,
  proposalId: string | null,
  grants?: JoinRequest['grants'],
): Promise<ActivityEntry> {
  const views = parts.joins.views(parts.head.state, parts.address);
  const view = views.find((request) => request.publicKey === publicKeyHex);
  if (!view) throw new TxRejectedError('unknown-request');
  const shown = grants ?? (parts.head.state.access !== null ? 'member' : 'validator');
  if (view.proposalId !== proposalId || view.grants !== shown) {
    // What the user saw is not what approving would do now: show them again.
    throw new TxRejectedError('request-changed');
  }
  if (proposalId !== null) {
    return parts.outbox.submit('validator-approve', { proposalId: keyFromHex(proposalId) });
  }
  const publicKey = keyFromHex(publicKeyHex);
  const request = parts.joins.request(publicKey);
  if (!request) throw new TxRejectedError('unknown-request');
  if (view.grants === 'member') {
    if (!request.boxKey) {
      throw new TxRejectedError('no-box-key', 'the device sent no key to receive the ledger key');
    }
    return parts.outbox.submit('member-add', {
      publicKey,
      boxKey: request.boxKey,
      possession: request.possession,
    });
  }
  return parts.outbox.submit('validator-propose', {
    publicKey,
    power: view.power,
    possession: request.possession,
  });
}

/** Hide the request of `publicKeyHex` on this device (nothing is sent). */
export async function declineJoin(parts: JoinApprovalParts, publicKeyHex: string): Promise<void> {
  parts.joins.decline(keyFromHex(publicKeyHex));
}

/**
 * The node's invite link: a private ledger's carries the newest key this device holds (refused
 * with InviteUnavailableError when it holds none or was removed); a public one's none.
 */
export function nodeInviteLink(
  baseUrl: string,
  parts: Pick<NodeParts, 'head' | 'address' | 'keyring'>,
  relays: string[],
  inviterName?: string,
): string {
  const access = inviteAccessOfDevice(parts.head.state, parts.address, parts.keyring);
  const invite: Invite = makeInvite(parts.head.genesis, relays, access);
  const name = inviterName === undefined ? '' : boundedInviterName(inviterName);
  const inviter = { address: parts.address, name };
  return inviteLink(baseUrl, name === '' ? invite : { ...invite, inviter });
}
