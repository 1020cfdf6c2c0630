// Exactly one tab per browser profile acts as the device's validator for a ledger: the holder of
// a Web Lock named after the chain. Other tabs wait in the lock's queue; when the holder's tab
// closes (or crashes), the browser releases the lock and the next tab takes over. Double-signing
// across the hand-over is prevented by the persisted signer state, not by the lock.

export interface ValidatorLock {
  /** Whether this tab holds the role now. */
  readonly held: boolean;
  release(): void;
}

export function requestValidatorLock(chainId: string, onAcquired: () => void): ValidatorLock {
  let held = false;
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  if (!locks) {
    // No Web Locks (very old browsers): a single tab is assumed.
    held = true;
    queueMicrotask(onAcquired);
  } else {
    void locks
      .request(`ledger-validator-${chainId}`, async () => {
        held = true;
        onAcquired();
        await released;
        held = false;
      })
      .catch(() => undefined);
  }
  return {
    get held() {
      return held;
    },
    release: () => release(),
  };
}
