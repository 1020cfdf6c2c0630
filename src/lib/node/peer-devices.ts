// Which device each connected peer is, for the peer list's names. A peer's sync status may carry
// a device claim: its device key and that key's signature over (chain id, the peer's own libp2p
// id) (core/signing.ts, peerClaimSignBytes). The network has already authenticated the peer id
// (noise), so a claim that verifies binds the peer to that device; a claim copied from another
// peer was made for another id and does not verify. Each distinct claim is verified once (an
// honest peer always sends the same one: Ed25519 signatures are deterministic), and a peer's new
// claims at most once per PEER_CLAIM_RETRY_MS, so a peer flooding statuses with fresh claims
// costs one verification per interval; the tables are bounded and a peer is dropped when it
// disconnects.
import { addressOf } from '../core/hash';
import { peerClaimSignBytes, type Signer, type Verifier } from '../core/signing';
import type { DeviceClaim, PeerEvent } from '../net/network';

/** Peers remembered at most (beyond the connection limit; the oldest entry goes first). */
export const PEER_DEVICES_MAX = 256;
/** A peer's next new claim is verified no sooner than this after its last one. */
export const PEER_CLAIM_RETRY_MS = 10_000;

export interface PeerDevicesComponents {
  chainId: string;
  verifier: Verifier;
  nowMs(): number;
}

/** Sets `key` as the newest entry of `map`, dropping the oldest beyond PEER_DEVICES_MAX. */
function setBounded<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  if (map.size >= PEER_DEVICES_MAX) {
    const oldest = map.keys().next().value;
    if (oldest !== undefined) map.delete(oldest);
  }
  map.set(key, value);
}

/** This device's claim to be the network peer `peerId`. */
export async function deviceClaim(
  signer: Signer,
  chainId: string,
  peerId: string,
): Promise<DeviceClaim> {
  const signature = await signer.sign(peerClaimSignBytes(chainId, peerId));
  return { publicKey: signer.publicKey, signature };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

export class PeerDevices {
  readonly #c: PeerDevicesComponents;
  /** Peer id -> its verified claim and the device address it names. */
  readonly #known = new Map<string, { claim: DeviceClaim; address: string }>();
  /** Peer id -> when its last claim was verified (ms). */
  readonly #checkedAtMs = new Map<string, number>();

  constructor(components: PeerDevicesComponents) {
    this.#c = components;
  }

  /** The device address `peerId` proved to be, or null. */
  addressOf(peerId: string): string | null {
    return this.#known.get(peerId)?.address ?? null;
  }

  /**
   * Follows the network's peer events: statuses with claims, and disconnections. Resolves with
   * whether a peer's device changed (a new claim verified, or one dropped).
   */
  async onPeerEvent(event: PeerEvent): Promise<boolean> {
    if (event.type === 'disconnected') {
      this.#checkedAtMs.delete(event.peerId);
      return this.#known.delete(event.peerId);
    }
    if (event.type !== 'status' || !event.status.device) return false;
    const { peerId } = event;
    const claim = event.status.device;
    const known = this.#known.get(peerId);
    if (
      known &&
      sameBytes(known.claim.publicKey, claim.publicKey) &&
      sameBytes(known.claim.signature, claim.signature)
    ) {
      return false;
    }
    const nowMs = this.#c.nowMs();
    const checkedAtMs = this.#checkedAtMs.get(peerId);
    if (checkedAtMs !== undefined && nowMs - checkedAtMs < PEER_CLAIM_RETRY_MS) return false;
    setBounded(this.#checkedAtMs, peerId, nowMs);
    const bytes = peerClaimSignBytes(this.#c.chainId, peerId);
    const valid = await this.#c.verifier.verify(claim.publicKey, bytes, claim.signature);
    if (!valid) return this.#known.delete(peerId);
    setBounded(this.#known, peerId, { claim, address: addressOf(claim.publicKey) });
    return true;
  }
}
