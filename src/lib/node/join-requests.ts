// Join requests: other devices asking this ledger's validators to let them in (the table the
// approval UI shows). Requests are signed by the key they ask for (checked at the gossip edge).
// On a private ledger a device asks first to be a member (read and write); one that asks to be
// a validator is made a member first and then shown again for the validator step.
//
// Bounds: JOIN_REQUESTS_MAX requests in all, and JOIN_REQUESTS_PER_PEER_MAX from any one
// propagation peer (a peer flooding fresh keys evicts only its own requests, never a real one
// that came from elsewhere); beyond either, the oldest (of that peer) is dropped. Requests
// declined here are hidden (JOIN_DECLINED_MAX keys, in memory only: a reload shows them again
// if the device still asks; the oldest decline is forgotten first).

import { addressOf, bytesEqual, toHex } from '../core/hash';
import { isMember } from '../core/membership';
import type { JoinRole } from '../core/signing';
import type { LedgerState } from '../core/state';
import type { GovernanceProposal } from '../core/types';
import { findValidator } from '../core/validators';
import type { JoinRequest } from './api';
import { JOIN_DECLINED_MAX, JOIN_REQUESTS_MAX, JOIN_REQUESTS_PER_PEER_MAX } from './params';
import type { JoinRequestMessage } from './wire';

interface Entry {
  request: JoinRequestMessage;
  from: string;
  lastSeenMs: number;
}

/** What the device of `publicKey` holds now: nothing, membership, or a validator's power. */
function standingOf(state: LedgerState, publicKey: Uint8Array): JoinRole | null {
  const address = addressOf(publicKey);
  if (findValidator(state.validators, address)) return 'validator';
  return state.access && isMember(state.access, address) ? 'member' : null;
}

/** Whether the request asks for nothing the device does not hold already. */
function satisfied(state: LedgerState, request: JoinRequestMessage): boolean {
  const standing = standingOf(state, request.publicKey);
  return standing === 'validator' || (standing === 'member' && request.asks === 'member');
}

/** What approving the request does now: admit a member (private, not one yet), or add power. */
export function grantOf(state: LedgerState, publicKey: Uint8Array): JoinRole {
  return state.access !== null && standingOf(state, publicKey) === null ? 'member' : 'validator';
}

/** The open proposal approving would approve (of the kind it grants), if any. */
export function openProposalFor(
  state: LedgerState,
  publicKey: Uint8Array,
): GovernanceProposal | undefined {
  const kind = grantOf(state, publicKey) === 'member' ? 'member-add' : 'validator';
  return [...state.proposals.values()].find(
    (proposal) => proposal.kind === kind && bytesEqual(proposal.publicKey, publicKey),
  );
}

export class JoinRequests {
  readonly #entries = new Map<string, Entry>();
  /** Keys (hex) declined on this device, oldest first. */
  readonly #declined = new Set<string>();
  readonly #onChange: () => void;

  /** `onChange`: the table gained or lost a request. */
  constructor(onChange: () => void) {
    this.#onChange = onChange;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** A request arrived from peer `from` at `nowMs`; ignored if it asks for nothing new. */
  add(state: LedgerState, request: JoinRequestMessage, from: string, nowMs: number): void {
    if (satisfied(state, request)) return;
    const key = toHex(request.publicKey);
    if (this.#declined.has(key)) return;
    const previous = this.#entries.get(key)?.request;
    const isNew = previous === undefined;
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
    const changed =
      isNew ||
      previous.label !== request.label ||
      previous.asks !== request.asks ||
      previous.kind !== request.kind;
    if (changed) this.#onChange();
  }

  /** The signed request of `publicKey` (its proof of possession goes into the proposal). */
  request(publicKey: Uint8Array): JoinRequestMessage | undefined {
    return this.#entries.get(toHex(publicKey))?.request;
  }

  /** Hide the request of `publicKey` on this device (and any it sends later, while this runs). */
  decline(publicKey: Uint8Array): void {
    const key = toHex(publicKey);
    this.#declined.delete(key);
    this.#declined.add(key);
    if (this.#declined.size > JOIN_DECLINED_MAX) {
      const oldest = this.#declined.values().next().value;
      if (oldest !== undefined) this.#declined.delete(oldest);
    }
    if (this.#entries.delete(key)) this.#onChange();
  }

  /** After a commit: forget the requests whose devices hold what they asked for. */
  settle(state: LedgerState): void {
    const before = this.#entries.size;
    for (const [key, { request }] of this.#entries) {
      if (satisfied(state, request)) this.#entries.delete(key);
    }
    if (this.#entries.size !== before) this.#onChange();
  }

  /**
   * What approving each request would do, exactly: admit a member, or give voting power; the
   * open proposal it would approve (power, proposer, approvals so far) or the one it would make,
   * and for a validator the device's share of the voting power once the change applies.
   */
  views(state: LedgerState, self: string): JoinRequest[] {
    const strongest = Math.max(1, ...state.nextValidators.validators.map((v) => v.power));
    return [...this.#entries.values()].map(({ request, lastSeenMs }) => {
      const grants = grantOf(state, request.publicKey);
      const proposal = openProposalFor(state, request.publicKey);
      const approvedPower = (proposal?.approvals ?? []).reduce(
        (sum, address) => sum + (findValidator(state.validators, address)?.power ?? 0),
        0,
      );
      const power = grants === 'member' ? 0 : (proposal?.power ?? strongest);
      const totalAfter = state.nextValidators.totalPower + power;
      return {
        publicKey: toHex(request.publicKey),
        address: addressOf(request.publicKey),
        label: request.label,
        kind: request.kind,
        boxKey: request.boxKey ? toHex(request.boxKey) : null,
        asks: request.asks,
        member: standingOf(state, request.publicKey) !== null && state.access !== null,
        grants,
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
