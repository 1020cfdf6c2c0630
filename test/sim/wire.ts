// The simulated network carries bytes, as the real one does: a one-byte message tag followed by
// the core's canonical encoding. Receivers decode strictly, so garbage and oversized messages
// exercise the same decoders a real node uses.

import {
  decodeCommit,
  decodeEvidence,
  decodeProposalMessage,
  decodeTx,
  decodeValue,
  decodeVote,
  encodeBlock,
  encodeCommit,
  encodeEvidence,
  encodeProposalMessage,
  encodeTx,
  encodeValue,
  encodeVote,
  decodeBlock,
} from '../../src/lib/core/encoding';
import { MESSAGE_BYTES_MAX } from '../../src/lib/core/params';
import type { Block, Commit, Evidence, ProposalMessage, Tx, Vote } from '../../src/lib/core/types';

export const TAG_VOTE = 1;
export const TAG_PROPOSAL = 2;
export const TAG_EVIDENCE = 3;
export const TAG_DECIDED = 4;
export const TAG_SYNC_REQUEST = 5;
export const TAG_TX = 6;

/** Decided blocks sent in one sync reply; the requester asks again for more. */
export const SYNC_BLOCKS_PER_REPLY_MAX = 8;

export type WireMessage =
  | { type: 'vote'; vote: Vote }
  | { type: 'proposal'; message: ProposalMessage }
  | { type: 'evidence'; evidence: Evidence }
  /** A decided block with the commit that finalised it (block sync). */
  | { type: 'decided'; block: Block; commit: Commit }
  | { type: 'sync-request'; fromHeight: number }
  | { type: 'tx'; tx: Tx };

export class WireError extends Error {
  constructor(readonly reason: 'empty' | 'too-large' | 'unknown-tag' | 'malformed') {
    super(`bad wire message: ${reason}`);
    this.name = 'WireError';
  }
}

function tagged(tag: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(payload.length + 1);
  out[0] = tag;
  out.set(payload, 1);
  return out;
}

export function encodeWire(message: WireMessage): Uint8Array {
  switch (message.type) {
    case 'vote':
      return tagged(TAG_VOTE, encodeVote(message.vote));
    case 'proposal':
      return tagged(TAG_PROPOSAL, encodeProposalMessage(message.message));
    case 'evidence':
      return tagged(TAG_EVIDENCE, encodeEvidence(message.evidence));
    case 'decided':
      return tagged(
        TAG_DECIDED,
        encodeValue([encodeBlock(message.block), encodeCommit(message.commit)]),
      );
    case 'sync-request':
      return tagged(TAG_SYNC_REQUEST, encodeValue(message.fromHeight));
    case 'tx':
      return tagged(TAG_TX, encodeTx(message.tx));
  }
}

/** Strict decoding; throws WireError (or the core's DecodeError) on anything malformed. */
export function decodeWire(bytes: Uint8Array): WireMessage {
  if (bytes.length === 0) throw new WireError('empty');
  if (bytes.length > MESSAGE_BYTES_MAX) throw new WireError('too-large');
  const payload = bytes.subarray(1);
  switch (bytes[0]) {
    case TAG_VOTE:
      return { type: 'vote', vote: decodeVote(payload) };
    case TAG_PROPOSAL:
      return { type: 'proposal', message: decodeProposalMessage(payload) };
    case TAG_EVIDENCE:
      return { type: 'evidence', evidence: decodeEvidence(payload) };
    case TAG_DECIDED: {
      const pair = decodeValue(payload);
      if (!Array.isArray(pair) || pair.length !== 2) throw new WireError('malformed');
      const [blockBytes, commitBytes] = pair as unknown[];
      if (!(blockBytes instanceof Uint8Array) || !(commitBytes instanceof Uint8Array)) {
        throw new WireError('malformed');
      }
      return { type: 'decided', block: decodeBlock(blockBytes), commit: decodeCommit(commitBytes) };
    }
    case TAG_SYNC_REQUEST: {
      const fromHeight = decodeValue(payload);
      if (typeof fromHeight !== 'number' || !Number.isSafeInteger(fromHeight) || fromHeight < 1) {
        throw new WireError('malformed');
      }
      return { type: 'sync-request', fromHeight };
    }
    case TAG_TX:
      return { type: 'tx', tx: decodeTx(payload) };
    default:
      throw new WireError('unknown-tag');
  }
}
