// One simulated internet for a test file or a benchmark: the topology (topology.ts), a test CA,
// the public host set up from deploy/ (public-host.ts) serving the app's build and the node
// harness pages over HTTPS, and browsers started lazily in the homes. `close()` ends every
// browser and server it started and deletes every namespace, also after a failure.
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { build } from 'vite';
import { buildHarnessPages } from '../browser/support/harness-server';
import { openNodeDevice } from '../browser/support/ledger-devices';
import { launchChromiumIn } from './browsers';
import { launchFirefoxIn, type FirefoxDevice } from './firefox';
import { netbedUnavailable } from './requirements.mjs';
import { startPublicHost, type PublicHost } from './public-host';
import { createTestCa, type TestCa } from './test-ca';
import { createTopology, PUBLIC_IP, type Home, type NatKind, type Topology } from './topology';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
/** The name on the test certificate (pages use the IP: no resolver in the testbed). */
export const PUBLIC_NAME = 'ledger.test';

export interface Netbed {
  topology: Topology;
  homes: Home[];
  ca: TestCa;
  host: PublicHost;
  /** Scratch folder: certificates, configuration, browser profiles. */
  dir: string;
  /** A fresh Chromium device (browser context) in home `index`, on the node harness page. */
  chromiumDevice(homeIndex: number): Promise<Page>;
  /** A fresh Chromium context in home `index` (for pages other than the harness). */
  chromiumContext(homeIndex: number): Promise<BrowserContext>;
  /** A Firefox device in home `index` (its own browser and profile). */
  firefoxDevice(homeIndex: number): Promise<FirefoxDevice>;
  close(): Promise<void>;
}

/** The folder the public host serves: the app's build, plus the node harness pages. */
async function buildSite(dir: string): Promise<string> {
  const site = join(dir, 'site');
  await buildHarnessPages(site, ['node.html', 'ed25519-vectors.html']);
  const appBuild = join(projectRoot, 'build');
  // `npm test` builds before this step; build here only when run on its own.
  if (!existsSync(join(appBuild, 'index.html'))) {
    await build({ configFile: join(projectRoot, 'vite.config.ts'), logLevel: 'warn' });
  }
  cpSync(appBuild, site, { recursive: true });
  return site;
}

export async function openNetbed(nats: NatKind[]): Promise<Netbed> {
  const unavailable = netbedUnavailable();
  if (unavailable) throw new Error(`the testbed ${unavailable}`);
  const dir = mkdtempSync(join(tmpdir(), 'ledger-netbed-'));
  const closers: (() => Promise<void> | void)[] = [
    () => rmSync(dir, { recursive: true, force: true }),
  ];
  const close = async () => {
    for (const closer of closers.splice(0).reverse()) {
      // One failing step must not keep the others (namespaces above all) from going.
      await (async () => closer())().catch((error: unknown) =>
        console.error('netbed close:', error),
      );
    }
  };
  try {
    const site = await buildSite(dir);
    const topology = createTopology(nats);
    closers.push(() => topology.close());
    const ca = createTestCa(dir, PUBLIC_IP, PUBLIC_NAME);
    const host = await startPublicHost({
      ns: topology.publicNs,
      ip: PUBLIC_IP,
      dir,
      ca,
      buildDir: site,
    });
    closers.push(() => host.close());

    const browsers = new Map<number, Promise<Browser>>();
    const contexts: BrowserContext[] = [];
    closers.push(async () => {
      for (const context of contexts.splice(0)) await context.close().catch(() => undefined);
      for (const browser of browsers.values()) await (await browser).close().catch(() => undefined);
    });
    const chromium = (homeIndex: number) => {
      const home = topology.homes[homeIndex];
      if (!home) throw new Error(`no home ${homeIndex}`);
      let browser = browsers.get(homeIndex);
      if (!browser) {
        browser = launchChromiumIn(home.ns, dir, ca);
        browsers.set(homeIndex, browser);
      }
      return browser;
    };
    let firefoxCount = 0;
    return {
      topology,
      homes: topology.homes,
      ca,
      host,
      dir,
      chromiumDevice: async (homeIndex) =>
        openNodeDevice(await chromium(homeIndex), host.appUrl, contexts),
      chromiumContext: async (homeIndex) => {
        const context = await (await chromium(homeIndex)).newContext();
        contexts.push(context);
        return context;
      },
      firefoxDevice: async (homeIndex) => {
        const home = topology.homes[homeIndex];
        if (!home) throw new Error(`no home ${homeIndex}`);
        const device = await launchFirefoxIn(home.ns, dir, ca, `f${++firefoxCount}`);
        closers.push(() => device.close());
        return device;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
