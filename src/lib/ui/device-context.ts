// How the UI gets its node: one Device per tab, loaded lazily, and one started LedgerNode per
// ledger the user opens. The node module pulls in libp2p (~550 kB), so it is a dynamic import:
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
const openNodes = new Map<string, Promise<LedgerNode>>();

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

/** The started node of one ledger; the same instance for every page of that ledger. */
export function openLedger(chainId: string): Promise<LedgerNode> {
  const existing = openNodes.get(chainId);
  if (existing) return existing;
  const opening = loadDevice().then(async (device) => {
    const node = await device.open(chainId);
    await node.start();
    return node;
  });
  openNodes.set(chainId, opening);
  opening.catch(() => openNodes.delete(chainId));
  return opening;
}
