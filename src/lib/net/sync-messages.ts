// Frames of the sync protocol (`/ledger/<chainId>/sync/1.0.0`), canonical CBOR maps.
//   client -> server  {t:'status', chainId, height, headHash}   server answers with its status
//   client -> server  {t:'range', from, to}                      at most SYNC_BATCH_BLOCKS_MAX
//   server -> client  {t:'block', height, block, commit} ... then {t:'end'}
//   either way        {t:'error', reason}                        then the stream closes
// The client asks for the next range once the previous one has arrived (at most
// SYNC_FETCH_AHEAD_BATCHES ahead of the batch it is verifying).
import { decode, encode } from 'cborg';
import { isChainId } from './envelope';
import type { EncodedBlock, SyncStatus } from './network';

export type SyncMessage =
  | ({ t: 'status' } & SyncStatus)
  | { t: 'range'; from: number; to: number }
  | ({ t: 'block' } & EncodedBlock)
  | { t: 'end' }
  | { t: 'error'; reason: string };

export class SyncProtocolError extends Error {
  override readonly name = 'SyncProtocolError';
  /**
   * `misbehaved`: no honest implementation sends this (malformed frames, blocks nobody asked
   * for, batches beyond the caps); the peer is penalised for it. Otherwise (the stream ended,
   * the peer refused the request) it may be an accident and the peer is only skipped.
   */
  constructor(
    readonly reason: string,
    readonly misbehaved = true,
  ) {
    super(reason);
  }
}

export function encodeSyncMessage(message: SyncMessage): Uint8Array {
  return encode(message);
}

const REASON_CHARS_MAX = 200;

function isHeight(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

export function decodeSyncMessage(bytes: Uint8Array): SyncMessage {
  let value: unknown;
  try {
    value = decode(bytes, { strict: true, rejectDuplicateMapKeys: true, useMaps: false });
  } catch (error) {
    throw new SyncProtocolError(`malformed: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SyncProtocolError('malformed: not a map');
  }
  const m = value as Record<string, unknown>;
  const keys = Object.keys(m).length;
  switch (m.t) {
    case 'status':
      if (keys !== 4 || !isChainId(m.chainId) || !isHeight(m.height)) break;
      if (!(m.headHash instanceof Uint8Array) || m.headHash.byteLength !== 32) break;
      return { t: 'status', chainId: m.chainId, height: m.height, headHash: m.headHash };
    case 'range':
      if (keys !== 3 || !isHeight(m.from) || !isHeight(m.to)) break;
      return { t: 'range', from: m.from, to: m.to };
    case 'block':
      if (keys !== 4 || !isHeight(m.height)) break;
      if (!(m.block instanceof Uint8Array) || !(m.commit instanceof Uint8Array)) break;
      return { t: 'block', height: m.height, block: m.block, commit: m.commit };
    case 'end':
      if (keys !== 1) break;
      return { t: 'end' };
    case 'error':
      if (keys !== 2 || typeof m.reason !== 'string') break;
      return { t: 'error', reason: m.reason.slice(0, REASON_CHARS_MAX) };
  }
  throw new SyncProtocolError(`malformed: bad ${String(m.t)} frame`);
}
