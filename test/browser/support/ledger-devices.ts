// Forms one ledger across several devices (browser contexts) through the node harness page
// (test/browser/pages/node.ts): the first creates it, the others join from its invite link and
// are approved by the validators, one device at a time. Shared by tests and benchmarks.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { JoinRequest } from '../../../src/lib/node/api';
import { newDevice } from './chromium';

export const STEP_TIMEOUT_MS = 90_000;

/**
 * What these helpers need of a device's page: evaluating a function in it. A Playwright page
 * has it, and so does a device in another browser (test/netbed/firefox.ts).
 */
export type DevicePage = Pick<Page, 'evaluate'>;

export async function until<T>(
  label: string,
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = STEP_TIMEOUT_MS,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null && value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out: ${label}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export async function openNodeDevice(
  browser: Browser,
  harnessUrl: string,
  contexts: BrowserContext[],
): Promise<Page> {
  const context = await newDevice(browser);
  contexts.push(context);
  const page = await context.newPage();
  // Page errors are printed to help diagnose a failure; assertions are on ledger state.
  page.on('console', (message) => {
    if (message.type() === 'error') console.log(`page error: ${message.text()}`);
  });
  await page.goto(`${harnessUrl}/node.html`);
  await page.waitForFunction(() => window.ledger !== undefined);
  return page;
}

export const status = (page: DevicePage, chainId: string) =>
  page.evaluate((id) => window.ledger.status(id), chainId);

/**
 * What each device shows once it has block `height`: that block's hash, `account`'s balance and
 * every record (to compare devices after writes).
 */
export function viewsAt(pages: DevicePage[], chainId: string, height: number, account: string) {
  return Promise.all(
    pages.map(async (page) => {
      await until(`block ${height} on every device`, async () =>
        (await status(page, chainId)).height >= height ? true : null,
      );
      return page.evaluate(
        async ([id, h, to]) => ({
          hash: (await window.ledger.block(id!, Number(h)))?.hash,
          balance: await window.ledger.balance(id!, to!),
          records: await window.ledger.records(id!, ''),
        }),
        [chainId, String(height), account],
      );
    }),
  );
}

/** Polls the sender's outbox until the tx commits; its height. Throws if it is rejected. */
export async function committed(
  page: DevicePage,
  chainId: string,
  hash: string,
  intervalMs = 200,
): Promise<number> {
  return until(
    `tx ${hash.slice(0, 8)} committed`,
    async () => {
      const entries = await page.evaluate((id) => window.ledger.activity(id), chainId);
      const entry = entries.find((e) => e.hash === hash);
      if (entry?.status === 'rejected') throw new Error(`tx rejected: ${entry.code}`);
      return entry?.status === 'committed' ? entry.height : null;
    },
    STEP_TIMEOUT_MS,
    intervalMs,
  );
}

/** A ledger of `count` validator devices; returns the chain id and the pages, creator first. */
export async function formLedger(
  browser: Browser,
  harnessUrl: string,
  contexts: BrowserContext[],
  count: number,
  access: 'public' | 'private' = 'public',
): Promise<{ chainId: string; members: Page[] }> {
  return formLedgerWith(count, () => openNodeDevice(browser, harnessUrl, contexts), access);
}

/** The same with devices from `openDevice(index)` (e.g. in other browsers or networks). */
export async function formLedgerWith<P extends DevicePage>(
  count: number,
  openDevice: (index: number) => Promise<P>,
  access: 'public' | 'private' = 'public',
): Promise<{ chainId: string; members: P[] }> {
  const creator = await openDevice(0);
  const chainId = await creator.evaluate(
    (kind) => window.ledger.create('devices', 1_000_000, kind),
    access,
  );
  const link = await creator.evaluate((id) => window.ledger.invite(id), chainId);
  const members: P[] = [creator];
  for (let index = 1; index < count; index++) {
    const page = await openDevice(index);
    await joinAsValidator(page, {
      chainId,
      link,
      validators: members,
      label: `device ${index + 1}`,
      access,
    });
    members.push(page);
  }
  return { chainId, members };
}

/**
 * `page` joins the ledger from its invite `link`, asks to become a validator, and every current
 * validator approves on its own device until the change applies.
 */
export async function joinAsValidator(
  page: DevicePage,
  ledger: {
    chainId: string;
    link: string;
    validators: readonly DevicePage[];
    label: string;
    /** 'private': the device asks for 'validator' and is first made a member (one approval). */
    access?: 'public' | 'private';
  },
): Promise<void> {
  const { chainId, link, label } = ledger;
  const joined = await page.evaluate((invite) => window.ledger.join(invite), link);
  if (joined !== chainId) throw new Error(`the invite opened ${joined}, not ${chainId}`);
  const fingerprint = (await status(page, chainId)).fingerprint;
  if (ledger.access === 'private') {
    await page.evaluate(
      ([id, name]) => window.ledger.requestToJoin(id!, name!, 'validator'),
      [chainId, label],
    );
    await admitMember(ledger.validators, chainId, fingerprint, label);
  } else {
    await page.evaluate(([id, name]) => window.ledger.requestToJoin(id!, name!), [chainId, label]);
  }
  await approveOnEvery(ledger.validators, chainId, fingerprint, label);
  await until(`${label} becomes a validator`, async () => {
    const role = (await status(page, chainId)).role;
    return role === 'validator' ? role : null;
  });
}

/**
 * On a private ledger (admission: any one validator), the first validator approves the request
 * of the key starting with `fingerprint` as a member; then every validator waits until its view
 * of the request offers 'validator' (what approveOnEvery then approves).
 */
async function admitMember(
  validators: readonly DevicePage[],
  chainId: string,
  fingerprint: string,
  label: string,
): Promise<void> {
  const first = validators[0] as DevicePage;
  const viewOn = (member: DevicePage) =>
    member
      .evaluate((id) => window.ledger.joinRequests(id), chainId)
      .then((requests) => requests.find((r) => r.publicKey.startsWith(fingerprint)) ?? null);
  const request = await until(`${label}'s join request reaches a validator`, () => viewOn(first));
  if (request.grants === 'member') {
    const activity = await first.evaluate(
      ([id, key]) => window.ledger.approve(id!, key!),
      [chainId, request.publicKey],
    );
    await committed(first, chainId, activity.hash);
  }
  for (const member of validators) {
    await until(`${label} is a member on every validator`, async () => {
      const view = await viewOn(member);
      return view?.grants === 'validator' ? view : null;
    });
  }
}

/**
 * Every validator in turn waits for the join request of the key starting with `fingerprint` and
 * approves what its view shows, until more than 2/3 of the power approved (the request is gone
 * and the key is in the set). Returns the request views the validators saw.
 */
export async function approveOnEvery(
  validators: readonly DevicePage[],
  chainId: string,
  fingerprint: string,
  label: string,
): Promise<JoinRequest[]> {
  const seen: JoinRequest[] = [];
  for (const member of validators) {
    const request = await until(`${label}'s join request reaches a validator`, async () => {
      const requests = await member.evaluate((id) => window.ledger.joinRequests(id), chainId);
      const found = requests.find((r) => r.publicKey.startsWith(fingerprint));
      if (found) return found;
      // More than 2/3 of the power may have approved already: then the request is gone.
      const validators = await member.evaluate((id) => window.ledger.validators(id), chainId);
      return validators.some((v) => v.publicKey.startsWith(fingerprint)) ? 'applied' : null;
    });
    if (request === 'applied') break;
    seen.push(request);
    if (request.approvedByMe) continue;
    let activity;
    try {
      activity = await member.evaluate(
        ([id, key]) => window.ledger.approve(id!, key!),
        [chainId, request.publicKey],
      );
    } catch (error) {
      // The others' approvals passed 2/3 between the view and this click: the request settled.
      if (!/unknown-request|request-changed/.test(String(error))) throw error;
      // (A change approved at height H joins the set at H + 2.)
      await until(`${label} is in the validator set after its request settled`, async () => {
        const validators = await member.evaluate((id) => window.ledger.validators(id), chainId);
        return validators.some((v) => v.publicKey.startsWith(fingerprint)) ? true : null;
      });
      break;
    }
    await committed(member, chainId, activity.hash);
  }
  return seen;
}
