// Join requests: other devices asking this ledger's validators to add them (the table the
// approval UI shows). Requests are signed by the key they ask for (checked at the gossip edge).
//
// Bounds: JOIN_REQUESTS_MAX requests in all, and JOIN_REQUESTS_PER_PEER_MAX from any one
// propagation peer (a peer flooding fresh keys evicts only its own requests, never a real one
// that came from elsewhere); beyond either, the oldest (of that peer) is dropped.

import { addressOf, bytesEqual, toHex } from '../core/hash';
import type { LedgerState } from '../core/state';
import { findValidator } from '../core/validators';
import type { JoinRequest } from './api';
import { JOIN_REQUESTS_MAX, JOIN_REQUESTS_PER_PEER_MAX } from './params';
import type { JoinRequestMessage } from './wire';

interface Entry {
  request: JoinRequestMessage;
  from: string;
  lastSeenMs: number;
}

export class JoinRequests {
  readonly #entries = new Map<string, Entry>();
  readonly #onChange: () => void;

  /** `onChange`: the table gained or lost a request. */
  constructor(onChange: () => void) {
    this.#onChange = onChange;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** A request arrived from peer `from` at `nowMs`; ignored if the device is a validator. */
  add(state: LedgerState, request: JoinRequestMessage, from: string, nowMs: number): void {
    if (findValidator(state.validators, addressOf(request.publicKey))) return;
    const key = toHex(request.publicKey);
    const isNew = !this.#entries.has(key);
    this.#entries.delete(key);
    if (isNew) {
      const fromPeer = [...this.#entries].filter(([, entry]) => entry.from === from);
      if (fromPeer.length >= JOIN_REQUESTS_PER_PEER_MAX) {
        this.#entries.delete((fromPeer[0] as [string, Entry])[0]);
      } else if (this.#entries.size >= JOIN_REQUESTS_MAX) {
        const oldest = this.#entries.keys().next().value;
        if (oldest !== undefined) this.#entries.delete(oldest);
      }
    }
    this.#entries.set(key, { request, from, lastSeenMs: nowMs });
    if (isNew) this.#onChange();
  }

  /** The signed request of `publicKey` (its proof of possession goes into the proposal). */
  request(publicKey: Uint8Array): JoinRequestMessage | undefined {
    return this.#entries.get(toHex(publicKey))?.request;
  }

  /** After a commit: forget the requests of devices that are validators now. */
  settle(state: LedgerState): void {
    const before = this.#entries.size;
    for (const [key, { request }] of this.#entries) {
      if (findValidator(state.validators, addressOf(request.publicKey))) this.#entries.delete(key);
    }
    if (this.#entries.size !== before) this.#onChange();
  }

  /**
   * What approving each request would do, exactly: the open proposal it would approve (power,
   * proposer, approvals so far) or the proposal it would make, and the device's share of the
   * voting power once the change applies.
   */
  views(state: LedgerState, self: string): JoinRequest[] {
    const proposals = [...state.proposals.values()];
    const strongest = Math.max(1, ...state.nextValidators.validators.map((v) => v.power));
    return [...this.#entries.values()].map(({ request, lastSeenMs }) => {
      const proposal = proposals.find((p) => bytesEqual(p.publicKey, request.publicKey));
      const approvedPower = (proposal?.approvals ?? []).reduce(
        (sum, address) => sum + (findValidator(state.validators, address)?.power ?? 0),
        0,
      );
      const power = proposal?.power ?? strongest;
      const totalAfter = state.nextValidators.totalPower + power;
      return {
        publicKey: toHex(request.publicKey),
        address: addressOf(request.publicKey),
        label: request.label,
        kind: request.kind,
        lastSeenMs,
        proposalId: proposal ? toHex(proposal.id) : null,
        proposer: proposal?.proposer ?? null,
        power,
        shareAfter: power / totalAfter,
        approvedPower,
        totalPower: state.validators.totalPower,
        approvedByMe: proposal?.approvals.includes(self) ?? false,
      };
    });
  }
}
