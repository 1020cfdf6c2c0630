// This device's own join request, signed by its key: gossiped at once and again every
// JOIN_REPEAT_MS until the device holds what it asked for (membership of a private ledger, or a
// validator's power), so validators that connect later (or missed it) still see it. It carries
// the device's X25519 key, to which a private ledger seals its keys once the device is a member.

import { addressOf } from '../core/hash';
import { isMember } from '../core/membership';
import type { LedgerState } from '../core/state';
import { findValidator } from '../core/validators';
import type { MessageType } from '../net/message-types';
import type { Timers } from './clock';
import { JOIN_REPEAT_MS } from './params';
import { encodeJoinRequest, type JoinRequestMessage } from './wire';
import {
  joinSignBytes,
  possessionSignBytes,
  type DeviceKind,
  type JoinRole,
  type Signer,
} from '../core/signing';

/** This device cannot ask to join this ledger; the message is a sentence. */
export class JoinUnavailableError extends Error {
  override readonly name = 'JoinUnavailableError';
}

export interface JoinAnnouncerComponents {
  state(): LedgerState;
  signer: Signer;
  /** What this device is, signed into the request (validators see it next to the label). */
  kind: DeviceKind;
  /** This device's X25519 public key (null: none, so it cannot become a private ledger's member). */
  boxKey: Uint8Array | null;
  timers: Timers;
  publish(type: MessageType, payload: Uint8Array): Promise<void>;
  postToTabs(type: MessageType, payload: Uint8Array): void;
}

export class JoinAnnouncer {
  readonly #c: JoinAnnouncerComponents;
  #ask: { label: string; role: JoinRole } | null = null;
  #cancel: (() => void) | null = null;
  /** The request as last signed (signed again only when the label or the role changes). */
  #signed: JoinRequestMessage | null = null;

  constructor(components: JoinAnnouncerComponents) {
    this.#c = components;
  }

  /**
   * Ask to join under `label` (a later call replaces it). `role`: what to ask for; default
   * 'member' on a private ledger; a public ledger has no members, so there it is 'validator'.
   */
  async request(label: string, role?: JoinRole): Promise<void> {
    const isPrivate = this.#c.state().access !== null;
    if (isPrivate && this.#c.boxKey === null) {
      throw new JoinUnavailableError(
        'This device has no key to receive the ledger key with, so it cannot ask to join.',
      );
    }
    this.#ask = { label, role: isPrivate ? (role ?? 'member') : 'validator' };
    await this.#announce();
  }

  stop(): void {
    this.#cancel?.();
    this.#cancel = null;
    this.#ask = null;
  }

  async #sign(chainId: string, label: string, asks: JoinRole): Promise<JoinRequestMessage> {
    const { signer, kind, boxKey } = this.#c;
    const [possession, signature] = await Promise.all([
      signer.sign(possessionSignBytes(chainId, signer.publicKey)),
      signer.sign(joinSignBytes(chainId, signer.publicKey, label, kind, boxKey, asks)),
    ]);
    return { publicKey: signer.publicKey, label, kind, boxKey, asks, possession, signature };
  }

  /** Whether this device holds what it asks for. */
  #granted(state: LedgerState, role: JoinRole): boolean {
    const address = addressOf(this.#c.signer.publicKey);
    if (findValidator(state.validators, address)) return true;
    return role === 'member' && state.access !== null && isMember(state.access, address);
  }

  async #announce(): Promise<void> {
    this.#cancel?.();
    this.#cancel = null;
    const ask = this.#ask;
    if (ask === null) return;
    const state = this.#c.state();
    if (this.#granted(state, ask.role)) {
      this.#ask = null;
      return;
    }
    if (this.#signed?.label !== ask.label || this.#signed.asks !== ask.role) {
      this.#signed = await this.#sign(state.chainId, ask.label, ask.role);
    }
    const payload = encodeJoinRequest(this.#signed);
    this.#c.postToTabs('join', payload);
    this.#cancel = this.#c.timers.after(JOIN_REPEAT_MS, () => void this.#announce());
    await this.#c.publish('join', payload);
  }
}
