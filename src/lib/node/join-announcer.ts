// This device's own join request, signed by its key: gossiped at once and again every
// JOIN_REPEAT_MS until the device is a validator, so validators that connect later (or missed
// it) still see it.

import { addressOf } from '../core/hash';
import type { LedgerState } from '../core/state';
import { findValidator } from '../core/validators';
import type { MessageType } from '../net/message-types';
import type { Timers } from './clock';
import { JOIN_REPEAT_MS } from './params';
import { encodeJoinRequest, type JoinRequestMessage } from './wire';
import { joinSignBytes, possessionSignBytes, type DeviceKind, type Signer } from '../core/signing';

export interface JoinAnnouncerComponents {
  state(): LedgerState;
  signer: Signer;
  /** What this device is, signed into the request (validators see it next to the label). */
  kind: DeviceKind;
  timers: Timers;
  publish(type: MessageType, payload: Uint8Array): Promise<void>;
  postToTabs(type: MessageType, payload: Uint8Array): void;
}

export class JoinAnnouncer {
  readonly #c: JoinAnnouncerComponents;
  #label: string | null = null;
  #cancel: (() => void) | null = null;
  /** The request as last signed (signed again only when the label changes). */
  #signed: { label: string; request: JoinRequestMessage } | null = null;

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

  async #sign(chainId: string, label: string) {
    const { signer, kind } = this.#c;
    const [possession, signature] = await Promise.all([
      signer.sign(possessionSignBytes(chainId, signer.publicKey)),
      signer.sign(joinSignBytes(chainId, signer.publicKey, label, kind)),
    ]);
    return { label, request: { publicKey: signer.publicKey, label, kind, possession, signature } };
  }

  async #announce(): Promise<void> {
    this.#cancel?.();
    this.#cancel = null;
    if (this.#label === null) return;
    const { signer } = this.#c;
    const { chainId, validators } = this.#c.state();
    if (findValidator(validators, addressOf(signer.publicKey))) {
      this.#label = null;
      return;
    }
    const label = this.#label;
    this.#signed ??= await this.#sign(chainId, label);
    if (this.#signed.label !== label) this.#signed = await this.#sign(chainId, label);
    const payload = encodeJoinRequest(this.#signed.request);
    this.#c.postToTabs('join', payload);
    this.#cancel = this.#c.timers.after(JOIN_REPEAT_MS, () => void this.#announce());
    await this.#c.publish('join', payload);
  }
}
