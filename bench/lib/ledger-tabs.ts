// Four Chromium tabs as four validator devices of one ledger, over loopback WebRTC with one
// relay: what rows 2 (finality) and 3 (throughput) measure. Forming it is the real join flow
// (invite, join request, every validator approves, the change signs two blocks later), ~20 s,
// so `npm run bench` forms it once for both rows.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../../test/browser/support/chromium';
import { startHarnessServer } from '../../test/browser/support/harness-server';
import { formLedger } from '../../test/browser/support/ledger-devices';
import {
  freePort,
  relayKeyFile,
  startRelayProcess,
} from '../../test/browser/support/relay-process';

export const LEDGER_TABS = 4;

export interface LedgerTabs {
  chainId: string;
  /** One page per device; members[0] created the ledger and holds the initial balance. */
  members: Page[];
  browser: Browser;
  /** Every context opened on `browser`, closed with the tabs (callers may add their own). */
  contexts: BrowserContext[];
  /** Milliseconds from launching Chromium to the 4th device being a validator. */
  formedMs: number;
  close(): Promise<void>;
}

/** `access` 'private': the genesis carries membership, gossip is sealed with the epoch key. */
export async function openLedgerTabs(access: 'public' | 'private' = 'public'): Promise<LedgerTabs> {
  const startedMs = performance.now();
  const relay = await startRelayProcess(await freePort(), relayKeyFile());
  const server = await startHarnessServer({ relays: relay.multiaddrs });
  const browser = await launchChromium();
  const contexts: BrowserContext[] = [];
  const close = async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser.close();
    await server.close();
    await relay.kill();
  };
  try {
    const { chainId, members } = await formLedger(
      browser,
      server.url,
      contexts,
      LEDGER_TABS,
      access,
    );
    return {
      chainId,
      members,
      browser,
      contexts,
      formedMs: performance.now() - startedMs,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Runs `measure` on the given tabs, or on tabs of its own that it closes afterwards. */
export async function withLedgerTabs<T>(
  tabs: LedgerTabs | undefined,
  measure: (tabs: LedgerTabs) => Promise<T>,
  access: 'public' | 'private' = 'public',
): Promise<T> {
  if (tabs) return measure(tabs);
  const own = await openLedgerTabs(access);
  try {
    return await measure(own);
  } finally {
    await own.close();
  }
}
