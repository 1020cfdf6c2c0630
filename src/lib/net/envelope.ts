// The one versioned envelope every gossip message travels in: a canonical CBOR array
// [version, type, chainId, payload]. The payload is the core's canonical encoding of the
// message (a tx, a vote...); the envelope only says what it is and which ledger it belongs to.
import { decode, encode } from 'cborg';
import { ENVELOPE_VERSION, GOSSIP_MESSAGE_BYTES_MAX, PAYLOAD_BYTES_MAX } from './limits';
import { isMessageType, type MessageType } from './message-types';

export interface Envelope {
  version: number;
  type: MessageType;
  chainId: string;
  payload: Uint8Array;
}

export type EnvelopeErrorReason =
  'too-large' | 'malformed' | 'bad-version' | 'unknown-type' | 'bad-chain-id' | 'payload-too-large';

export class EnvelopeError extends Error {
  override readonly name = 'EnvelopeError';
  constructor(
    readonly reason: EnvelopeErrorReason,
    detail?: string,
  ) {
    super(detail ? `${reason}: ${detail}` : reason);
  }
}

const CHAIN_ID_PATTERN = /^[0-9a-f]{64}$/;

export function isChainId(value: unknown): value is string {
  return typeof value === 'string' && CHAIN_ID_PATTERN.test(value);
}

export function encodeEnvelope(
  type: MessageType,
  chainId: string,
  payload: Uint8Array,
): Uint8Array {
  if (!isChainId(chainId)) throw new EnvelopeError('bad-chain-id', 'not 64 lowercase hex chars');
  if (payload.byteLength > PAYLOAD_BYTES_MAX[type]) {
    throw new EnvelopeError('payload-too-large', `${type} ${payload.byteLength} bytes`);
  }
  return encode([ENVELOPE_VERSION, type, chainId, payload]);
}

/** Strict decode: canonical CBOR, exact shape, known type, payload within its type's limit. */
export function decodeEnvelope(bytes: Uint8Array): Envelope {
  let value: unknown;
  // Check the biggest possible envelope before decoding anything.
  if (bytes.byteLength > GOSSIP_MESSAGE_BYTES_MAX)
    throw new EnvelopeError('too-large', `${bytes.byteLength} bytes`);
  try {
    value = decode(bytes, { strict: true, rejectDuplicateMapKeys: true, useMaps: false });
  } catch (error) {
    throw new EnvelopeError('malformed', (error as Error).message);
  }
  if (!Array.isArray(value) || value.length !== 4) throw new EnvelopeError('malformed', 'shape');
  const [version, type, chainId, payload] = value as unknown[];
  if (version !== ENVELOPE_VERSION) throw new EnvelopeError('bad-version', String(version));
  if (!isMessageType(type)) throw new EnvelopeError('unknown-type', String(type));
  if (!isChainId(chainId)) throw new EnvelopeError('bad-chain-id');
  if (!(payload instanceof Uint8Array)) throw new EnvelopeError('malformed', 'payload');
  if (payload.byteLength > PAYLOAD_BYTES_MAX[type]) {
    throw new EnvelopeError('payload-too-large', `${type} ${payload.byteLength} bytes`);
  }
  return { version, type, chainId, payload };
}
