// Row 1 of `npm run bench`: the platform's limits in real Chromium (one page, served by Vite on
// 127.0.0.1), measured in the same run as every other row. The page code is
// bench/limits-page/limits.ts; here each measurement runs RUNS times after one warm-up run.
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, newDevice } from '../test/browser/support/chromium';
import { startPageServer } from './lib/page-server';
import { fmt, median, perSecond, ratio } from './lib/stats';
import type { BenchRow } from './lib/table';
import type { Timed } from './limits-page/limits';

const RUNS = 5;
const ED25519_COUNT = 1_000;
/** About a transfer's signed bytes. */
const MESSAGE_BYTES = 200;
const SHA_BYTES = 16 * 1024 * 1024;
const IDB_PUTS = 2_000;
const IDB_VALUE_BYTES = 200;
const RTC_MESSAGES = 20_000;
/** About a vote's size on the wire. */
const RTC_MESSAGE_BYTES = 200;
const PAGE_READY_TIMEOUT_MS = 60_000;

/** The figures other rows compare themselves with. */
export interface Limits {
  verifyPerS: number;
  signPerS: number;
  nobleShaMBps: number;
  webCryptoShaMBps: number;
  idbPutsPerS: number;
  idbCommitsPerS: number;
  rtcMessagesPerS: number;
  rtcMBps: number;
}

async function repeat<T>(run: () => Promise<T>): Promise<T[]> {
  await run(); // warm-up: JIT, key import paths, IndexedDB files, ICE
  const results: T[] = [];
  for (let i = 0; i < RUNS; i++) results.push(await run());
  return results;
}

const rate = (t: Timed) => perSecond(t.count, t.ms);
const mbps = (t: Timed) => perSecond((t.bytes ?? 0) / 1e6, t.ms);

async function measureInPage(page: Page): Promise<{ limits: Limits; raw: unknown }> {
  const ed = await repeat(() =>
    page.evaluate(([n, b]) => window.limits.ed25519(n, b), [ED25519_COUNT, MESSAGE_BYTES] as const),
  );
  const sha = await repeat(() => page.evaluate((b) => window.limits.sha256(b), SHA_BYTES));
  const idb = await repeat(() =>
    page.evaluate(([n, b]) => window.limits.indexedDb(n, b), [IDB_PUTS, IDB_VALUE_BYTES] as const),
  );
  const rtc = await repeat(() =>
    page.evaluate(([n, b]) => window.limits.webRtc(n, b), [
      RTC_MESSAGES,
      RTC_MESSAGE_BYTES,
    ] as const),
  );
  const limits: Limits = {
    verifyPerS: median(ed.map((r) => rate(r.verify))),
    signPerS: median(ed.map((r) => rate(r.sign))),
    nobleShaMBps: median(sha.map((r) => mbps(r.noble))),
    webCryptoShaMBps: median(sha.map((r) => mbps(r.webCrypto))),
    idbPutsPerS: median(idb.map((r) => rate(r.batched))),
    idbCommitsPerS: median(idb.map((r) => rate(r.commits))),
    rtcMessagesPerS: median(rtc.map(rate)),
    rtcMBps: median(rtc.map(mbps)),
  };
  return { limits, raw: { ed, sha, idb, rtc } };
}

export async function measureLimits(): Promise<{ limits: Limits; rows: BenchRow[]; raw: unknown }> {
  const root = fileURLToPath(new URL('./limits-page', import.meta.url));
  const server = await startPageServer(root, ['limits.html']);
  let browser: Browser | null = null;
  try {
    browser = await launchChromium();
    const version = browser.version();
    // newDevice grants media permission: without it headless Chromium gathers no candidates.
    const context = await newDevice(browser, server.url);
    const page = await context.newPage();
    await page.goto(`${server.url}/limits.html`);
    await page.waitForFunction(() => 'limits' in window, null, {
      timeout: PAGE_READY_TIMEOUT_MS,
    });
    const { limits, raw } = await measureInPage(page);
    return { limits, rows: limitRows(limits, version), raw };
  } finally {
    await browser?.close();
    await server.close();
  }
}

function limitRows(l: Limits, version: string): BenchRow[] {
  const runs = `Chromium ${version}; median of ${RUNS} runs`;
  const row = (measure: string, value: string, r: string, note: string): BenchRow => ({
    group: 1,
    measure,
    value,
    limit: '(is a limit)',
    ratio: r,
    note: `${note}; ${runs}`,
    status: 'measured',
  });
  return [
    row(
      'limit: WebCrypto Ed25519 verify',
      `${fmt(l.verifyPerS)}/s`,
      '—',
      `${fmt(ED25519_COUNT)} × ${MESSAGE_BYTES} B in flight at once`,
    ),
    row(
      'limit: WebCrypto Ed25519 sign',
      `${fmt(l.signPerS)}/s`,
      '—',
      `${fmt(ED25519_COUNT)} × ${MESSAGE_BYTES} B in flight at once`,
    ),
    row(
      'limit: SHA-256, WebCrypto',
      `${fmt(l.webCryptoShaMBps, 1)} MB/s`,
      '—',
      `one ${SHA_BYTES / 1024 / 1024} MiB buffer`,
    ),
    row(
      'limit: SHA-256, @noble/hashes',
      `${fmt(l.nobleShaMBps, 1)} MB/s`,
      `${ratio(l.nobleShaMBps / l.webCryptoShaMBps)} WebCrypto`,
      `one ${SHA_BYTES / 1024 / 1024} MiB buffer`,
    ),
    row(
      'limit: raw IndexedDB put, batched',
      `${fmt(l.idbPutsPerS)} puts/s`,
      '—',
      `${fmt(IDB_PUTS)} × ${IDB_VALUE_BYTES} B puts in one durability:'strict' transaction`,
    ),
    row(
      'limit: raw IndexedDB commit',
      `${fmt(l.idbCommitsPerS)} transactions/s`,
      '—',
      "one put per durability:'strict' transaction, sequential",
    ),
    row(
      'limit: WebRTC data channel',
      `${fmt(l.rtcMessagesPerS)} msgs/s (${fmt(l.rtcMBps, 1)} MB/s)`,
      '—',
      `${fmt(RTC_MESSAGES)} × ${RTC_MESSAGE_BYTES} B, ordered, two RTCPeerConnections in one page, iceServers: []`,
    ),
  ];
}
