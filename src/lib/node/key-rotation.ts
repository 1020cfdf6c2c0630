// Key rotation on a private ledger's validators: once the chain decides a removal (a member in
// access.leaving), a validator that holds the current key makes the next epoch's key, seals it
// to every member that stays and sends the epoch-rotate that makes the removal final
// (docs/protocol.md §9). Validators take turns in address order, ROTATION_STAGGER_MS apart, so
// one rotation normally lands and a faulty or absent validator only delays it.

import { epochKeyHash, remainingMembers } from '../core/membership';
import type { LedgerState } from '../core/state';
import type { EpochRotateBody, PrivateAccess } from '../core/types';
import { newEpochKey, sealKey, wrapPreviousKey } from '../crypto/box';
import type { Timers } from './clock';
import type { Keyring } from './keyring';
import { NodeStoppedError, TxRejectedError } from './outbox';
import { ROTATION_STAGGER_MS } from './params';

/** The rotation to the next epoch, or null if this device lacks the current epoch's key. */
export async function makeRotation(
  access: PrivateAccess,
  keyring: Keyring,
  chainId: string,
  newKey: () => Uint8Array = newEpochKey,
): Promise<EpochRotateBody | null> {
  const current = keyring.newestKey();
  if (!current || current.epoch !== access.epoch) return null;
  const epoch = access.epoch + 1;
  const key = newKey();
  const sealed = await Promise.all(
    remainingMembers(access).map((member) =>
      sealKey(member.boxKey, key, { chainId, epoch, member: member.address }),
    ),
  );
  return {
    epoch,
    keyHash: epochKeyHash(epoch, key),
    sealed,
    wrappedPrevious: await wrapPreviousKey(key, current.key, chainId, epoch),
  };
}

export interface KeyRotationComponents {
  state(): LedgerState;
  keyring(): Keyring | null;
  address: string;
  timers: Timers;
  /** Sign and send the rotation (the outbox: durable, resubmitted, checked before signing). */
  submit(body: EpochRotateBody): Promise<unknown>;
  problem(code: string, message: string): void;
}

export class KeyRotation {
  readonly #c: KeyRotationComponents;
  /** The epoch this node has a rotation scheduled or sent for. */
  #epoch: number | null = null;
  #cancel: (() => void) | null = null;

  constructor(components: KeyRotationComponents) {
    this.#c = components;
  }

  /** After each commit: schedule this validator's turn if a removal waits for its rotation. */
  check(): void {
    const state = this.#c.state();
    const access = state.access;
    if (!access || access.leaving.length === 0) return this.stop();
    const target = access.epoch + 1;
    if (this.#epoch === target) return;
    const rank = state.validators.validators
      .map((validator) => validator.address)
      .sort()
      .indexOf(this.#c.address);
    if (rank < 0 || !this.#c.keyring()) return;
    this.stop();
    this.#epoch = target;
    this.#cancel = this.#c.timers.after(rank * ROTATION_STAGGER_MS, () => {
      this.#cancel = null;
      void this.#rotate(target);
    });
  }

  stop(): void {
    this.#cancel?.();
    this.#cancel = null;
    this.#epoch = null;
  }

  async #rotate(target: number): Promise<void> {
    const access = this.#c.state().access;
    const keyring = this.#c.keyring();
    // Another validator's rotation landed meanwhile: nothing left to do.
    if (!access || access.leaving.length === 0 || access.epoch + 1 !== target || !keyring) return;
    try {
      const body = await makeRotation(access, keyring, this.#c.state().chainId);
      if (!body) {
        this.#c.problem('rotation-key-missing', `no key of epoch ${access.epoch} to rotate from`);
        return;
      }
      await this.#c.submit(body);
    } catch (error) {
      // A refusal (another rotation came first) or a stopped node: the next commit checks again.
      this.#epoch = null;
      if (!(error instanceof TxRejectedError) && !(error instanceof NodeStoppedError))
        this.#c.problem('rotation-failed', (error as Error).message);
    }
  }
}
