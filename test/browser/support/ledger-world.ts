// What every multi-device browser test starts: a relay, the harness server announcing it, and
// one Chromium; each test file's devices are contexts of that browser. Registers the file's
// beforeAll/afterAll, so a test file says only `const world = useLedgerWorld();`.
import { afterAll, beforeAll } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import { launchChromium } from './chromium';
import { startHarnessServer, type HarnessServer } from './harness-server';
import { freePort, relayKeyFile, startRelayProcess, type RelayProcess } from './relay-process';

export interface LedgerWorld {
  readonly browser: Browser;
  readonly server: HarnessServer;
  readonly relay: RelayProcess;
  /** Device contexts the tests opened; closed after the file's last test. */
  readonly contexts: BrowserContext[];
}

export function useLedgerWorld(): LedgerWorld {
  let browser: Browser | undefined;
  let server: HarnessServer | undefined;
  let relay: RelayProcess | undefined;
  const contexts: BrowserContext[] = [];
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not started (use it inside a test)`);
    return value;
  };

  beforeAll(async () => {
    relay = await startRelayProcess(await freePort(), relayKeyFile());
    server = await startHarnessServer({ relays: relay.multiaddrs });
    browser = await launchChromium();
  });

  afterAll(async () => {
    for (const context of contexts.splice(0)) await context.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
    await relay?.kill();
  });

  return {
    get browser() {
      return started(browser, 'the browser');
    },
    get server() {
      return started(server, 'the harness server');
    },
    get relay() {
      return started(relay, 'the relay');
    },
    contexts,
  };
}
