// Which device each connected peer is, for the peer list's names. A peer's sync status may carry
// a device claim: its device key and that key's signature over (chain id, the peer's own libp2p
// id) (core/signing.ts, peerClaimSignBytes). The network has already authenticated the peer id
// (noise), so a claim that verifies binds the peer to that device; a claim copied from another
// peer was made for another id and does not verify. Each distinct claim is verified once; the
// table is bounded and a peer is dropped when it disconnects.
import { addressOf } from '../core/hash';
import { peerClaimSignBytes, type Signer, type Verifier } from '../core/signing';
import type { DeviceClaim, PeerEvent } from '../net/network';

/** Peers remembered at most (beyond the connection limit; the oldest entry goes first). */
export const PEER_DEVICES_MAX = 256;

export interface PeerDevicesComponents {
  chainId: string;
  verifier: Verifier;
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
    if (event.type === 'disconnected') return this.#known.delete(event.peerId);
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
    const bytes = peerClaimSignBytes(this.#c.chainId, peerId);
    const valid = await this.#c.verifier.verify(claim.publicKey, bytes, claim.signature);
    if (!valid) return this.#known.delete(peerId);
    this.#known.delete(peerId);
    if (this.#known.size >= PEER_DEVICES_MAX) {
      const oldest = this.#known.keys().next().value;
      if (oldest !== undefined) this.#known.delete(oldest);
    }
    this.#known.set(peerId, { claim, address: addressOf(claim.publicKey) });
    return true;
  }
}
