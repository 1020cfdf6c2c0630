// A Firefox device for the testbed, run INSIDE a home's network namespace
// (`ip netns exec <home> node --import tsx test/netbed/firefox-device.ts`), because puppeteer
// talks to Firefox over a WebDriver BiDi WebSocket on 127.0.0.1 of that namespace, which the test
// process cannot reach. It opens one page and serves the test over stdin/stdout, one JSON line
// per request: {id, goto} or {id, expression} -> {id, value} | {id, error}. test/netbed/firefox.ts
// is the other end. Environment: FIREFOX_PROFILE (a profile folder whose cert9.db trusts the
// testbed CA), FIREFOX_PATH (default /usr/bin/firefox-esr).
import { createInterface } from 'node:readline';
import puppeteer from 'puppeteer-core';

const profile = process.env.FIREFOX_PROFILE;
if (!profile) throw new Error('FIREFOX_PROFILE is not set');

const browser = await puppeteer.launch({
  browser: 'firefox',
  executablePath: process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr',
  headless: true,
  userDataDir: profile,
  extraPrefsFirefox: {
    // Raw host addresses in ICE candidates instead of mDNS names nobody here can resolve (the
    // test's Chromium flags do the same: --disable-features=WebRtcHideLocalIpsWithMdns).
    'media.peerconnection.ice.obfuscate_host_addresses': false,
    'media.navigator.permission.disabled': true,
  },
});
const page = await browser.newPage();
page.on('console', (message) => {
  if (message.type() === 'error') process.stderr.write(`firefox page error: ${message.text()}\n`);
});

const reply = (message: object) => process.stdout.write(`${JSON.stringify(message)}\n`);
process.stdout.write(`${JSON.stringify({ ready: await browser.version() })}\n`);

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  const request = JSON.parse(line) as { id: number; goto?: string; expression?: string };
  try {
    if (request.goto !== undefined) {
      await page.goto(request.goto);
      reply({ id: request.id, value: null });
    } else {
      reply({ id: request.id, value: await page.evaluate(request.expression ?? 'null') });
    }
  } catch (error) {
    reply({ id: request.id, error: (error as Error).message });
  }
}
// stdin closed: the test is done with this device.
await browser.close();
