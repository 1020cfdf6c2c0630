// Every error a person can reach in the app, walked through and read as a person reads it:
// each message is a sentence (a capital first, a full stop last) with no raw code
// ("record-not-found"), no exception name and no browser error text on screen; technical
// details, where there are any, stay behind a closed disclosure. The preview node throws the
// node's errors exactly as the real one names them (failNext), so every banner is reached.
import { expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { TX_CODES } from '../../src/lib/ui/reasons';
import {
  PHONE,
  commitPending,
  createLedger,
  expectSentence,
  goTo,
  patchStatus,
  poll,
  usePreviewApp,
  visibleText,
} from './support/preview-app';

const app = usePreviewApp();

/** The visible message of the banner titled `title`, without the title. */
async function bannerSentence(page: Page, title: string): Promise<string> {
  const banner = page.getByRole('alert').filter({ hasText: title }).first();
  await banner.waitFor();
  // The disclosure's summary is on screen; what it holds is not.
  return (await visibleText(banner))
    .replace(title, '')
    .replace('Dismiss', '')
    .replace('Technical details', '')
    .trim();
}

async function fieldErrors(page: Page): Promise<string[]> {
  return page.locator('.field-error').allInnerTexts();
}

async function failNext(page: Page, error: { name: string; message: string; code?: string }) {
  await page.evaluate((e) => window.__ledgerPreview?.failNext(e), error);
}

/** What the node throws, by name and code, as a person would meet it. */
const NODE_ERRORS = [
  ...TX_CODES.filter((code) => code !== 'ok').map((code) => ({
    name: 'TxRejectedError',
    code,
    message: `${code}: rule detail`,
  })),
  // Refusals of an approval that are not ledger rules.
  { name: 'TxRejectedError', code: 'request-changed', message: 'request-changed' },
  { name: 'TxRejectedError', code: 'unknown-request', message: 'unknown-request' },
  { name: 'OutboxFullError', code: 'outbox-full', message: 'outbox holds 1000 pending txs' },
  { name: 'GroupCommitFullError', message: 'group commit queue full (256)' },
  { name: 'NodeStoppedError', message: 'the node is stopped' },
  { name: 'StorageFullError', code: 'storage-full', message: 'QuotaExceededError: quota' },
  { name: 'StoreClosedError', code: 'store-closed', message: 'the store is closed' },
  { name: 'QuotaExceededError', message: 'The quota has been exceeded.' },
  { name: 'TypeError', message: 'Failed to fetch' },
  { name: 'Error', message: "Cannot read properties of undefined (reading 'x')" },
];

test('every form check and every refusal of the node reads as a sentence', async () => {
  const { page } = await app.open();
  await page.goto(`${app.url}/`);
  const messages: string[] = [];

  // Create: every field check.
  await page.getByLabel('Ledger name').fill('x'.repeat(70));
  await page.getByLabel('Starting balance of this device').fill('-5');
  await page.getByRole('button', { name: 'Add a balance' }).click();
  await page.getByLabel('Address 1').fill('xyz');
  await page.getByLabel('Amount 1').fill('1.5');
  await page.getByRole('button', { name: 'Add a balance' }).click();
  await page.getByLabel('Address 2').fill('xyz');
  await page.getByRole('button', { name: 'Create ledger' }).click();
  await poll(async () => (await fieldErrors(page)).length).toBeGreaterThanOrEqual(5);
  messages.push(...(await fieldErrors(page)));
  await page.getByLabel('Ledger name').fill('');
  await page.getByRole('button', { name: 'Create ledger' }).click();
  await poll(() => page.getByText('Give the ledger a name.').count()).toBe(1);
  messages.push(...(await fieldErrors(page)));
  // Join: an empty field, and damaged links.
  await page.getByRole('button', { name: 'Join' }).click();
  await poll(() => page.getByText('Paste an invite link.').count()).toBe(1);
  for (const link of ['garbage', `${app.url}/join#abcde`, `${app.url}/join#hAJYIHmyBLAP`]) {
    await page.getByLabel('Invite link').fill(link);
    await page.getByRole('button', { name: 'Join' }).click();
    messages.push(await bannerSentence(page, 'Could not join.'));
    await page.getByRole('button', { name: 'Dismiss' }).click();
  }
  // Create fails in the node.
  await page.getByLabel('Ledger name').fill('Errors');
  await page.getByLabel('Starting balance of this device').fill('1000');
  await page.getByRole('button', { name: 'Remove balance 2' }).click();
  await page.getByRole('button', { name: 'Remove balance 1' }).click();
  await failNext(page, { name: 'StorageFullError', code: 'storage-full', message: 'quota' });
  await page.getByRole('button', { name: 'Create ledger' }).click();
  messages.push(await bannerSentence(page, 'Could not create the ledger.'));

  const chainId = await createLedger(page, app.url, 'Errors');
  // Send: every field check, then every refusal the node can throw.
  for (const [to, amount] of [
    ['', ''],
    ['xyz', '1.5'],
    ['f'.repeat(40), '-5'],
    ['f'.repeat(40), '0'],
    ['f'.repeat(40), '9'.repeat(20)],
  ] as const) {
    await page.getByLabel('To address').fill(to);
    await page.getByLabel('Amount').fill(amount);
    await page.getByRole('button', { name: 'Send' }).click();
    await poll(async () => (await fieldErrors(page)).length).toBeGreaterThan(0);
    messages.push(...(await fieldErrors(page)));
  }
  for (const error of NODE_ERRORS) {
    await failNext(page, error);
    await page.getByLabel('To address').fill('f'.repeat(40));
    await page.getByLabel('Amount').fill('5');
    await page.getByRole('button', { name: 'Send' }).click();
    const sentence = await bannerSentence(page, 'Not sent.');
    messages.push(sentence);
    // The raw text is one click away, not on screen.
    expect(await visibleText(page)).not.toContain(error.message);
    await page
      .getByRole('region', { name: 'Send' })
      .getByRole('button', { name: 'Dismiss' })
      .click();
  }
  // A transfer the ledger refuses later: the activity list says why.
  await page.getByLabel('Amount').fill('999999');
  await page.getByLabel('To address').fill('f'.repeat(40));
  await page.getByRole('button', { name: 'Send' }).click();
  await commitPending(page);
  const refused = page.getByRole('list', { name: 'Your activity' }).locator('.reason').first();
  await poll(() => refused.count()).toBe(1);
  messages.push(await refused.innerText());

  // Save a record: field checks and a refusal.
  await page.getByLabel('Key').fill('k'.repeat(200));
  await page.getByLabel('Value').fill('v'.repeat(70_000));
  await page.getByRole('button', { name: 'Save record' }).click();
  await poll(async () => (await fieldErrors(page)).length).toBe(2);
  messages.push(...(await fieldErrors(page)));
  await page.getByLabel('Key').fill('');
  await page.getByLabel('Value').fill('');
  await page.getByRole('button', { name: 'Save record' }).click();
  messages.push(...(await fieldErrors(page)));
  await failNext(page, { name: 'TxRejectedError', code: 'value-too-large', message: 'too big' });
  await page.getByLabel('Key').fill('note');
  await page.getByLabel('Value').fill('hello');
  await page.getByRole('button', { name: 'Save record' }).click();
  messages.push(await bannerSentence(page, 'Not saved.'));

  // Delete a record another tab removed meanwhile: the node refuses it.
  await page.getByLabel('Key').fill('note');
  await page.getByLabel('Value').fill('hello');
  await page.getByRole('button', { name: 'Save record' }).click();
  await commitPending(page);
  await goTo(page, 'Records');
  const records = page.getByRole('list', { name: 'Records' });
  await records.getByRole('button', { name: 'Delete note' }).click();
  await page.evaluate((id) => window.__ledgerPreview?.forgetRecords(id), chainId);
  await records.getByRole('button', { name: 'Yes, delete' }).click();
  const notFound = await bannerSentence(page, 'Not deleted.');
  expect(notFound).toBe('There is no record with this key.');
  messages.push(notFound);

  // Explorer: an empty search, text that is no height, hash or address, nothing found.
  await goTo(page, 'Explorer');
  for (const text of ['', 'hello', '9999']) {
    await page.getByLabel('Block number, hash or address').fill(text);
    await page.getByRole('button', { name: 'Find' }).click();
    await poll(async () => (await fieldErrors(page)).length).toBe(1);
    messages.push(...(await fieldErrors(page)));
  }

  // Devices: approving and copying fail.
  await page.evaluate((id) => window.__ledgerPreview?.addJoinRequest(id, 'Laptop'), chainId);
  await goTo(page, 'Devices');
  // On the Devices page (the banner on other pages has an Approve button too).
  await page.getByRole('heading', { name: 'Join requests' }).waitFor();
  await failNext(page, { name: 'TxRejectedError', code: 'too-many-proposals', message: 'x' });
  await page.getByRole('button', { name: 'Approve Laptop' }).click();
  messages.push(await bannerSentence(page, 'Approval not sent.'));
  // A browser that refuses the clipboard (permissions, an insecure page).
  await page.evaluate(() => {
    navigator.clipboard.writeText = () =>
      Promise.reject(new DOMException('Write permission denied.', 'NotAllowedError'));
  });
  await page.getByRole('button', { name: 'Copy invite link' }).click();
  messages.push(await bannerSentence(page, 'Could not copy.'));

  // Network: forgetting a remembered address fails.
  await page.evaluate(
    (id) => window.__ledgerPreview?.rememberAddress(id, `/dns4/relay.example.org/tcp/1/wss`),
    chainId,
  );
  await goTo(page, 'Network');
  await failNext(page, { name: 'StoreClosedError', code: 'store-closed', message: 'closed' });
  await page.getByRole('button', { name: 'Forget /dns4/relay.example.org/tcp/1/wss' }).click();
  messages.push(await bannerSentence(page, 'Could not forget the address.'));

  // Problems the node reports about itself.
  for (const code of ['storage-full', 'network', 'internal', 'invalid-committed-block', 'schema']) {
    await patchStatus(page, chainId, { problem: { code, message: `${code}: raw detail` } });
    messages.push(await bannerSentence(page, 'Problem on this device.'));
  }
  await patchStatus(page, chainId, { problem: null });

  // Removing the ledger from this device fails.
  await page.getByRole('link', { name: 'Ledgers' }).click();
  await page.getByRole('button', { name: 'Remove Errors from this device' }).click();
  await failNext(page, { name: 'StorageFullError', code: 'storage-full', message: 'quota' });
  await page
    .getByRole('button', { name: /^Remove (it and stop the ledger|from this device)$/ })
    .click();
  messages.push(await bannerSentence(page, 'Could not remove the ledger.'));

  for (const message of messages) expectSentence(message);
  console.log(`${messages.length} messages read, every one a sentence`);
});

test('pages that cannot show what was asked say why in words', async () => {
  const { page, errors } = await app.open(PHONE);
  const messages: string[] = [];
  await page.goto(`${app.url}/ledger/${'0'.repeat(64)}`);
  messages.push(await bannerSentence(page, 'Could not open this ledger.'));

  // Then in-app navigation only (the preview node lives in the page).
  const chainId = await createLedger(page, app.url, 'Missing');
  const goInApp = (path: string) =>
    page.evaluate((target) => {
      const link = document.createElement('a');
      link.href = target;
      document.body.append(link);
      link.click();
    }, path);
  await goInApp(`/ledger/${chainId}/block/abc`);
  messages.push(await bannerSentence(page, 'Not a block number.'));
  await goInApp(`/ledger/${chainId}/block/999`);
  await poll(() => page.getByText('There is no block 999 on this device yet.').count()).toBe(1);
  await goInApp(`/ledger/${chainId}/accounts/${'9'.repeat(40)}`);
  await poll(() => page.getByText('This address has no account on this ledger yet.').count()).toBe(
    1,
  );

  // An observer asking to join when the node refuses.
  await goTo(page, 'Devices');
  const link = await page.getByLabel('Invite link').inputValue();
  const other = await app.open(PHONE);
  await other.page.goto(link);
  await other.page.getByRole('button', { name: 'Join this ledger' }).click();
  await other.page.getByRole('heading', { name: 'Missing', level: 1 }).waitFor();
  await goTo(other.page, 'Devices');
  await failNext(other.page, { name: 'NodeStoppedError', message: 'the node is stopped' });
  await other.page.getByRole('button', { name: 'Ask to join' }).click();
  messages.push(await bannerSentence(other.page, 'Request not sent.'));
  // Joining when no device of the ledger answers (a ledger not on that device yet): the start
  // page's form leads to the join page, which asks first.
  const elsewhere = await app.open();
  await createLedger(elsewhere.page, app.url, 'Elsewhere');
  await goTo(elsewhere.page, 'Devices');
  const newLink = await elsewhere.page.getByLabel('Invite link').inputValue();
  await other.page.goto(`${app.url}/`);
  await other.page.getByLabel('Invite link').fill(newLink);
  await other.page.getByRole('button', { name: 'Join' }).click();
  await other.page.getByRole('heading', { name: 'You are invited to “Elsewhere”' }).waitFor();
  await failNext(other.page, { name: 'GenesisNotFoundError', message: 'no device answered' });
  await other.page.getByRole('button', { name: 'Join this ledger' }).click();
  messages.push(await bannerSentence(other.page, 'Could not join.'));

  for (const message of messages) expectSentence(message);
  expect(errors.filter((e) => !e.includes('404'))).toEqual([]);
});
