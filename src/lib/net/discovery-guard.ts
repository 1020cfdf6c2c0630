// The discovery topic's gossip validator, on nodes and on relays. A peer announcement
// (pubsub-peer-discovery's `Peer {publicKey, addrs}`) is accepted only if it is small, well
// formed, names at most DISCOVERY_ADDRESSES_MAX parseable multiaddrs, and announces the key
// that signed the gossip message: nobody can announce addresses for someone else's peer id.
// Each author may announce at most DISCOVERY_AUTHOR_RATE; a relay also limits what it forwards
// per propagation source (DISCOVERY_SOURCE_RATE). Beyond a rate the message is ignored (not
// forwarded, no score penalty: an honest tab's burst must not cost it its standing); anything
// malformed or forged is rejected (it lowers the sender's gossipsub score).
import { publicKeyFromProtobuf } from '@libp2p/crypto/keys';
import type { Message } from '@libp2p/interface';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import { bytesEqual } from '../core/bytes';
import {
  DISCOVERY_ADDRESSES_MAX,
  DISCOVERY_ANNOUNCEMENT_BYTES_MAX,
  DISCOVERY_AUTHOR_RATE,
  DISCOVERY_RATE_KEYS_MAX,
} from './limits';
import type { Verdict } from './network';
import { KeyedRateLimiter, type RateLimit } from './rate-limit';

export interface Announcement {
  /** The announced peer's public key, protobuf-encoded (as libp2p encodes keys). */
  publicKey: Uint8Array;
  addresses: Multiaddr[];
}

export class AnnouncementError extends Error {
  override readonly name = 'AnnouncementError';
}

/** Reads one unsigned LEB128 varint at `offset`: [value, next offset]. */
function readVarint(bytes: Uint8Array, offset: number): [number, number] {
  let value = 0;
  let multiplier = 1;
  for (let i = offset; i < bytes.byteLength && i < offset + 5; i += 1) {
    const byte = bytes[i] as number;
    value += (byte & 0x7f) * multiplier;
    if ((byte & 0x80) === 0) return [value, i + 1];
    multiplier *= 128;
  }
  throw new AnnouncementError('bad varint');
}

function writeVarint(value: number, out: number[]): void {
  let rest = value;
  do {
    let byte = rest & 0x7f;
    rest = Math.floor(rest / 128);
    if (rest > 0) byte |= 0x80;
    out.push(byte);
  } while (rest > 0);
}

/**
 * Decodes an announcement strictly: field 1 (public key) exactly once, field 2 (address) at
 * most DISCOVERY_ADDRESSES_MAX times, both length-delimited; nothing else.
 */
export function decodeAnnouncement(bytes: Uint8Array): Announcement {
  let publicKey: Uint8Array | null = null;
  const addresses: Multiaddr[] = [];
  let offset = 0;
  while (offset < bytes.byteLength) {
    const [tag, afterTag] = readVarint(bytes, offset);
    if ((tag & 7) !== 2) throw new AnnouncementError(`field ${tag >>> 3} is not bytes`);
    const [length, start] = readVarint(bytes, afterTag);
    const end = start + length;
    if (end > bytes.byteLength) throw new AnnouncementError('truncated');
    const value = bytes.subarray(start, end);
    if (tag >>> 3 === 1) {
      if (publicKey !== null) throw new AnnouncementError('two public keys');
      publicKey = value;
    } else if (tag >>> 3 === 2) {
      if (addresses.length >= DISCOVERY_ADDRESSES_MAX) {
        throw new AnnouncementError('too many addresses');
      }
      try {
        addresses.push(multiaddr(value));
      } catch {
        throw new AnnouncementError('bad address');
      }
    } else {
      throw new AnnouncementError(`unknown field ${tag >>> 3}`);
    }
    offset = end;
  }
  if (publicKey === null) throw new AnnouncementError('no public key');
  return { publicKey, addresses };
}

/** The encoding pubsub-peer-discovery publishes (for tests that forge announcements). */
export function encodeAnnouncement({ publicKey, addresses }: Announcement): Uint8Array {
  const out: number[] = [];
  const field = (number: number, value: Uint8Array) => {
    writeVarint((number << 3) | 2, out);
    writeVarint(value.byteLength, out);
    for (const byte of value) out.push(byte);
  };
  field(1, publicKey);
  for (const address of addresses) field(2, address.bytes);
  return Uint8Array.from(out);
}

export interface DiscoveryGuardOptions {
  /** Per propagation source (a relay's limit on what it forwards); none if absent. */
  sourceRate?: RateLimit;
  authorRate?: RateLimit;
  nowMs?: () => number;
}

/** Checks discovery messages; one per node or relay (it holds the rate tables). */
export class DiscoveryGuard {
  private readonly authors: KeyedRateLimiter;
  private readonly sources: KeyedRateLimiter | null;

  constructor(options: DiscoveryGuardOptions = {}) {
    const nowMs = options.nowMs ?? Date.now;
    this.authors = new KeyedRateLimiter(
      options.authorRate ?? DISCOVERY_AUTHOR_RATE,
      DISCOVERY_RATE_KEYS_MAX,
      nowMs,
    );
    this.sources = options.sourceRate
      ? new KeyedRateLimiter(options.sourceRate, DISCOVERY_RATE_KEYS_MAX, nowMs)
      : null;
  }

  check(propagationSource: string, message: Message): Verdict {
    if (message.type !== 'signed') return { result: 'reject', reason: 'discovery-unsigned' };
    if (message.data.byteLength > DISCOVERY_ANNOUNCEMENT_BYTES_MAX) {
      return { result: 'reject', reason: 'discovery-too-large' };
    }
    let announcement: Announcement;
    try {
      announcement = decodeAnnouncement(message.data);
    } catch {
      return { result: 'reject', reason: 'discovery-malformed' };
    }
    let announced: Uint8Array;
    try {
      announced = publicKeyFromProtobuf(announcement.publicKey).toMultihash().bytes;
    } catch {
      return { result: 'reject', reason: 'discovery-malformed' };
    }
    // The announced peer must be the author who signed the message.
    if (!bytesEqual(announced, message.from.toMultihash().bytes)) {
      return { result: 'reject', reason: 'discovery-forged-sender' };
    }
    if (this.sources && !this.sources.take(propagationSource)) {
      return { result: 'ignore', reason: 'discovery-source-rate' };
    }
    if (!this.authors.take(message.from.toString())) {
      return { result: 'ignore', reason: 'discovery-author-rate' };
    }
    return { result: 'accept' };
  }
}
