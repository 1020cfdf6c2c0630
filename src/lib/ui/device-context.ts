// How the UI gets its node: one Device per tab, loaded lazily; the Device hands out one started
// LedgerNode per ledger. The node module pulls in libp2p (~550 kB), so it is a dynamic import:
// the shell paints first, then the node arrives.
import type { Device, LedgerNode } from '$lib/node/api';

declare global {
  interface Window {
    /**
     * Test and embedding hook: when set before the app boots (e.g. by Playwright's
     * `page.addInitScript`, or by a host page embedding the app), the UI uses this Device
     * instead of importing the real node. Never set by the app itself.
     */
    __ledgerDeviceOverride?: Device | Promise<Device>;
  }
}

let devicePromise: Promise<Device> | null = null;

export function loadDevice(): Promise<Device> {
  if (devicePromise) return devicePromise;
  const override = typeof window === 'undefined' ? undefined : window.__ledgerDeviceOverride;
  devicePromise = override
    ? Promise.resolve(override)
    : import('$lib/node/device').then((module) => module.openDevice());
  // A failed load (e.g. storage blocked) must be retryable, not cached forever.
  devicePromise.catch(() => {
    devicePromise = null;
  });
  return devicePromise;
}

/**
 * The started node of one ledger. The Device owns its lifecycle (starts it once, follows the
 * browser's connectivity, keeps one per ledger); the UI only asks for it.
 */
export async function openLedger(chainId: string): Promise<LedgerNode> {
  return (await loadDevice()).open(chainId);
}
