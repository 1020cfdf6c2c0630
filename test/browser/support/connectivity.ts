// Takes a device's browser context off or back on the network, as the browser reports it.
import type { Page } from 'playwright-core';

/** How long the browser gets to report a connectivity change as an event. */
const CONNECTIVITY_EVENT_WAIT_MS = 1_000;

/**
 * Measured here: Playwright's offline emulation fails new requests but leaves open WebRTC
 * connections (and the relay WebSocket) up; it fires 'offline'/'online' only where Chromium
 * considered itself online to begin with (not in a loopback-only network namespace, where
 * navigator.onLine is false from the start), and in these pages navigator.onLine kept reading
 * true after the 'offline' event. So the page's navigator.onLine is pinned to the emulated
 * state, and the event is dispatched when the browser did not fire it: what a real browser
 * does on its own.
 */
export async function setDeviceOnline(page: Page, online: boolean): Promise<void> {
  const type = online ? 'online' : 'offline';
  await page.evaluate(
    ([name, onLine]) => {
      Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => onLine });
      const state = window as unknown as { connectivityEvent?: boolean };
      state.connectivityEvent = false;
      addEventListener(name as string, () => (state.connectivityEvent = true), { once: true });
    },
    [type, online] as const,
  );
  await page.context().setOffline(!online);
  await page.waitForTimeout(CONNECTIVITY_EVENT_WAIT_MS);
  const fired = await page.evaluate(
    () => (window as unknown as { connectivityEvent?: boolean }).connectivityEvent === true,
  );
  if (!fired) await page.evaluate((name) => dispatchEvent(new Event(name)), type);
}
