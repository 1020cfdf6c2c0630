// Invite links: `<app>/join#<payload>`, payload = base64url of the canonical encoding of
//   [3, chain id (32 bytes), ledger name, relay multiaddrs, access]   (private, short: default)
//   [4, genesis bytes, relay multiaddrs, access]                      (private, long)
//   [2, chain id (32 bytes), ledger name, relay multiaddrs]           (public, short: default)
//   [1, genesis bytes, relay multiaddrs]                              (public, long, still read)
//   [5, chain id, ledger name, relay multiaddrs, inviter]             (public, short, named)
//   [6, chain id, ledger name, relay multiaddrs, access, inviter]     (private, short, named)
// with access = [network secret (32 bytes), epoch, epoch key (32 bytes)]: what a private
// ledger's invitee needs to find its network (the secret names its topics and sync protocol)
// and to read it (the key of the epoch the link was made in). docs/protocol.md §8.
// The short link carries the genesis hash (= chain id) instead of the genesis: the joining
// device fetches the genesis from a device of the ledger and checks it against the hash
// (net/genesis-protocol.ts), so the link cannot point it at another ledger either way. It is a
// third of the long one's length, which makes the QR code sparse enough for a phone camera.
// The relays listed are only those the app's own /relay.json does not publish (the link opens
// the app from the same origin, which publishes its relays). Everything travels in the
// fragment, which browsers never send to a server. Messages of InviteError are sentences a
// person reads as they are.
//
// A link is text from anyone: each relay address in it is checked (net/relay-address.ts) and one
// a browser cannot use is dropped and counted (`unusableRelays`), never kept; only a list that is
// not a list of at most INVITE_RELAYS_MAX strings makes the whole link damaged. An access part
// must have exactly its three fields at their exact lengths; a long link's access must fit its
// genesis (a private genesis, the key of epoch 0 committed there).
//
// inviter = [device address (20 bytes), device name]: who made the link, so the join page can
// say who invited you and the joined device knows that device by name. It is a claim of the
// link, worth what the link is worth (whoever can change a link can replace it whole), and it
// names only an address the joined device has not named itself.
import {
  decodeGenesis,
  decodeValue,
  encodeGenesis,
  encodeValue,
  DecodeError,
} from '../core/encoding';
import { fromHex, toHex } from '../core/bytes';
import { chainIdOf } from '../core/hash';
import { EPOCH_KEY_BYTES, LEDGER_NAME_BYTES_MAX } from '../core/params';
import type { Genesis } from '../core/types';
import { usableRelays } from '../net/relay-address';
import type { StoredKeyring } from '../store/types';
import type { Invite, InviteInviter } from './api';
import { JOIN_LABEL_BYTES_MAX } from './wire';
import {
  keyringOfInvite,
  NETWORK_SECRET_BYTES,
  PrivateInviteError,
  type InviteAccess,
} from './private-ledger';

/** The long link's version (whole genesis); still accepted. */
export const INVITE_VERSION_GENESIS = 1;
/** The short link's version (genesis hash only); what inviteLink writes for a public ledger. */
export const INVITE_VERSION = 2;
/** A private ledger's short link (with its access); what inviteLink writes for one. */
export const INVITE_VERSION_PRIVATE = 3;
/** A private ledger's long link (whole genesis, with its access). */
export const INVITE_VERSION_PRIVATE_GENESIS = 4;
/** A public ledger's short link naming who made it (what inviteLink writes when it knows). */
export const INVITE_VERSION_NAMED = 5;
/** A private ledger's short link naming who made it. */
export const INVITE_VERSION_PRIVATE_NAMED = 6;
/** The inviting device's name, at most (the same bound as a join request's label). */
export const INVITER_NAME_BYTES_MAX = JOIN_LABEL_BYTES_MAX;
const ADDRESS_BYTES = 20;
/** The highest key epoch a link may name (a ledger rotates once per removal: far beyond). */
export const INVITE_EPOCH_MAX = 2 ** 32 - 1;
export const INVITE_RELAYS_MAX = 8;
export const INVITE_BYTES_MAX = 16 * 1024;
const CHAIN_ID_BYTES = 32;

export class InviteError extends Error {
  override name = 'InviteError';
}

const DAMAGED = 'This invite link is damaged or incomplete. Ask for a new one.';

export function makeInvite(
  genesis: Genesis,
  relays: string[],
  access: InviteAccess | null = null,
): Invite {
  return {
    chainId: chainIdOf(genesis),
    name: genesis.name,
    genesis: toBase64Url(encodeGenesis(genesis)),
    // A remembered address no browser can use never travels on to another device.
    relays: usableRelays(relays).usable.slice(0, INVITE_RELAYS_MAX),
    access,
  };
}

/**
 * The link for `invite`: the short form by default; `withGenesis` writes the whole genesis
 * (for a ledger no online device serves, as in benchmarks with a headless peer).
 */
export function inviteLink(
  baseUrl: string,
  invite: Invite,
  options: { withGenesis?: boolean } = {},
): string {
  const relays = invite.relays.slice(0, INVITE_RELAYS_MAX);
  const access = invite.access && [
    invite.access.networkSecret,
    invite.access.epoch,
    invite.access.key,
  ];
  const long = options.withGenesis === true && invite.genesis !== null;
  const payload = long
    ? encodeValue(
        access
          ? [
              INVITE_VERSION_PRIVATE_GENESIS,
              fromBase64Url(invite.genesis as string),
              relays,
              access,
            ]
          : [INVITE_VERSION_GENESIS, fromBase64Url(invite.genesis as string), relays],
      )
    : encodeValue(shortPayload(invite, relays, access));
  return `${baseUrl.replace(/\/$/, '')}/join#${toBase64Url(payload)}`;
}

/** `name` trimmed and cut (whole characters) to INVITER_NAME_BYTES_MAX bytes; '' for none. */
export function boundedInviterName(name: string): string {
  const encoder = new TextEncoder();
  let bounded = '';
  for (const char of name.trim()) {
    if (encoder.encode(bounded + char).length > INVITER_NAME_BYTES_MAX) break;
    bounded += char;
  }
  return bounded.trim();
}

function shortPayload(invite: Invite, relays: string[], access: unknown[] | null): unknown[] {
  const chainId = fromHex(invite.chainId);
  const inviter = invite.inviter && [fromHex(invite.inviter.address), invite.inviter.name];
  if (access) {
    return inviter
      ? [INVITE_VERSION_PRIVATE_NAMED, chainId, invite.name, relays, access, inviter]
      : [INVITE_VERSION_PRIVATE, chainId, invite.name, relays, access];
  }
  return inviter
    ? [INVITE_VERSION_NAMED, chainId, invite.name, relays, inviter]
    : [INVITE_VERSION, chainId, invite.name, relays];
}

/** The payload of a link (what follows '#'), or the text itself when it has no '#'. */
export function inviteFragment(linkOrFragment: string): string {
  const trimmed = linkOrFragment.trim();
  return trimmed.includes('#') ? trimmed.slice(trimmed.indexOf('#') + 1) : trimmed;
}

/** Accepts a whole link or just its fragment. Throws InviteError saying what is wrong. */
export function parseInvite(linkOrFragment: string): Invite {
  const fragment = inviteFragment(linkOrFragment);
  if (fragment.length === 0) throw new InviteError('This invite link is empty.');
  let value: unknown;
  try {
    value = decodeValue(fromBase64Url(fragment), INVITE_BYTES_MAX);
  } catch (error) {
    if (error instanceof DecodeError || error instanceof InviteError) {
      throw new InviteError(DAMAGED);
    }
    throw error;
  }
  if (!Array.isArray(value)) throw new InviteError(DAMAGED);
  switch (value[0]) {
    case INVITE_VERSION:
      return parseShort(value, null);
    case INVITE_VERSION_PRIVATE:
      return parseShort(value.slice(0, -1), parseAccess(value.at(-1)));
    case INVITE_VERSION_GENESIS:
      return parseLong(value, null);
    case INVITE_VERSION_PRIVATE_GENESIS:
      return parseLong(value.slice(0, -1), parseAccess(value.at(-1)));
    case INVITE_VERSION_NAMED:
      return { ...parseShort(value.slice(0, -1), null), inviter: parseInviter(value.at(-1)) };
    case INVITE_VERSION_PRIVATE_NAMED:
      return {
        ...parseShort(value.slice(0, -2), parseAccess(value.at(-2))),
        inviter: parseInviter(value.at(-1)),
      };
  }
  throw new InviteError(
    'This invite link comes from a newer version of the app. Reload the page, or ask for a new link.',
  );
}

/** [network secret, epoch, key], each exactly as long as it must be. */
function parseAccess(value: unknown): InviteAccess {
  if (!Array.isArray(value) || value.length !== 3) throw new InviteError(DAMAGED);
  const [networkSecret, epoch, key] = value as unknown[];
  if (
    !(networkSecret instanceof Uint8Array) ||
    networkSecret.length !== NETWORK_SECRET_BYTES ||
    typeof epoch !== 'number' ||
    !Number.isSafeInteger(epoch) ||
    epoch < 0 ||
    epoch > INVITE_EPOCH_MAX ||
    !(key instanceof Uint8Array) ||
    key.length !== EPOCH_KEY_BYTES
  ) {
    throw new InviteError(DAMAGED);
  }
  return { networkSecret, epoch, key };
}

/** [address, name]: a device address and a name of 1 to INVITER_NAME_BYTES_MAX bytes. */
function parseInviter(value: unknown): InviteInviter {
  if (!Array.isArray(value) || value.length !== 2) throw new InviteError(DAMAGED);
  const [address, name] = value as unknown[];
  if (!(address instanceof Uint8Array) || address.length !== ADDRESS_BYTES) {
    throw new InviteError(DAMAGED);
  }
  if (typeof name !== 'string' || name.trim() === '') throw new InviteError(DAMAGED);
  if (new TextEncoder().encode(name).length > INVITER_NAME_BYTES_MAX) {
    throw new InviteError(DAMAGED);
  }
  return { address: toHex(address), name };
}

function parseShort(value: unknown[], access: InviteAccess | null): Invite {
  const [, chainId, name, relays] = value as [number, unknown, unknown, unknown];
  if (value.length !== 4 || !(chainId instanceof Uint8Array) || chainId.length !== CHAIN_ID_BYTES) {
    throw new InviteError(DAMAGED);
  }
  if (typeof name !== 'string' || new TextEncoder().encode(name).length > LEDGER_NAME_BYTES_MAX) {
    throw new InviteError(DAMAGED);
  }
  return { chainId: toHex(chainId), name, genesis: null, ...relayList(relays), access };
}

function parseLong(value: unknown[], access: InviteAccess | null): Invite {
  const [, genesisBytes, relays] = value as [number, unknown, unknown];
  if (value.length !== 3 || !(genesisBytes instanceof Uint8Array)) {
    throw new InviteError(DAMAGED);
  }
  const { relays: list, unusableRelays } = relayList(relays);
  let genesis: Genesis;
  try {
    genesis = decodeGenesis(genesisBytes);
  } catch (error) {
    if (error instanceof DecodeError) {
      throw new InviteError(
        "This invite link's ledger description is invalid. Ask for a new link.",
      );
    }
    throw error;
  }
  // The genesis is here: a link whose key cannot open its ledger is refused before anything.
  keyringOfLink(genesis, access);
  return { ...makeInvite(genesis, list, access), unusableRelays };
}

/**
 * The keyring an invite gives for `genesis` (null: a public ledger). Refuses, in sentences, a
 * private ledger's link without a key, a key for a public ledger, and a key that is not the
 * ledger's (epoch 0's is checked against the genesis; a later one when its rotation syncs).
 */
export function keyringOfLink(genesis: Genesis, access: InviteAccess | null): StoredKeyring | null {
  if (genesis.membership === undefined) {
    if (access !== null) {
      throw new InviteError(
        'This invite link carries a key, but its ledger is public: the link is not right. Ask for a new one.',
      );
    }
    return null;
  }
  if (access === null) {
    throw new InviteError(
      'This invite link is for a private ledger but carries no key to read it. Ask for a new link.',
    );
  }
  try {
    return keyringOfInvite(genesis, access);
  } catch (error) {
    if (error instanceof PrivateInviteError) {
      throw new InviteError("This invite link's key does not open its ledger. Ask for a new link.");
    }
    throw error;
  }
}

/** The usable relays of a link's list, and how many it dropped. */
function relayList(relays: unknown): { relays: string[]; unusableRelays: number } {
  if (
    !Array.isArray(relays) ||
    relays.length > INVITE_RELAYS_MAX ||
    !relays.every((relay) => typeof relay === 'string')
  ) {
    throw new InviteError(DAMAGED);
  }
  const { usable, unusable } = usableRelays(relays);
  return { relays: usable, unusableRelays: unusable.length };
}

/** The genesis a long link carries; null for a short link (fetch it from the ledger's devices). */
export function genesisOfInvite(invite: Invite): Genesis | null {
  return invite.genesis === null ? null : decodeGenesis(fromBase64Url(invite.genesis));
}

export function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

/** Throws InviteError (never the DOM's atob error) for text that is not base64url. */
export function fromBase64Url(text: string): Uint8Array {
  // A length of 1 mod 4 cannot come from whole bytes (a truncated link).
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) throw new InviteError(DAMAGED);
  const padded =
    text.replaceAll('-', '+').replaceAll('_', '/') + '==='.slice((text.length + 3) % 4);
  let binary: string;
  try {
    binary = atob(padded);
  } catch {
    throw new InviteError(DAMAGED);
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
