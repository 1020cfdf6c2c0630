// Private ledgers as a person meets them (issue 16: the join flow), in real Chromium with the
// preview node: creating asks who can read the ledger; a device asking to join shows up as a
// banner on every page with what approving gives, and Approve / Decline work from there; the
// Devices page lists the members, warns that a removal is final and makes a new key, and shows
// the key epoch; an invited device names itself, sends one request, waits for approval, and
// once removed says so in a sentence.
import { expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import {
  PHONE,
  commitPending,
  createLedger,
  goTo,
  hasNoHorizontalOverflow,
  poll,
  usePreviewApp,
  SCREENSHOT_DIR,
  visibleText,
} from './support/preview-app';

const app = usePreviewApp();

const addRequest = (page: Page, chainId: string, label: string) =>
  page.evaluate(
    ([id, name]) => window.__ledgerPreview?.addJoinRequest(id!, name!),
    [chainId, label],
  );

test('creating a ledger asks who can read it: private by default, or public', async () => {
  const { page, errors } = await app.open(PHONE);
  await page.goto(`${app.url}/`);
  const readers = page.getByRole('group', { name: 'Who can read it?' });
  expect(await readers.getByRole('radio', { name: /Private/ }).isChecked()).toBe(true);
  const admission = page.getByRole('group', { name: 'Who lets a new device in?' });
  expect(await admission.getByRole('radio', { name: /Any one validator/ }).isChecked()).toBe(true);
  await admission.getByRole('radio', { name: /More than two thirds/ }).check();
  expect(await hasNoHorizontalOverflow(page)).toBe(true);
  await page.screenshot({ path: `${SCREENSHOT_DIR}/phone-create-private.png`, fullPage: true });
  await page.getByLabel('Ledger name').fill('Club');
  await page.getByRole('button', { name: 'Create ledger' }).click();
  await page.getByRole('heading', { name: 'Club', level: 1 }).waitFor();
  expect(await page.evaluate(() => window.__ledgerPreview?.lastCreated())).toEqual({
    access: 'private',
    admission: 'two-thirds',
  });
  await goTo(page, 'Devices');
  const members = page.getByRole('region', { name: 'Members' });
  await poll(() => visibleText(members)).toContain(
    'A new device gets in once validators with more than two thirds of the votes agree.',
  );

  // Public: no admission rule to choose, and no members to list.
  await page.goto(`${app.url}/`);
  await readers.getByRole('radio', { name: /Public/ }).check();
  expect(await admission.count()).toBe(0);
  await page.getByLabel('Ledger name').fill('Notice board');
  await page.getByRole('button', { name: 'Create ledger' }).click();
  await page.getByRole('heading', { name: 'Notice board', level: 1 }).waitFor();
  expect(await page.evaluate(() => window.__ledgerPreview?.lastCreated())).toEqual({
    access: 'public',
    admission: 'any-validator',
  });
  await goTo(page, 'Devices');
  await page.getByRole('region', { name: 'Join requests' }).waitFor();
  expect(await page.getByRole('region', { name: 'Members' }).count()).toBe(0);
  expect(errors).toEqual([]);
});

test('a request to join is a banner on every page: approve it, decline one, count several', async () => {
  const { page, errors } = await app.open();
  const chainId = await createLedger(page, app.url, 'Family');
  await goTo(page, 'Records');
  await addRequest(page, chainId, "Anna's phone");
  const banner = page.getByRole('region', { name: 'Devices asking to join' });
  // The name reads as one phrase (the avatar's letter comes before it in the text).
  await poll(() => banner.textContent()).toContain("Anna's phone asks to join.");
  expect(await visibleText(banner)).toContain('lets it read and write this ledger (as a member)');
  await page.screenshot({ path: `${SCREENSHOT_DIR}/desktop-join-banner.png` });
  await banner.getByRole('button', { name: "Approve Anna's phone" }).click();
  await poll(() => visibleText(banner)).toContain("Approval sent for Anna's phone.");
  await goTo(page, 'Home');
  const activity = page.getByRole('list', { name: 'Your activity' }).getByRole('listitem');
  await poll(() => activity.first().textContent()).toContain(
    "Let Anna's phone into this private ledger",
  );
  await commitPending(page);
  await goTo(page, 'Devices');
  const members = page.getByRole('list', { name: 'Members' });
  await poll(() => visibleText(members)).toContain("Anna's phone");

  // Declined: gone from the banner (on this device only).
  await goTo(page, 'Explorer');
  await addRequest(page, chainId, 'Unknown tablet');
  await poll(() => banner.textContent()).toContain('Unknown tablet asks to join.');
  await banner.getByRole('button', { name: 'Decline Unknown tablet' }).click();
  await poll(() => visibleText(banner)).toContain('Declined Unknown tablet on this device.');
  expect(await banner.getByRole('button', { name: /Approve/ }).count()).toBe(0);

  // Several at once: the count, and the way to the Devices page that lists each.
  await addRequest(page, chainId, 'Laptop');
  await addRequest(page, chainId, 'Desktop');
  await poll(() => visibleText(banner)).toContain('2 devices ask to join.');
  await banner.getByRole('link', { name: 'See them on the Devices page' }).click();
  const requests = page.getByRole('region', { name: 'Join requests' });
  await poll(() => visibleText(requests)).toContain('Desktop');
  await requests.getByRole('button', { name: 'Decline Desktop' }).click();
  await poll(() => visibleText(requests)).not.toContain('Desktop');
  expect(await page.getByRole('button', { name: 'Approve Laptop' }).count()).toBe(1);
  expect(errors).toEqual([]);
});

test('members: a removal warns that it is final and makes a new key; the epoch is shown', async () => {
  const { page, errors } = await app.open(PHONE);
  const chainId = await createLedger(page, app.url, 'Flat');
  await addRequest(page, chainId, 'Old phone');
  await page.getByRole('button', { name: 'Approve Old phone' }).click();
  await commitPending(page);
  await goTo(page, 'Devices');
  const section = page.getByRole('region', { name: 'Members' });
  const members = section.getByRole('list', { name: 'Members' }).getByRole('listitem');
  await poll(() => members.count()).toBe(3);
  expect(await section.getByTestId('epoch').textContent()).toContain('first key');
  // This device votes: it neither leaves nor is removed before giving up its votes.
  expect(await visibleText(section)).toContain(
    'This device confirms changes (a validator): it can leave once it has given up its votes',
  );

  await section.getByRole('button', { name: 'Remove Old phone' }).click();
  const confirm = page.getByRole('region', { name: 'Remove Old phone?' });
  const warning = await visibleText(confirm);
  expect(warning).toContain('final at the block that confirms it');
  expect(warning).toContain('can no longer read new blocks or write');
  expect(warning).toContain('new key');
  expect(warning).toContain('Invites made before that stop working');
  expect(await hasNoHorizontalOverflow(page)).toBe(true);
  await page.screenshot({ path: `${SCREENSHOT_DIR}/phone-members-remove.png`, fullPage: true });
  await confirm.getByRole('button', { name: 'Remove for good' }).click();
  await commitPending(page);
  // Removing needs more than two thirds: this device's approval is counted, not yet enough.
  const phone = members.filter({ hasText: 'Old phone' });
  await poll(() => visibleText(phone)).toContain('approved by 10 of 15 votes so far');
  expect(await visibleText(phone)).toContain('You approved its removal');

  await page.evaluate((id) => window.__ledgerPreview?.approveAll(id), chainId);
  await poll(() => members.count()).toBe(2);
  await poll(() => section.getByTestId('epoch').textContent()).toContain(
    'Invites made before the last removal no longer work: make a new one.',
  );
  expect(errors).toEqual([]);
});

test('validators: a lost device’s votes are taken away after a warning, then it can be removed', async () => {
  const { page, errors } = await app.open(PHONE);
  const chainId = await createLedger(page, app.url, 'Shed');
  await goTo(page, 'Devices');
  const validators = page.getByRole('list', { name: 'Validators' }).getByRole('listitem');
  await poll(() => validators.count()).toBe(2);
  const members = page.getByRole('region', { name: 'Members' });
  // The other validator cannot be removed as a member while it holds votes.
  expect(await visibleText(members)).toContain(
    'A validator: it can be removed once its votes are taken away',
  );
  expect(await members.getByRole('button', { name: /^Remove / }).count()).toBe(0);

  // Giving up this device's own votes warns that too few devices stop the ledger; kept here.
  await page.getByRole('button', { name: 'Give up the votes of this device' }).click();
  const giveUp = page.getByRole('region', { name: 'Give up the votes of this device?' });
  expect(await visibleText(giveUp)).toContain('keep at least four, or an always-on peer');
  await giveUp.getByRole('button', { name: 'Keep my votes' }).click();
  await poll(() => giveUp.count()).toBe(0);

  await page.getByRole('button', { name: /^Take the votes of Device [0-9a-f]{6} away$/ }).click();
  const confirm = page.getByRole('region', {
    name: /^Take the votes of Device [0-9a-f]{6} away\?$/,
  });
  const warning = await visibleText(confirm);
  expect(warning).toContain('stops confirming changes once validators with more than two thirds');
  expect(warning).toContain('lost or no longer used');
  expect(warning).toContain('stays a member');
  expect(await hasNoHorizontalOverflow(page)).toBe(true);
  await page.screenshot({ path: `${SCREENSHOT_DIR}/phone-validator-remove.png`, fullPage: true });
  await confirm.getByRole('button', { name: 'Take votes away' }).click();
  await commitPending(page);
  // More than two thirds must agree: this device's 10 of 15 is counted, not yet enough.
  const other = validators.nth(1);
  await poll(() => visibleText(other)).toContain('approved by 10 of 15 votes so far');
  expect(await visibleText(other)).toContain('You agreed');

  // The others agree: it votes no more, and is a member that can be removed.
  await page.evaluate((id) => window.__ledgerPreview?.approveAll(id), chainId);
  await poll(() => validators.count()).toBe(1);
  await poll(() => members.getByRole('button', { name: /^Remove Device/ }).count()).toBe(1);
  expect(errors).toEqual([]);
});

test('an invite: name this device, one request, waiting for approval, then removed', async () => {
  const inviter = await app.open();
  await createLedger(inviter.page, app.url, 'Family');
  await goTo(inviter.page, 'Devices');
  // The link names the device that made it, by the name it has: a new name, a new link.
  const before = await inviter.page.getByLabel('Invite link').inputValue();
  await inviter.page.getByLabel('Name of this device').fill('Ben’s laptop');
  await inviter.page.getByRole('button', { name: 'Save name' }).click();
  await poll(() => inviter.page.getByLabel('Invite link').inputValue()).not.toBe(before);
  const link = await inviter.page.getByLabel('Invite link').inputValue();

  const { page, errors } = await app.open(PHONE);
  await page.goto(link);
  const card = page.getByRole('region', { name: 'You are invited to “Family”' });
  await poll(() => card.getByTestId('invite-access').textContent()).toContain(
    'Private: only invited devices can read it.',
  );
  expect(await card.getByTestId('invite-inviter').textContent()).toBe('Ben’s laptop');
  await card.getByLabel('Name of this device').fill('');
  await card.getByRole('button', { name: 'Join this ledger' }).click();
  await poll(() => visibleText(card)).toContain(
    'Give this device a name the others will recognise.',
  );
  await card.getByLabel('Name of this device').fill("Anna's phone");
  await page.screenshot({ path: `${SCREENSHOT_DIR}/phone-join-private.png`, fullPage: true });
  await card.getByRole('button', { name: 'Join this ledger' }).click();
  await page.getByRole('heading', { name: 'Family', level: 1 }).waitFor();
  const chainId = page.url().split('/').pop() ?? '';
  await poll(() => visibleText(page)).toContain('Waiting for approval: this device asked to join');
  await poll(() => page.getByTestId('write-blocked').textContent()).toContain(
    'This device writes once a validator lets it in.',
  );
  expect(await page.getByRole('button', { name: 'Send' }).isDisabled()).toBe(true);
  // Exactly one signed request, with the name given.
  const asked = () => page.evaluate((id) => window.__ledgerPreview?.asked(id), chainId);
  expect(await asked()).toEqual([{ label: "Anna's phone", role: 'member' }]);
  await goTo(page, 'Network');
  expect(await visibleText(page)).toContain('Waiting for approval');
  expect(await asked()).toHaveLength(1);

  // Let in: the waiting goes away; this device may leave, and then it is removed.
  await page.evaluate((id) => window.__ledgerPreview?.approveAll(id), chainId);
  await poll(() => visibleText(page)).not.toContain('Waiting for approval');
  await goTo(page, 'Devices');
  await page.getByRole('button', { name: 'Leave…' }).click();
  const confirm = page.getByRole('region', { name: 'Leave “Family”?' });
  expect(await visibleText(confirm)).toContain('This device leaves “Family” for good');
  await confirm.getByRole('button', { name: 'Leave for good' }).click();
  await poll(() => visibleText(page)).toContain('This device is being removed from “Family”');
  await commitPending(page);
  const height = await page.evaluate(
    async (id) => (await window.__ledgerPreview?.device.open(id))?.status.height,
    chainId,
  );
  await goTo(page, 'Home');
  await poll(() => page.getByRole('alert').allInnerTexts()).toContain(
    `This device was removed from “Family” at block ${height}; it can no longer read new blocks or write.`,
  );
  await page.screenshot({ path: `${SCREENSHOT_DIR}/phone-removed.png` });
  expect(await page.getByTestId('write-blocked').textContent()).toContain('can no longer write');
  expect(errors).toEqual([]);
});
