// A private ledger's keys at its start, and what an invite gives (docs/protocol.md §9): the
// creator makes the network secret (it names the ledger's topics, sync and discovery) and the
// key of epoch 0, commits to the key in the genesis and keeps both in its keyring; an invite
// carries the secret and the key of the epoch it was made in.

import { bytesEqual } from '../core/bytes';
import { epochKeyHash } from '../core/membership';
import type { Admission, Genesis, GenesisMember, GenesisMembership } from '../core/types';
import { newEpochKey } from '../crypto/box';
import type { KeyringEpoch, StoredKeyring } from '../store/types';
import type { Keyring } from './keyring';

export const NETWORK_SECRET_BYTES = 32;

/** What an invite to a private ledger carries besides the ledger's id. */
export interface InviteAccess {
  networkSecret: Uint8Array;
  epoch: number;
  key: Uint8Array;
}

export class PrivateInviteError extends Error {
  override readonly name = 'PrivateInviteError';
}

/** The membership of a new private ledger (its creator the first member) and its keyring. */
export function newPrivateLedger(
  creator: GenesisMember,
  admission: Admission,
  random: (bytes: number) => Uint8Array = (bytes) => crypto.getRandomValues(new Uint8Array(bytes)),
): { membership: GenesisMembership; keyring: StoredKeyring } {
  const key = newEpochKey();
  const keyHash = epochKeyHash(0, key);
  return {
    membership: { admission, members: [creator], keyHash },
    keyring: {
      networkSecret: random(NETWORK_SECRET_BYTES),
      epochs: [{ epoch: 0, key, fromHeight: 0, keyHash, wrappedPrevious: null }],
    },
  };
}

/** What to put into an invite made now: the secret and the newest key this device holds. */
export function inviteAccessOf(keyring: Keyring): InviteAccess | null {
  const newest = keyring.newestKey();
  return newest
    ? { networkSecret: keyring.networkSecret, epoch: newest.epoch, key: newest.key }
    : null;
}

/**
 * The keyring an invite gives a joining device. A key of epoch 0 is checked against the genesis
 * at once; a later one when the device syncs the rotation that committed to it.
 */
export function keyringOfInvite(genesis: Genesis, access: InviteAccess): StoredKeyring {
  const membership = genesis.membership;
  if (!membership) throw new PrivateInviteError('the ledger is public: its invite has no key');
  const genesisEpoch: KeyringEpoch = {
    epoch: 0,
    key: null,
    fromHeight: 0,
    keyHash: membership.keyHash,
    wrappedPrevious: null,
  };
  if (access.epoch === 0) {
    if (!bytesEqual(epochKeyHash(0, access.key), membership.keyHash)) {
      throw new PrivateInviteError("the invite's key is not this ledger's");
    }
    return { networkSecret: access.networkSecret, epochs: [{ ...genesisEpoch, key: access.key }] };
  }
  return {
    networkSecret: access.networkSecret,
    epochs: [
      genesisEpoch,
      {
        epoch: access.epoch,
        key: access.key,
        fromHeight: null,
        keyHash: null,
        wrappedPrevious: null,
      },
    ],
  };
}

/** This device cannot make an invite to a private ledger now; the message is a sentence. */
export class InviteUnavailableError extends Error {
  override readonly name = 'InviteUnavailableError';
  constructor(readonly reason: 'no-key' | 'removed') {
    super(
      reason === 'removed'
        ? 'This device was removed from this ledger: it can no longer invite anyone. Ask a member for an invite link.'
        : 'This device holds no key for this private ledger, so it cannot invite anyone. Ask a member for an invite link.',
    );
  }
}

/**
 * The access an invite made on this device carries: null for a public ledger; for a private one
 * the newest key held. Refused (InviteUnavailableError) on a device that holds no key, that a
 * rotation passed by, or whose removal is decided: its key is about to stop working.
 */
export function inviteAccessOfDevice(
  state: { access: { leaving: readonly string[] } | null },
  address: string,
  keyring: Keyring | null,
): InviteAccess | null {
  if (state.access === null) return null;
  if (!keyring) throw new InviteUnavailableError('no-key');
  if (keyring.locked || state.access.leaving.includes(address)) {
    throw new InviteUnavailableError('removed');
  }
  const access = inviteAccessOf(keyring);
  if (!access) throw new InviteUnavailableError('no-key');
  return access;
}
