// Browsers inside a home's network namespace, each trusting the testbed's CA through its own
// certificate store. Chromium: Playwright starts it through a two-line wrapper that enters the
// namespace (`ip netns exec` replaces itself with the browser, keeping Playwright's pipe), with
// HOME pointing at a folder whose .pki/nssdb trusts the CA.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { CHROMIUM_PATH, launchChromium } from '../browser/support/chromium';
import { trustInNssDb, type TestCa } from './test-ca';

export async function launchChromiumIn(ns: string, dir: string, ca: TestCa): Promise<Browser> {
  const home = join(dir, `chromium-home-${ns}`);
  trustInNssDb(join(home, '.pki', 'nssdb'), ca);
  const wrapper = join(dir, `chromium-in-${ns}`);
  writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${ns} ${CHROMIUM_PATH} "$@"\n`);
  chmodSync(wrapper, 0o755);
  mkdirSync(home, { recursive: true });
  return launchChromium({
    executablePath: wrapper,
    env: { ...(process.env as Record<string, string>), HOME: home },
  });
}
