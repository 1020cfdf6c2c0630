// Drive test/browser/pages/net.html tabs: open, start the network, inspect WebRTC connections.
import type { MessageType } from '../../../src/lib/net/message-types';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { PeerSummary } from '../../../src/lib/net/network';
import { newDevice } from './chromium';

export const CHAIN_ID = 'c3'.repeat(32);
/** Generous: the first load makes Vite optimise libp2p, and the machine is shared. */
const PAGE_LOAD_TIMEOUT_MS = 120_000;
const PAGE_READY_TIMEOUT_MS = 30_000;
const PAGE_LOAD_ATTEMPTS_MAX = 4;

export interface Tab {
  context: BrowserContext;
  page: Page;
  peerId: string;
}

export async function openTab(
  browser: Browser,
  url: string,
  relays: string[],
  options: { blocks?: number; blockBytes?: number } = {},
): Promise<Tab> {
  const context = await newDevice(browser, new URL(url).origin);
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[tab] ${error.message}`));
  // Vite may re-optimise dependencies on a first load and answer 504 to the old module URLs
  // (no HMR in the harness to reload for us): reload until the page's module ran.
  for (let attempt = 1; ; attempt += 1) {
    if (attempt === 1) await page.goto(`${url}/net.html`, { timeout: PAGE_LOAD_TIMEOUT_MS });
    else await page.reload({ timeout: PAGE_LOAD_TIMEOUT_MS });
    const ready = await page
      .waitForFunction(() => window.net?.ready === true, undefined, {
        timeout: PAGE_READY_TIMEOUT_MS,
      })
      .then(() => true)
      .catch(() => false);
    if (ready) break;
    if (attempt === PAGE_LOAD_ATTEMPTS_MAX) throw new Error('net.html never became ready');
  }
  const peerId = await page.evaluate(
    ({ chainId, relays, options }) => window.net.start({ chainId, relays, ...options }),
    { chainId: CHAIN_ID, relays, options },
  );
  return { context, page, peerId };
}

export async function peersOf(tab: Tab): Promise<PeerSummary[]> {
  return tab.page.evaluate(() => window.net.peers());
}

/** Ids of peers this tab reaches over a direct WebRTC connection (checked by multiaddr). */
export async function webrtcPeersOf(tab: Tab): Promise<string[]> {
  const peers = await peersOf(tab);
  return peers
    .filter((peer) =>
      peer.transports.some(
        (kind, i) => kind === 'webrtc' && (peer.addresses[i] ?? '').includes('/webrtc'),
      ),
    )
    .map((peer) => peer.id);
}

export async function waitForMesh(tabs: Tab[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const meshes = await Promise.all(tabs.map(webrtcPeersOf));
    const complete = tabs.every((tab, i) =>
      tabs.every((other) => other === tab || meshes[i]?.includes(other.peerId)),
    );
    if (complete) return;
    if (Date.now() > deadline) {
      const reports = await Promise.all(
        tabs.map((t) => t.page.evaluate(() => window.net.connectivity())),
      );
      throw new Error(
        `no full WebRTC mesh: ${JSON.stringify(meshes)}\n${JSON.stringify(reports, null, 1)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export async function receivedTexts(tab: Tab): Promise<string[]> {
  return tab.page.evaluate(() => window.net.received().map((m) => m.text));
}

/** Wait until every tab in `to` has received `text`. */
export async function waitForDelivery(to: Tab[], text: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const all = await Promise.all(to.map(receivedTexts));
    if (all.every((texts) => texts.includes(text))) return;
    if (Date.now() > deadline) throw new Error(`"${text}" not delivered: ${JSON.stringify(all)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Gossip is best effort while a new peer's subscriptions propagate: publish again until seen. */
export const REPUBLISH_INTERVAL_MS = 2_000;

/**
 * Publish `text` from `from` every REPUBLISH_INTERVAL_MS until every tab in `to` received it,
 * as the node does with its outbox and vote rebroadcasts; a peer that just connected may not
 * have exchanged topic subscriptions yet when the first copy goes out.
 */
export async function publishUntilDelivered(
  from: Tab,
  type: MessageType,
  text: string,
  to: Tab[],
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await from.page.evaluate(([t, x]) => window.net.publish(t, x), [type, text] as const);
    try {
      await waitForDelivery(to, text, Math.min(REPUBLISH_INTERVAL_MS, deadline - Date.now()));
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
  }
}

export async function closeTabs(tabs: Tab[]): Promise<void> {
  for (const tab of tabs) {
    await tab.page.evaluate(() => window.net.stop()).catch(() => undefined);
    await tab.context.close().catch(() => undefined);
  }
}
