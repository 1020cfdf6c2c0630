// Invite links: `<app>/join#<payload>`, where the payload is base64url of the canonical
// encoding of [version, genesis bytes, relay multiaddrs]. The joining device recomputes the chain
// id from the genesis, so a link cannot point it at a ledger other than the one it names.
// Everything travels in the fragment, which browsers never send to a server.
import {
  decodeGenesis,
  decodeValue,
  encodeGenesis,
  encodeValue,
  DecodeError,
} from '../core/encoding';
import { chainIdOf } from '../core/hash';
import type { Genesis } from '../core/types';
import type { Invite } from './api';

export const INVITE_VERSION = 1;
export const INVITE_RELAYS_MAX = 8;
export const INVITE_BYTES_MAX = 16 * 1024;

export class InviteError extends Error {
  override name = 'InviteError';
}

export function makeInvite(genesis: Genesis, relays: string[]): Invite {
  return {
    chainId: chainIdOf(genesis),
    name: genesis.name,
    genesis: toBase64Url(encodeGenesis(genesis)),
    relays: relays.slice(0, INVITE_RELAYS_MAX),
  };
}

export function inviteLink(baseUrl: string, invite: Invite): string {
  const payload = encodeValue([INVITE_VERSION, fromBase64Url(invite.genesis), invite.relays]);
  return `${baseUrl.replace(/\/$/, '')}/join#${toBase64Url(payload)}`;
}

/** Accepts a whole link or just its fragment. Throws InviteError with what is wrong. */
export function parseInvite(linkOrFragment: string): Invite {
  const trimmed = linkOrFragment.trim();
  const fragment = trimmed.includes('#') ? trimmed.slice(trimmed.indexOf('#') + 1) : trimmed;
  if (fragment.length === 0) throw new InviteError('the invite link is empty');
  let value: unknown;
  try {
    value = decodeValue(fromBase64Url(fragment), INVITE_BYTES_MAX);
  } catch (error) {
    if (error instanceof DecodeError || error instanceof InviteError) {
      throw new InviteError('the invite link is damaged (it does not decode)');
    }
    throw error;
  }
  if (!Array.isArray(value) || value.length !== 3 || value[0] !== INVITE_VERSION) {
    throw new InviteError('the invite link is from an unsupported version');
  }
  const [, genesisBytes, relays] = value as [number, unknown, unknown];
  if (!(genesisBytes instanceof Uint8Array)) throw new InviteError('the invite has no genesis');
  if (
    !Array.isArray(relays) ||
    relays.length > INVITE_RELAYS_MAX ||
    !relays.every((r) => typeof r === 'string')
  ) {
    throw new InviteError('the invite has a bad relay list');
  }
  let genesis: Genesis;
  try {
    genesis = decodeGenesis(genesisBytes);
  } catch (error) {
    if (error instanceof DecodeError)
      throw new InviteError(`the invite's genesis is invalid (${error.reason})`);
    throw error;
  }
  return makeInvite(genesis, relays as string[]);
}

export function genesisOfInvite(invite: Invite): Genesis {
  return decodeGenesis(fromBase64Url(invite.genesis));
}

export function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

export function fromBase64Url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new InviteError('not base64url');
  const padded =
    text.replaceAll('-', '+').replaceAll('_', '/') + '==='.slice((text.length + 3) % 4);
  const binary = atob(padded);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
