// The app as a person meets it, one test per thing that used to trip a new user (issue 17),
// in real Chromium: the real SvelteKit app with the in-memory preview node injected through the
// app's `window.__ledgerDeviceOverride` hook. Assertions are on what a person sees: labels,
// roles, visible text. Screenshots of every page at both widths go to SCREENSHOT_DIR for review.
import { expect, test } from 'vitest';
import {
  DESKTOP,
  INITIAL_BLOCKS,
  PHONE,
  commitPending,
  createLedger,
  expectSentence,
  goTo,
  hasNoHorizontalOverflow,
  poll,
  usePreviewApp,
  SCREENSHOT_DIR,
  visibleText,
} from './support/preview-app';

const app = usePreviewApp();
/** Tab presses allowed to reach the Send button from the top of the ledger page. */
const TAB_PRESSES_MAX = 40;

test('Home shows your balance beside Send, and blocks arriving as tiles (item 1)', async () => {
  const { page, errors } = await app.open();
  const chainId = await createLedger(page, app.url, 'Household');
  const balance = page.getByRole('region', { name: 'Your balance' });
  await poll(() => balance.getByTestId('balance').textContent()).toContain('1,000');
  expect(await page.getByRole('region', { name: 'Send' }).isVisible()).toBe(true);

  await page.getByLabel('To address').fill('b'.repeat(40));
  await page.getByLabel('Amount').fill('25');
  await page.getByRole('button', { name: 'Send' }).click();
  const activity = page.getByRole('list', { name: 'Your activity' }).getByRole('listitem');
  await poll(() => activity.first().textContent()).toContain('Pending');
  await commitPending(page);
  await poll(() => balance.getByTestId('balance').textContent()).toContain('975');
  await poll(() => activity.first().textContent()).toContain(
    `Confirmed in block ${INITIAL_BLOCKS + 1}`,
  );
  // The newest tile is the block with the transfer; it opens that block.
  const tiles = page.getByRole('list', { name: 'Latest blocks' }).getByRole('link');
  await poll(() => tiles.last().getAttribute('aria-label')).toBe(
    `Block ${INITIAL_BLOCKS + 1}, 1 change`,
  );
  await tiles.last().click();
  await page.getByRole('heading', { name: `Block ${INITIAL_BLOCKS + 1}` }).waitFor();
  expect(page.url()).toContain(`/ledger/${chainId}/block/${INITIAL_BLOCKS + 1}`);
  expect(errors).toEqual([]);
});

test('devices have names, and what happened is said in words (item 2)', async () => {
  const { page, errors } = await app.open();
  const chainId = await createLedger(page, app.url, 'Names');
  await page.evaluate((id) => window.__ledgerPreview?.addJoinRequest(id, "Anna's phone"), chainId);

  // The name a device gave itself when it asked to join is used everywhere after.
  await goTo(page, 'Devices');
  const requests = page.getByRole('region', { name: 'Join requests' });
  await poll(() => requests.textContent()).toContain("Anna's phone");
  await requests.getByRole('button', { name: "Approve Anna's phone" }).click();
  await poll(() => requests.textContent()).toContain('You approved');
  await goTo(page, 'Home');
  const activity = page.getByRole('list', { name: 'Your activity' }).getByRole('listitem');
  // A private ledger (the default): approving lets the device in as a member.
  await poll(() => activity.first().textContent()).toContain(
    "Let Anna's phone into this private ledger",
  );

  // A person names an account once; sends to it then read with the name.
  await page.getByLabel('To address').fill('b'.repeat(40));
  await page.getByLabel('Amount').fill('10');
  await page.getByRole('button', { name: 'Send' }).click();
  await commitPending(page);
  await goTo(page, 'Accounts');
  const accounts = page.getByRole('region', { name: 'Accounts and balances' });
  await accounts.getByRole('link', { name: /Device bbbbbb/ }).click();
  await page.getByRole('button', { name: 'Give it a name' }).click();
  await page.getByLabel('Name for this device').fill('Bob');
  await page.getByRole('button', { name: 'Save name' }).click();
  await page.getByRole('heading', { name: 'Bob' }).waitFor();
  await goTo(page, 'Home');
  await poll(() => activity.first().textContent()).toContain('Send 10 to Bob');

  // The network page talks of devices and votes; steps and rounds wait behind a disclosure.
  await goTo(page, 'Network');
  const validators = page.getByRole('region', { name: 'Validators' });
  await poll(() => validators.textContent()).toContain('Voting');
  expect(await validators.textContent()).toContain('No vote seen yet');
  const onScreen = await visibleText(page);
  expect(onScreen).not.toMatch(/\bh\d+ r\d+\b|precommit|prevote/);
  await page.getByText('Technical details').click();
  await poll(() => visibleText(page)).toMatch(/precommit/);
  expect(await visibleText(page)).toMatch(/\bh\d+ r0\b/);
  expect(errors).toEqual([]);
});

test('connection words say what is true, and change at once (item 3)', async () => {
  const { page } = await app.open();
  await page.goto(`${app.url}/`);
  await page.getByRole('heading', { name: 'Your ledgers' }).waitFor();
  // The start page does not guess: it says nothing about the network until the browser does.
  expect(await visibleText(page)).not.toMatch(/\b(Online|Offline)\b/);
  await page.evaluate(() => dispatchEvent(new Event('offline')));
  await poll(() => page.getByText('You are offline.').count()).toBe(1);
  await page.evaluate(() => dispatchEvent(new Event('online')));
  await poll(() => page.getByText('You are offline.').count()).toBe(0);

  const chainId = await createLedger(page, app.url, 'Status');
  const pill = page.getByTestId('connection');
  // Two devices of this ledger; the relay is not counted as one.
  await poll(() => pill.textContent()).toContain('2 devices connected');
  await goTo(page, 'Network');
  const map = page.getByRole('img', { name: /^This device/ });
  await poll(() => map.getAttribute('aria-label')).toBe(
    'This device, connected to 2 other devices and the relay',
  );
  await page.evaluate((id) => window.__ledgerPreview?.setOnline(id, false), chainId);
  await poll(() => pill.textContent()).toContain('Offline');
  await poll(() => map.getAttribute('aria-label')).toBe('This device, offline');
  expect(await visibleText(page)).toContain('Changes you make wait and are sent when it returns.');
  await page.evaluate((id) => window.__ledgerPreview?.setOnline(id, true), chainId);
  await poll(() => pill.textContent()).toContain('2 devices connected');
  // A validator that has not voted yet is not called offline.
  const validators = page.getByRole('region', { name: 'Validators' });
  await poll(() => validators.textContent()).toContain('No vote seen yet');
  expect(await validators.textContent()).not.toContain('offline');
});

test('invite links: none, then a real one in the same tab, then damaged ones (item 4)', async () => {
  const inviter = await app.open();
  await createLedger(inviter.page, app.url, 'Shared');
  await goTo(inviter.page, 'Devices');
  const link = await inviter.page.getByLabel('Invite link').inputValue();
  expect(link).toMatch(/\/join#[A-Za-z0-9_-]+$/);

  const { page, errors } = await app.open(PHONE);
  await page.goto(`${app.url}/join`);
  const alert = page.getByRole('alert');
  await poll(() => alert.textContent()).toContain('This link has no invite.');
  // Opening the real link in the same tab changes only the fragment: no page load. The page
  // says what the invite is and joins only when asked.
  await page.evaluate(() => ((window as unknown as { marker: number }).marker = 1));
  await page.evaluate((fragment) => (location.hash = fragment), link.split('#')[1]!);
  await page.getByRole('heading', { name: 'You are invited to “Shared”' }).waitFor();
  await page.getByRole('button', { name: 'Join this ledger' }).click();
  await page.waitForURL(/\/ledger\/[0-9a-f]{64}$/);
  await page.getByRole('heading', { name: 'Shared', level: 1 }).waitFor();
  expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(1);
  expect(await page.getByTestId('role').textContent()).toBe('Observer');

  // Damaged links say so in a sentence, never with the browser's decoding error.
  for (const damaged of [`${link.slice(0, -7)}`, `${app.url}/join#abcde`, `${app.url}/join#%%%`]) {
    await page.goto(damaged);
    const failure = page.getByRole('alert').filter({ hasText: 'Could not join.' });
    await poll(() => failure.count()).toBe(1);
    const text = (await visibleText(failure)).replace('Could not join.', '');
    expectSentence(text);
    expect(text).toContain('damaged or incomplete');
  }
  expect(errors).toEqual([]);
});

test('forms empty after Send and Save, Delete asks first, notes go away (items 5, 6)', async () => {
  const { page, errors } = await app.open();
  await createLedger(page, app.url, 'Forms');
  await page.getByLabel('To address').fill('c'.repeat(40));
  await page.getByLabel('Amount').fill('-5');
  await page.getByRole('button', { name: 'Send' }).click();
  await poll(() => page.getByText('The amount must be more than zero.').count()).toBe(1);
  await page.getByLabel('Amount').fill('5');
  await page.getByRole('button', { name: 'Send' }).click();
  await poll(() => page.getByLabel('To address').inputValue()).toBe('');
  expect(await page.getByLabel('Amount').inputValue()).toBe('');

  await page.getByLabel('Key').fill('greeting');
  await page.getByLabel('Value').fill('hello');
  await page.getByRole('button', { name: 'Save record' }).click();
  const saveNote = page.getByRole('region', { name: 'Save a record' }).getByRole('status');
  await poll(() => saveNote.textContent()).toContain('Saving “greeting”');
  expect(await page.getByLabel('Key').inputValue()).toBe('');
  expect(await page.getByLabel('Value').inputValue()).toBe('');
  // The note says what happened, then leaves (the activity list keeps the story).
  await poll(() => saveNote.textContent()).toBe('');
  await commitPending(page);

  await goTo(page, 'Records');
  const records = page.getByRole('list', { name: 'Records' });
  await poll(() => records.textContent()).toContain('hello');
  await records.getByRole('button', { name: 'Delete greeting' }).click();
  await poll(() => records.textContent()).toContain('Delete “greeting” for everyone?');
  await records.getByRole('button', { name: 'Keep it' }).click();
  await records.getByRole('button', { name: 'Delete greeting' }).click();
  await records.getByRole('button', { name: 'Yes, delete' }).click();
  await poll(() => records.textContent()).toContain('Deleting…');
  await commitPending(page);
  await poll(() => page.getByText('No records.').count()).toBe(1);
  expect(errors).toEqual([]);
});

test('the explorer finds a block, a transaction and an account (item 9)', async () => {
  const { page, errors } = await app.open();
  await createLedger(page, app.url, 'Explore');
  await page.getByLabel('To address').fill('d'.repeat(40));
  await page.getByLabel('Amount').fill('7');
  await page.getByRole('button', { name: 'Send' }).click();
  const activity = page.getByRole('list', { name: 'Your activity' }).getByRole('listitem');
  const txHash = (await activity.first().getAttribute('data-hash')) ?? '';
  await goTo(page, 'Explorer');
  const find = async (text: string) => {
    await page.getByLabel('Block number, hash or address').fill(text);
    await page.getByRole('button', { name: 'Find' }).click();
  };
  // Not in a block yet: said so.
  await find(txHash);
  await poll(() => page.getByText('It is not in a block yet').count()).toBe(1);
  await commitPending(page);

  await find(txHash);
  await page.getByRole('heading', { name: `Block ${INITIAL_BLOCKS + 1}` }).waitFor();
  const marked = page.locator('li[aria-current="true"]');
  await poll(() => marked.textContent()).toContain('Send 7 to Device dddddd');

  await goTo(page, 'Explorer');
  await find('3');
  await page.getByRole('heading', { name: 'Block 3' }).waitFor();
  await page.getByText('Technical details').click();
  const blockHash = await page.locator('dt:text-is("Hash") + dd').textContent();
  await goTo(page, 'Explorer');
  await find(blockHash ?? '');
  await page.getByRole('heading', { name: 'Block 3' }).waitFor();

  await goTo(page, 'Explorer');
  await find('d'.repeat(40));
  await poll(() => page.getByTestId('account-balance').textContent()).toBe('7');

  await goTo(page, 'Explorer');
  await find('e'.repeat(64));
  await poll(() => page.getByText(/^Nothing found/).count()).toBe(1);
  await find('hello');
  await poll(() => page.getByText(/^Type a block number/).count()).toBe(1);
  expect(errors).toEqual([]);
});

test('the Send button is reachable with the keyboard alone and shows focus', async () => {
  const { page } = await app.open();
  await page.goto(`${app.url}/`);
  await page.getByLabel('Ledger name').fill('Keys');
  await page.getByLabel('Ledger name').press('Enter');
  await page.waitForURL(/\/ledger\/[0-9a-f]{64}$/);
  await page.getByRole('button', { name: 'Send' }).waitFor();
  await page.locator('body').click({ position: { x: 1, y: 1 } });

  let reached = false;
  for (let presses = 0; presses < TAB_PRESSES_MAX && !reached; presses += 1) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement?.textContent?.trim() === 'Send');
  }
  expect(reached).toBe(true);
  const focusRing = await page.evaluate(() => {
    const active = document.activeElement;
    return active ? getComputedStyle(active).boxShadow : 'none';
  });
  expect(focusRing).not.toBe('none');
  // Enter on the focused button submits the form (here: the validation messages).
  await page.keyboard.press('Enter');
  await poll(() => page.getByText('Enter an address.').count()).toBe(1);
});

test('every page fits a 390 px phone and a desktop screen (screenshots for review)', async () => {
  for (const [label, viewport] of [
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ] as const) {
    const { page, context, errors } = await app.open(viewport);
    await page.goto(`${app.url}/`);
    await page.getByRole('heading', { name: 'Your ledgers' }).waitFor();
    await page.screenshot({ path: `${SCREENSHOT_DIR}/${label}-start-empty.png`, fullPage: true });
    const chainId = await createLedger(page, app.url, 'A ledger with a rather long name');
    await page.evaluate(
      (id) => window.__ledgerPreview?.addJoinRequest(id, "Anna's phone"),
      chainId,
    );
    await page.getByLabel('To address').fill('d'.repeat(40));
    await page.getByLabel('Amount').fill('5');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByLabel('Key').fill('greeting');
    await page.getByLabel('Value').fill('hello');
    await page.getByRole('button', { name: 'Save record' }).click();
    await commitPending(page);
    await page.getByLabel('To address').fill('e'.repeat(40));
    await page.getByLabel('Amount').fill('3');
    await page.getByRole('button', { name: 'Send' }).click();

    const pages: { link: string; ready: () => Promise<unknown> }[] = [
      { link: 'Home', ready: () => page.getByText('Confirmed in block').first().waitFor() },
      {
        link: 'Explorer',
        ready: () =>
          page.getByRole('link', { name: `Block ${INITIAL_BLOCKS + 1}`, exact: true }).waitFor(),
      },
      { link: 'Accounts', ready: () => page.getByRole('table').waitFor() },
      { link: 'Records', ready: () => page.getByText('hello').waitFor() },
      {
        link: 'Network',
        ready: () => page.getByRole('region', { name: 'Validators' }).getByText('Voting').waitFor(),
      },
      { link: 'Devices', ready: () => page.getByRole('img', { name: /QR code/ }).waitFor() },
    ];
    for (const { link, ready } of pages) {
      await goTo(page, link);
      await ready();
      expect({ label, link, fits: await hasNoHorizontalOverflow(page) }).toEqual({
        label,
        link,
        fits: true,
      });
      await page.screenshot({
        path: `${SCREENSHOT_DIR}/${label}-${link.toLowerCase()}.png`,
        fullPage: true,
      });
    }
    await goTo(page, 'Explorer');
    await page.getByRole('link', { name: `Block ${INITIAL_BLOCKS + 1}`, exact: true }).click();
    await page.getByRole('heading', { name: `Block ${INITIAL_BLOCKS + 1}` }).waitFor();
    expect(await hasNoHorizontalOverflow(page)).toBe(true);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/${label}-block.png`, fullPage: true });
    await goTo(page, 'Accounts');
    await page.getByRole('link', { name: /You/ }).click();
    await page.getByRole('heading', { name: 'History' }).waitFor();
    expect(await hasNoHorizontalOverflow(page)).toBe(true);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/${label}-account.png`, fullPage: true });
    await page.getByRole('link', { name: 'Ledgers' }).click();
    await page.getByRole('list', { name: 'Ledgers on this device' }).waitFor();
    expect(await hasNoHorizontalOverflow(page)).toBe(true);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/${label}-start.png`, fullPage: true });
    await page.goto(`${app.url}/join`);
    await page.getByRole('alert').waitFor();
    await page.screenshot({ path: `${SCREENSHOT_DIR}/${label}-join.png`, fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  }
});
