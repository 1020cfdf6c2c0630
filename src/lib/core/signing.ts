// What gets signed, and the interfaces of whoever signs and verifies (src/lib/crypto).
//
// Every signed payload is the canonical CBOR array [domain tag, ...fields], where the tag names
// the message type and protocol version and the fields start with the chain id. A signature
// over one type therefore never verifies as another type or on another chain.

import {
  encodeValue,
  unsignedProposalFields,
  unsignedTxFields,
  unsignedVoteFields,
} from './encoding';
import type { PublicKey, Signature, UnsignedProposal, UnsignedTx, UnsignedVote } from './types';

export { precheckSignature, type SignatureRejection } from './ed25519-precheck';

export const SIGN_DOMAIN_TX = 'p2p-ledger/tx/v1';
export const SIGN_DOMAIN_VOTE = 'p2p-ledger/vote/v1';
export const SIGN_DOMAIN_PROPOSAL = 'p2p-ledger/proposal/v1';
export const SIGN_DOMAIN_POSSESSION = 'p2p-ledger/validator-key/v1';
// v2: the request names the kind of device asking (v1 had no kind). v3: it carries the
// device's X25519 key (private ledgers seal new keys to it) and what it asks for.
export const SIGN_DOMAIN_JOIN = 'p2p-ledger/join/v3';
export const SIGN_DOMAIN_PEER = 'p2p-ledger/peer/v1';

/** What kind of device asks to join: a browser tab, or an always-on peer (a headless node). */
export type DeviceKind = 'browser' | 'peer';
export const DEVICE_KINDS: readonly DeviceKind[] = ['browser', 'peer'];

/** What a join request asks for: to read and write (a member), or also to vote. */
export type JoinRole = 'member' | 'validator';
export const JOIN_ROLES: readonly JoinRole[] = ['member', 'validator'];

/** Sign bytes of a tx: [tag, chainId, from, nonce, kind, body]. */
export function txSignBytes(tx: UnsignedTx): Uint8Array {
  return encodeValue([SIGN_DOMAIN_TX, ...unsignedTxFields(tx)]);
}

/** Sign bytes of a vote: [tag, chainId, height, round, type, blockHash, timestamp, validator]. */
export function voteSignBytes(vote: UnsignedVote): Uint8Array {
  return encodeValue([SIGN_DOMAIN_VOTE, ...unsignedVoteFields(vote)]);
}

/** Sign bytes of a proposal: [tag, chainId, height, round, polRound, blockHash, proposer]. */
export function proposalSignBytes(proposal: UnsignedProposal): Uint8Array {
  return encodeValue([SIGN_DOMAIN_PROPOSAL, ...unsignedProposalFields(proposal)]);
}

/** Sign bytes of a proof of possession: [tag, chainId, publicKey] (validator-propose). */
export function possessionSignBytes(chainId: string, publicKey: PublicKey): Uint8Array {
  return encodeValue([SIGN_DOMAIN_POSSESSION, chainId, publicKey]);
}

/**
 * Sign bytes of a peer claim: [tag, chainId, libp2p peer id]. A device signs it with its key to
 * say which network peer it is (the sync status carries it); bound to the peer id, so nobody
 * can show another device's claim as their own.
 */
export function peerClaimSignBytes(chainId: string, peerId: string): Uint8Array {
  return encodeValue([SIGN_DOMAIN_PEER, chainId, peerId]);
}

/**
 * Sign bytes of a join request: [tag, chainId, publicKey, label, kind, boxKey, asks]. The kind
 * is signed so nobody on the path can relabel a browser as an always-on peer (or back); the box
 * key so nobody can have a member admitted with a key they can open; `asks` so nobody can turn
 * a request to read into one to vote. A device without an X25519 key signs null (it can ask to
 * be a validator of a public ledger only).
 */
export function joinSignBytes(
  chainId: string,
  publicKey: PublicKey,
  label: string,
  kind: DeviceKind,
  boxKey: Uint8Array | null = null,
  asks: JoinRole = 'validator',
): Uint8Array {
  return encodeValue([SIGN_DOMAIN_JOIN, chainId, publicKey, label, kind, boxKey, asks]);
}

export interface Signer {
  readonly publicKey: PublicKey;
  sign(message: Uint8Array): Promise<Signature>;
}

/** Applies the protocol's acceptance rule: precheckSignature, then strict verification. */
export interface Verifier {
  verify(publicKey: PublicKey, message: Uint8Array, signature: Signature): Promise<boolean>;
}

/** One signature the driver must verify for the core (see blockSignatureChecks). */
export interface SignatureCheck {
  publicKey: PublicKey;
  message: Uint8Array;
  signature: Signature;
}
