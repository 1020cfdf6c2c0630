// Frames of the sync protocol (`/ledger/<chainId>/sync/1.0.0`), canonical CBOR maps.
//   client -> server  {t:'status', chainId, height, headHash, device?}   answered with the
//                     server's status; device = [device public key, its peer claim signature]
//   client -> server  {t:'range', from, to}                      at most SYNC_BATCH_BLOCKS_MAX
//   server -> client  {t:'block', height, block, commit} ... then {t:'end'}
//   either way        {t:'error', reason}                        then the stream closes
// A private ledger (`/ledger/<networkId>/sync/1.0.0`) seals every frame (LedgerCipher) and adds:
//   client -> server  `epoch` in status and range: the newest key epoch the client holds
//   server -> client  {t:'epoch-ahead', height}   instead of the first block, when that block is
//                                                 of a later key epoch than the client's
// The client asks for the next range once the previous one has arrived (at most
// SYNC_FETCH_AHEAD_BATCHES ahead of the batch it is verifying).
import { decode, encode } from 'cborg';
import { isChainId } from './envelope';
import type { DeviceClaim, EncodedBlock, SyncStatus } from './network';

export type SyncMessage =
  | ({ t: 'status'; epoch?: number } & SyncStatus)
  | { t: 'range'; from: number; to: number; epoch?: number }
  | ({ t: 'block' } & EncodedBlock)
  | { t: 'end' }
  | { t: 'epoch-ahead'; height: number }
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
  if (message.t === 'status' && message.device) {
    const { publicKey, signature } = message.device;
    return encode({ ...message, device: [publicKey, signature] });
  }
  return encode(message);
}

const DEVICE_KEY_BYTES = 32;
const DEVICE_SIGNATURE_BYTES = 64;

/** [public key, signature] at their exact lengths, or null. */
function deviceClaimOf(value: unknown): DeviceClaim | null {
  if (!Array.isArray(value) || value.length !== 2) return null;
  const [publicKey, signature] = value as unknown[];
  if (!(publicKey instanceof Uint8Array) || publicKey.byteLength !== DEVICE_KEY_BYTES) return null;
  if (!(signature instanceof Uint8Array) || signature.byteLength !== DEVICE_SIGNATURE_BYTES) {
    return null;
  }
  return { publicKey, signature };
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
  // A reader's key epoch (private ledgers only): one more key when present.
  const epoch = 'epoch' in m ? m.epoch : undefined;
  if (epoch !== undefined && !isHeight(epoch)) throw new SyncProtocolError('malformed: epoch');
  const withEpoch = epoch === undefined ? {} : { epoch };
  const epochKeys = epoch === undefined ? 0 : 1;
  switch (m.t) {
    case 'status': {
      const device = 'device' in m ? deviceClaimOf(m.device) : undefined;
      if (device === null) break;
      const deviceKeys = device === undefined ? 0 : 1;
      if (keys !== 4 + epochKeys + deviceKeys) break;
      if (!isChainId(m.chainId) || !isHeight(m.height)) break;
      if (!(m.headHash instanceof Uint8Array) || m.headHash.byteLength !== 32) break;
      return {
        t: 'status',
        chainId: m.chainId,
        height: m.height,
        headHash: m.headHash,
        ...withEpoch,
        ...(device ? { device } : {}),
      };
    }
    case 'range':
      if (keys !== 3 + epochKeys || !isHeight(m.from) || !isHeight(m.to)) break;
      return { t: 'range', from: m.from, to: m.to, ...withEpoch };
    case 'block':
      if (keys !== 4 || !isHeight(m.height)) break;
      if (!(m.block instanceof Uint8Array) || !(m.commit instanceof Uint8Array)) break;
      return { t: 'block', height: m.height, block: m.block, commit: m.commit };
    case 'end':
      if (keys !== 1) break;
      return { t: 'end' };
    case 'epoch-ahead':
      if (keys !== 2 || !isHeight(m.height)) break;
      return { t: 'epoch-ahead', height: m.height };
    case 'error':
      if (keys !== 2 || typeof m.reason !== 'string') break;
      return { t: 'error', reason: m.reason.slice(0, REASON_CHARS_MAX) };
  }
  throw new SyncProtocolError(`malformed: bad ${String(m.t)} frame`);
}
