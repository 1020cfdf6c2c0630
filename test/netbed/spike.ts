import '../../src/server/polyfill';
import { mkdtempSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildHarnessPages } from '../browser/support/harness-server';
import { createTopology, PUBLIC_IP } from './topology';
import { createTestCa } from './test-ca';
import { startPublicHost } from './public-host';
import { launchChromiumIn } from './browsers';
import { newDevice } from '../browser/support/chromium';

const dir = mkdtempSync(join(tmpdir(), 'netbed-'));
const site = join(dir, 'site');
await buildHarnessPages(site, ['node.html']);
const topo = createTopology(['cone', 'cone', 'symmetric']);
const ca = createTestCa(dir, PUBLIC_IP, 'ledger.test');
let host;
try {
  host = await startPublicHost({ ns: topo.publicNs, ip: PUBLIC_IP, dir, ca, buildDir: site });
  console.log('relays', host.relays);
  const browser = await launchChromiumIn(topo.homes[0]!.ns, dir, ca);
  const ctx = await newDevice(browser, host.appUrl);
  const page = await ctx.newPage();
  page.on('console', (m) => console.log('page:', m.text()));
  await page.goto(`${host.appUrl}/node.html`);
  console.log(await page.evaluate(async () => ({ secure: isSecureContext, subtle: !!crypto.subtle, cfg: await (await fetch('/relay.json')).json() })));
  await browser.close();
} finally {
  await host?.close();
  topo.close();
}
