// Invites and the ledgers on this device, as a person meets them (issue 13, items 11 and 13), in
// real Chromium with the preview node: an invite link says what it is and joins only when asked;
// relay addresses no browser can use are dropped with a sentence; remembered addresses can be
// forgotten; a ledger can be removed from the start page after a warning that says what is
// lost; and pages with a transaction listed twice render. (test/browser/app-ledgers.test.ts does
// the same with the real node: IndexedDB, a stored bad address, the database deleted.)
import { expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { fromHex } from '../../src/lib/core/bytes';
import { encodeValue } from '../../src/lib/core/encoding';
import { toBase64Url } from '../../src/lib/node/invite';
import {
  INITIAL_BLOCKS,
  PHONE,
  createLedger,
  goTo,
  hasNoHorizontalOverflow,
  poll,
  usePreviewApp,
  SCREENSHOT_DIR,
  visibleText,
} from './support/preview-app';

const app = usePreviewApp();
const PEER_ID = '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo';
const RELAY = `/dns4/relay.example.org/tcp/443/wss/p2p/${PEER_ID}`;

/** A short invite link as a device writes it, with whatever relay strings it is given. */
function linkWith(chainId: string, name: string, relays: string[]): string {
  return `${app.url}/join#${toBase64Url(encodeValue([2, fromHex(chainId), name, relays]))}`;
}

/** Navigates inside the app (no page load: the preview node lives as long as the page). */
async function goInApp(page: Page, path: string): Promise<void> {
  await page.evaluate((href) => {
    const link = document.createElement('a');
    link.href = href;
    document.body.append(link);
    link.click();
  }, path);
}

test('an invite link says what it is and joins only when asked', async () => {
  const inviter = await app.open();
  const chainId = await createLedger(inviter.page, app.url, 'Family');
  await goTo(inviter.page, 'Devices');
  const link = await inviter.page.getByLabel('Invite link').inputValue();
  const shownId = await inviter.page.getByTestId('ledger-fingerprint').textContent();
  expect(shownId).toMatch(/^[0-9a-f]{4} [0-9a-f]{4} [0-9a-f]{4}$/);

  const { page, errors } = await app.open(PHONE);
  await page.goto(link);
  const card = page.getByRole('region', { name: 'You are invited to “Family”' });
  await card.waitFor();
  // The same ledger id as the inviting device shows, to compare before joining.
  expect(await card.getByTestId('invite-fingerprint').textContent()).toBe(shownId);
  expect(await visibleText(card)).toContain('If they differ, do not join.');
  expect(await hasNoHorizontalOverflow(page)).toBe(true);
  await page.screenshot({ path: `${SCREENSHOT_DIR}/phone-join-confirm.png`, fullPage: true });
  // Not now: nothing was joined.
  await page.getByRole('link', { name: 'Not now' }).click();
  await page.getByRole('heading', { name: 'Your ledgers' }).waitFor();
  await poll(() => visibleText(page)).toContain('No ledger yet.');

  // A link pasted on the start page leads to the same question.
  await page.getByLabel('Invite link').fill(link);
  await page.getByRole('button', { name: 'Join', exact: true }).click();
  await card.waitFor();
  await page.getByRole('button', { name: 'Join this ledger' }).click();
  await page.waitForURL(new RegExp(`/ledger/${chainId}$`));
  await page.getByRole('heading', { name: 'Family', level: 1 }).waitFor();

  // The same link again: the ledger is here, and the invite changes nothing.
  await goInApp(page, `/join#${link.split('#')[1]!}`);
  await poll(() => visibleText(card)).toContain('This ledger is already on this device.');
  expect(await page.getByRole('button', { name: 'Join this ledger' }).count()).toBe(0);
  await page.getByRole('link', { name: 'Open “Family”' }).click();
  await page.getByRole('heading', { name: 'Family', level: 1 }).waitFor();
  expect(errors).toEqual([]);
});

test('relay addresses no browser can use are dropped; remembered ones can be forgotten', async () => {
  const chainId = 'ab'.repeat(32);
  const { page, errors } = await app.open();
  await page.goto(linkWith(chainId, 'Club', ['garbage', RELAY, '/ip4/127.0.0.1/tcp/1/ws']));
  const card = page.getByRole('region', { name: 'You are invited to “Club”' });
  await poll(() => visibleText(card)).toContain(
    'The link also listed 2 network addresses this app cannot use; they were left out.',
  );
  await page.getByRole('button', { name: 'Join this ledger' }).click();
  await page.getByRole('heading', { name: 'Club', level: 1 }).waitFor();

  await goTo(page, 'Network');
  const remembered = page.getByRole('list', { name: 'Remembered addresses' });
  await poll(() => remembered.getByRole('listitem').allInnerTexts()).toEqual([
    expect.stringContaining(RELAY),
  ]);
  expect(await visibleText(page)).not.toContain('garbage');

  // An address an older version stored as it came: listed as unusable, and forgettable.
  await page.evaluate((id) => window.__ledgerPreview?.rememberAddress(id, 'garbage'), chainId);
  await goTo(page, 'Home');
  await goTo(page, 'Network');
  const bad = remembered.getByRole('listitem').filter({ hasText: 'garbage' });
  await poll(() => bad.textContent()).toContain('Cannot be used; skipped');
  await page.screenshot({ path: `${SCREENSHOT_DIR}/desktop-network-remembered.png` });
  await page.getByRole('button', { name: 'Forget garbage' }).click();
  await poll(() => remembered.getByRole('listitem').count()).toBe(1);
  await page.evaluate((id) => window.__ledgerPreview?.rememberAddress(id, '/x'), chainId);
  await goTo(page, 'Home');
  await goTo(page, 'Network');
  await page.getByRole('button', { name: 'Forget all' }).click();
  await poll(() => visibleText(page)).toContain('None: this device uses only this site’s relays.');
  expect(errors).toEqual([]);
});

test('a ledger is removed from this device after a warning that says what is lost', async () => {
  const { page, errors } = await app.open(PHONE);
  await createLedger(page, app.url, 'Keep me');
  // A second one without a page load (the preview node lives as long as the page).
  await page.getByRole('link', { name: 'Ledgers' }).click();
  await page.getByLabel('Ledger name').fill('Remove me');
  await page.getByRole('button', { name: 'Create ledger' }).click();
  await page.getByRole('heading', { name: 'Remove me', level: 1 }).waitFor();
  const gone = page.url().split('/').pop() ?? '';
  // A change signed here and not confirmed yet.
  await page.getByLabel('To address').fill('b'.repeat(40));
  await page.getByLabel('Amount').fill('5');
  await page.getByRole('button', { name: 'Send' }).click();
  await page.getByText('Pending').first().waitFor();
  // And a ledger this device only follows (joined, not a validator).
  await goInApp(page, `/join#${linkWith('cd'.repeat(32), 'Followed', []).split('#')[1]!}`);
  await page.getByRole('button', { name: 'Join this ledger' }).click();
  await page.getByRole('heading', { name: 'Followed', level: 1 }).waitFor();
  await page.getByRole('link', { name: 'Ledgers' }).click();
  const list = page.getByRole('list', { name: 'Ledgers on this device' });
  await poll(() => list.getByRole('listitem').count()).toBe(3);

  // This device holds two thirds of the votes (the preview's ledger has a second validator):
  // that the ledger stops comes first, and the button says so too.
  await page.getByRole('button', { name: 'Remove Remove me from this device' }).click();
  const confirm = page.getByRole('region', { name: 'Remove “Remove me” from this device?' });
  await poll(() => visibleText(confirm)).toContain('1 change you made here is not confirmed yet');
  const warning = await visibleText(confirm);
  const stops = warning.indexOf('holds 67% of the votes of “Remove me”, a third or more');
  expect(stops).toBeGreaterThan(0);
  expect(warning).toContain('the ledger stops confirming changes on every device');
  expect(stops).toBeLessThan(warning.indexOf('deletes this device’s copy'));
  expect(warning).toContain('This browser keeps its device key');
  expect(await hasNoHorizontalOverflow(page)).toBe(true);
  await page.screenshot({ path: `${SCREENSHOT_DIR}/phone-remove-ledger.png`, fullPage: true });
  // Keep it: nothing happens.
  await confirm.getByRole('button', { name: 'Keep it' }).click();
  await poll(() => confirm.count()).toBe(0);
  await page.getByRole('button', { name: 'Remove Remove me from this device' }).click();
  await confirm.getByRole('button', { name: 'Remove it and stop the ledger' }).click();
  await poll(() => visibleText(page)).toContain('“Remove me” was removed from this device.');
  expect(await list.getByRole('listitem').allInnerTexts()).toEqual([
    expect.stringContaining('Keep me'),
    expect.stringContaining('Followed'),
  ]);

  // A ledger this device only follows: no word of stopping, a plain button.
  await page.getByRole('button', { name: 'Remove Followed from this device' }).click();
  const followed = page.getByRole('region', { name: 'Remove “Followed” from this device?' });
  await poll(() => visibleText(followed)).toContain('deletes this device’s copy of “Followed”');
  expect(await visibleText(followed)).not.toMatch(/validator|stops/);
  await followed.getByRole('button', { name: 'Remove from this device' }).click();
  await poll(() => list.getByRole('listitem').count()).toBe(1);

  // The other ledger is intact; the removed one is not on this device any more.
  await list.getByRole('link', { name: 'Keep me' }).click();
  await poll(() => page.getByTestId('balance').textContent()).toContain('1,000');
  await goInApp(page, `/ledger/${gone}`);
  await poll(() => visibleText(page)).toContain('This ledger is not on this device.');
  expect(errors).toEqual([]);
});

test('a block, an account and the votes with a transaction listed twice render (item 13)', async () => {
  const { page, errors } = await app.open();
  await createLedger(page, app.url, 'Twice');
  await page.getByLabel('To address').fill('b'.repeat(40));
  await page.getByLabel('Amount').fill('5');
  await page.getByRole('button', { name: 'Send' }).click();
  await page.getByText('Pending').first().waitFor();
  await page.evaluate(() => window.__ledgerPreview?.commitPendingTwice());
  await poll(() => page.getByText('Confirmed in block').count()).toBe(1);

  const block = INITIAL_BLOCKS + 1;
  await goTo(page, 'Explorer');
  await page.getByRole('link', { name: `Block ${block}`, exact: true }).click();
  const txs = page.getByRole('region', { name: 'Transactions' }).getByRole('listitem');
  await poll(() => txs.count()).toBe(2);
  expect(await txs.nth(1).textContent()).toBe(await txs.nth(0).textContent());
  // The block before holds this block's commit: every signature listed twice.
  await page.getByRole('link', { name: 'Previous block' }).click();
  const signatures = page.getByRole('region', { name: 'Commit signatures' }).getByRole('listitem');
  await poll(() => signatures.count()).toBe(4);

  await goTo(page, 'Accounts');
  await page.getByRole('link', { name: /You/ }).click();
  await page.getByRole('heading', { name: 'History' }).waitFor();
  await poll(() => page.getByRole('link', { name: `Block ${block}` }).count()).toBe(2);

  await goTo(page, 'Network');
  await page.getByText('Technical details').click();
  await poll(() => page.getByRole('list', { name: 'Latest votes' }).count()).toBe(1);
  expect(errors).toEqual([]);
});
