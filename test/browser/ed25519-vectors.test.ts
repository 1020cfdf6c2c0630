import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from './support/chromium';
import { startHarnessServer, type HarnessServer } from './support/harness-server';
import { webCryptoVerifier } from '../../src/lib/crypto/index';
import { ED25519_VECTORS, hexBytes } from '../support/ed25519-vectors';

let browser: Browser;
let server: HarnessServer;

beforeAll(async () => {
  server = await startHarnessServer();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

test('Chromium WebCrypto reaches the same Ed25519 verdicts as Node on every vector (speccheck and ours)', async () => {
  const page = await browser.newPage();
  await page.goto(`${server.url}/ed25519-vectors.html`);
  await page.waitForFunction(() => typeof window.runEd25519Vectors === 'function');
  const chromium = await page.evaluate(() => window.runEd25519Vectors());

  const verifier = webCryptoVerifier();
  const node = [];
  const vectors = ED25519_VECTORS;
  for (const v of vectors) {
    const verdict = await verifier.verify(
      hexBytes(v.publicKey),
      hexBytes(v.message),
      hexBytes(v.signature),
    );
    node.push({ name: v.name, verdict });
  }
  const expected = vectors.map((v) => ({ name: v.name, verdict: v.accept }));
  expect(node).toEqual(expected);
  expect(chromium.map(({ name, verdict }) => ({ name, verdict }))).toEqual(expected);
  // Past the pre-checks, BoringSSL's own verdict is the rule too.
  const rawDisagreements = vectors
    .filter((v, i) => v.precheck === null && chromium[i]!.raw !== v.accept)
    .map((v) => v.name);
  expect(rawDisagreements).toEqual([]);
  await page.close();
});
