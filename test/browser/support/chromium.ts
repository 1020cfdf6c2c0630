// Real Chromium for tests: Debian's /usr/bin/chromium driven by playwright-core.
// One BrowserContext per simulated device (its own IndexedDB, its own libp2p node).
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/** `executablePath` and `env` let the testbed start it inside a network namespace. */
export async function launchChromium(
  options: { executablePath?: string; env?: Record<string, string> } = {},
): Promise<Browser> {
  return chromium.launch({
    executablePath: options.executablePath ?? CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
    ...(options.env ? { env: options.env } : {}),
  });
}

/** A device: a fresh context; WebRTC gathers no candidates until media permission is granted. */
export async function newDevice(browser: Browser, origin?: string): Promise<BrowserContext> {
  const context = await browser.newContext();
  await context.grantPermissions(['camera', 'microphone'], origin ? { origin } : undefined);
  return context;
}

const DEVTOOLS_START_TIMEOUT_MS = 60_000;
const CHROMIUM_EXIT_TIMEOUT_MS = 10_000;

export interface HeadfulChromium {
  browser: Browser;
  /** The profile's own context: its pages are tabs of one window, so a back tab is hidden. */
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Headful Chromium on an X `display` (see xvfb.ts), for tests of hidden tabs. Started by hand and
 * attached over CDP with `noDefaults`, because Playwright's own launch keeps every page
 * 'visible' (focus emulation on the pages it creates) and passes flags that turn off background
 * throttling (--disable-background-timer-throttling, --disable-renderer-backgrounding).
 */
export async function launchHeadfulChromium(display: string): Promise<HeadfulChromium> {
  const profileDir = await mkdtemp(join(tmpdir(), 'chromium-headful-'));
  const args = [
    ...CHROMIUM_ARGS.filter((arg) => !arg.startsWith('--headless')),
    '--remote-debugging-port=0',
    `--user-data-dir=${profileDir}`,
    'about:blank',
  ];
  // Its own process group, so close() ends the browser and every process it started.
  const browserProcess = spawn(CHROMIUM_PATH, args, {
    env: { ...process.env, DISPLAY: display },
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  const exited = new Promise<void>((resolve) => {
    browserProcess.once('exit', () => resolve());
    browserProcess.once('error', () => resolve());
  });
  const signalGroup = (pid: number, signal: NodeJS.Signals | 0): boolean => {
    try {
      process.kill(-pid, signal);
      return true;
    } catch {
      return false; // the group is gone
    }
  };
  const stop = async () => {
    const pid = browserProcess.pid;
    if (pid !== undefined) {
      signalGroup(pid, 'SIGTERM');
      // Wait for the whole group, not only the browser: its children write to the profile.
      const deadlineMs = Date.now() + CHROMIUM_EXIT_TIMEOUT_MS;
      while (signalGroup(pid, 0) && Date.now() < deadlineMs) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      signalGroup(pid, 'SIGKILL');
      await exited;
    }
    await rm(profileDir, { recursive: true, force: true, maxRetries: 3 });
  };
  try {
    const endpoint = await new Promise<string>((resolve, reject) => {
      let stderr = '';
      const timer = setTimeout(
        () => reject(new Error(`headful Chromium gave no DevTools endpoint: ${stderr}`)),
        DEVTOOLS_START_TIMEOUT_MS,
      );
      // Keep draining stderr after the endpoint: a full pipe would block the browser.
      browserProcess.stderr?.on('data', (chunk: Buffer) => {
        stderr = (stderr + chunk.toString()).slice(-4_000);
        const match = /DevTools listening on (ws:\/\/\S+)/.exec(stderr);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      browserProcess.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`headful Chromium exited with ${code}: ${stderr}`));
      });
      browserProcess.once('error', (error) => {
        clearTimeout(timer);
        reject(new Error(`headful Chromium did not start (${CHROMIUM_PATH}): ${error.message}`));
      });
    });
    const browser = await chromium.connectOverCDP(endpoint, { noDefaults: true });
    const context = browser.contexts()[0];
    if (!context) throw new Error('headful Chromium has no default context');
    return {
      browser,
      context,
      async close() {
        await browser.close();
        await stop();
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
