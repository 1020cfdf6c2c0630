// This device's own join request: gossiped at once and again every JOIN_REPEAT_MS until the
// device is a validator, so validators that connect later (or missed it) still see it.

import { addressOf } from '../core/hash';
import type { LedgerState } from '../core/state';
import { findValidator } from '../core/validators';
import type { MessageType } from '../net/message-types';
import type { Timers } from './clock';
import { JOIN_REPEAT_MS } from './params';
import { encodeJoinRequest } from './wire';

export interface JoinAnnouncerComponents {
  state(): LedgerState;
  publicKey: Uint8Array;
  timers: Timers;
  publish(type: MessageType, payload: Uint8Array): Promise<void>;
  postToTabs(type: MessageType, payload: Uint8Array): void;
}

export class JoinAnnouncer {
  readonly #c: JoinAnnouncerComponents;
  #label: string | null = null;
  #cancel: (() => void) | null = null;

  constructor(components: JoinAnnouncerComponents) {
    this.#c = components;
  }

  /** Ask to join under `label` (a later call replaces the label). */
  async request(label: string): Promise<void> {
    this.#label = label;
    await this.#announce();
  }

  stop(): void {
    this.#cancel?.();
    this.#cancel = null;
    this.#label = null;
  }

  async #announce(): Promise<void> {
    this.#cancel?.();
    this.#cancel = null;
    if (this.#label === null) return;
    if (findValidator(this.#c.state().validators, addressOf(this.#c.publicKey))) {
      this.#label = null;
      return;
    }
    const payload = encodeJoinRequest({ publicKey: this.#c.publicKey, label: this.#label });
    this.#c.postToTabs('join', payload);
    this.#cancel = this.#c.timers.after(JOIN_REPEAT_MS, () => void this.#announce());
    await this.#c.publish('join', payload);
  }
}
