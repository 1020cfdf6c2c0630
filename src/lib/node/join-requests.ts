// Join requests: other devices asking this ledger's validators to add them (a table the
// Devices page shows), and this device's own request (re-gossiped until it is a validator).
//
// Bound: JOIN_REQUESTS_MAX requests; beyond it the oldest is dropped.

import { addressOf, toHex } from '../core/hash';
import type { LedgerState } from '../core/state';
import { findValidator } from '../core/validators';
import type { JoinRequest } from './api';
import { JOIN_REQUESTS_MAX } from './params';
import { joinRequestViews } from './queries';
import type { JoinRequestMessage } from './wire';

export class JoinRequests {
  readonly #requests = new Map<string, JoinRequestMessage>();
  readonly #onChange: () => void;

  /** `onChange`: the table gained or lost a request. */
  constructor(onChange: () => void) {
    this.#onChange = onChange;
  }

  get size(): number {
    return this.#requests.size;
  }

  /** A request arrived; ignored if the device is a validator already. */
  add(state: LedgerState, request: JoinRequestMessage): void {
    if (findValidator(state.validators, addressOf(request.publicKey))) return;
    const key = toHex(request.publicKey);
    const isNew = !this.#requests.has(key);
    if (isNew && this.#requests.size >= JOIN_REQUESTS_MAX) {
      const oldest = this.#requests.keys().next().value;
      if (oldest !== undefined) this.#requests.delete(oldest);
    }
    this.#requests.set(key, request);
    if (isNew) this.#onChange();
  }

  /** After a commit: forget the requests of devices that are validators now. */
  settle(state: LedgerState): void {
    const before = this.#requests.size;
    for (const [key, request] of this.#requests) {
      if (findValidator(state.validators, addressOf(request.publicKey))) {
        this.#requests.delete(key);
      }
    }
    if (this.#requests.size !== before) this.#onChange();
  }

  views(state: LedgerState, self: string): JoinRequest[] {
    return joinRequestViews(state, this.#requests.values(), self);
  }
}
