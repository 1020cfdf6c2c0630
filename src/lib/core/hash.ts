// Hashes of the ledger's objects: SHA-256 of their canonical encoding (see encoding.ts).

import { bytesEqual, fromHex, toHex } from './bytes';
import { encodeGenesis, sha256OfCommit, sha256OfHeader, sha256OfTx } from './encoding';
import { sha256Digest } from './sha256';
import type {
  Address,
  Block,
  BlockHeader,
  ChainId,
  Commit,
  Genesis,
  Hash,
  PublicKey,
  Tx,
} from './types';

export { bytesEqual, fromHex, toHex };

export const ZERO_HASH: Hash = new Uint8Array(32);

/** Bytes of an address (the first 20 bytes of SHA-256 of the public key). */
export const ADDRESS_BYTES = 20;

export function sha256(bytes: Uint8Array): Hash {
  return sha256Digest(bytes);
}

/** A block's hash is its header's hash: the header commits to everything else by root hashes. */
export function blockHash(blockOrHeader: Block | BlockHeader): Hash {
  const header = 'header' in blockOrHeader ? blockOrHeader.header : blockOrHeader;
  return sha256OfHeader(header);
}

/** Hash of the whole signed tx (signature included); also a governance proposal's id. */
export function txHash(tx: Tx): Hash {
  return sha256OfTx(tx);
}

export function commitHash(commit: Commit): Hash {
  return sha256OfCommit(commit);
}

/** The chain id: lowercase hex SHA-256 of the canonical genesis encoding. */
export function chainIdOf(genesis: Genesis): ChainId {
  return toHex(sha256(encodeGenesis(genesis)));
}

export function addressOf(publicKey: PublicKey): Address {
  return toHex(sha256(publicKey).subarray(0, ADDRESS_BYTES));
}
