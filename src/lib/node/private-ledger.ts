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
