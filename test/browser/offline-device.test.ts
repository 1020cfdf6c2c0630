// A device goes offline and comes back: four validator devices (browser contexts, real relay,
// direct WebRTC) form a ledger; D's context goes offline, the other three (3 of 4 equal powers,
// more than 2/3) keep committing, D signs a transfer that waits in its outbox; back online, D
// reconnects, catches up to the same head and its transfer commits identically on all four.
import { expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { committed, formLedger, status, until } from './support/ledger-devices';
import { setDeviceOnline } from './support/connectivity';
import { useLedgerWorld } from './support/ledger-world';

const world = useLedgerWorld();

/** Forming a four-device ledger alone takes minutes on a loaded two-core machine. */
const TEST_TIMEOUT_MS = 480_000;

test(
  'a device offline signs a transfer; back online it catches up and the transfer commits',
  async () => {
    const { chainId, members } = await formLedger(
      world.browser,
      world.server.url,
      world.contexts,
      4,
    );
    const [a, b, c, d] = members as [Page, Page, Page, Page];
    const [bAddress, cAddress, dAddress] = await Promise.all(
      [b, c, d].map((page) => page.evaluate(() => window.ledger.address())),
    );

    // D gets funds while everyone is online.
    const funding = await a.evaluate(
      ([id, to]) => window.ledger.transfer(id!, to!, 1_000),
      [chainId, dAddress!],
    );
    const fundedAt = await committed(a, chainId, funding.hash);
    await until('D sees its funds', async () =>
      (await d.evaluate(([id, me]) => window.ledger.balance(id!, me!), [chainId, dAddress!])) ===
      1_000
        ? true
        : null,
    );
    expect((await status(d, chainId)).online).toBe(true);

    await setDeviceOnline(d, false);
    const offline = await until('D reports itself offline', async () => {
      const now = await status(d, chainId);
      return now.online === false ? now : null;
    });
    expect(offline.peerCount).toBe(0);
    expect(offline.height).toBeGreaterThanOrEqual(fundedAt);

    // Signed offline: waits in D's outbox.
    const offlineTransfer = await d.evaluate(
      ([id, to]) => window.ledger.transfer(id!, to!, 77),
      [chainId, cAddress!],
    );
    expect(offlineTransfer.status).toBe('pending');

    // A, B and C hold 3 of 4 equal powers: they keep committing without D.
    let headWithoutD = 0;
    for (const amount of [1, 2]) {
      const tx = await a.evaluate(
        ([id, to, n]) => window.ledger.transfer(id!, to!, Number(n)),
        [chainId, bAddress!, String(amount)],
      );
      headWithoutD = await committed(a, chainId, tx.hash);
    }
    expect(headWithoutD).toBeGreaterThan(offline.height);
    for (const page of [b, c]) {
      await until('B and C commit without D', async () =>
        (await status(page, chainId)).height >= headWithoutD ? true : null,
      );
    }
    const whileOffline = await status(d, chainId);
    expect(whileOffline.height).toBe(offline.height);
    expect(whileOffline.online).toBe(false);
    const pending = await d.evaluate((id) => window.ledger.activity(id), chainId);
    expect(pending.find((entry) => entry.hash === offlineTransfer.hash)?.status).toBe('pending');
    for (const page of [a, b, c]) {
      const view = await page.evaluate(
        ([id, to]) => window.ledger.balance(id!, to!),
        [chainId, cAddress!],
      );
      expect(view ?? 0).toBe(0);
    }

    // Back online: D reconnects, catches up to the others' head and resubmits its transfer.
    await setDeviceOnline(d, true);
    await until('D reports itself online', async () =>
      (await status(d, chainId)).online ? true : null,
    );
    const headHashWithoutD = await a.evaluate(
      ([id, h]) => window.ledger.block(id!, Number(h)).then((block) => block?.hash),
      [chainId, String(headWithoutD)],
    );
    await until('D catches up to the head committed without it', async () => {
      const block = await d.evaluate(
        ([id, h]) => window.ledger.block(id!, Number(h)),
        [chainId, String(headWithoutD)],
      );
      return block?.hash === headHashWithoutD ? true : null;
    });
    const height = await committed(d, chainId, offlineTransfer.hash);
    expect(height).toBeGreaterThan(headWithoutD);

    const views = await Promise.all(
      members.map(async (page) => {
        await until('the transfer reaches every device', async () =>
          (await status(page, chainId)).height >= height ? true : null,
        );
        return page.evaluate(
          async ([id, h, to]) => {
            const block = await window.ledger.block(id!, Number(h));
            return {
              hash: block?.hash,
              txs: block?.txs.map((tx) => tx.hash),
              balance: await window.ledger.balance(id!, to!),
              problem: (await window.ledger.status(id!)).problem,
            };
          },
          [chainId, String(height), cAddress!],
        );
      }),
    );
    for (const view of views) {
      expect(view).toEqual({
        hash: views[0]!.hash,
        txs: views[0]!.txs,
        balance: 77,
        problem: null,
      });
      expect(view.txs).toContain(offlineTransfer.hash);
    }
  },
  TEST_TIMEOUT_MS,
);
