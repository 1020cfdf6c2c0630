// Real Chromium for tests: Debian's /usr/bin/chromium driven by playwright-core.
// One BrowserContext per simulated device (its own IndexedDB, its own libp2p node).
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// Flags verified in ../shared/FACTS.md: no background traffic, WebRTC on loopback, host
// candidates as plain 127.0.0.1 (no mDNS names).
export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-extensions',
  '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
];

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/** A device: a fresh context; WebRTC gathers no candidates until media permission is granted. */
export async function newDevice(browser: Browser, origin?: string): Promise<BrowserContext> {
  const context = await browser.newContext();
  await context.grantPermissions(['camera', 'microphone'], origin ? { origin } : undefined);
  return context;
}
