// A tampering peer on a ledger's mesh: three honest validator devices (browser contexts, real
// relay, direct WebRTC) and a fourth browser context running a bare libp2p node on the same
// gossip topics (test/browser/pages/tamper.ts) that publishes garbage, oversized messages,
// forged txs, votes, a proposal and a decided block. Every bad message must be refused at the
// honest nodes' edge for the right reason and lower the tamperer's gossip score; afterwards the
// chain still commits, the devices agree on every block, and nothing forged shows up in any
// block, account, record, activity list or evidence — and no node reports a problem.
import { expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import type { Attack, AttackKind, Victims } from './pages/tamper';
import { newDevice } from './support/chromium';
import { committed, formLedger, status, until } from './support/ledger-devices';
import { useLedgerWorld } from './support/ledger-world';

const world = useLedgerWorld();

/** Forming the ledger and the tamperer's mesh take minutes on a loaded two-core machine. */
const TEST_TIMEOUT_MS = 360_000;
/** How long one bad message may take to reach every honest node's validator. */
const REJECTION_TIMEOUT_MS = 15_000;
/** Sends of one forgery at most (a consensus forgery goes stale if a block commits meanwhile). */
const ATTACK_ATTEMPTS_MAX = 3;

/** Each forgery and the reason the honest nodes' edge validation must give for refusing it. */
const REJECTED: [AttackKind, string][] = [
  ['garbage', 'envelope-malformed'],
  ['tampered-tx', 'bad-signature'],
  ['stolen-tx', 'bad-signature'],
  ['forged-vote', 'bad-signature'],
  ['forged-proposal', 'not-a-validator'],
  ['forged-block', 'commit-bad-signature'],
  ['too-large', 'envelope-too-large'],
  ['oversized-payload', 'envelope-payload-too-large'],
];

const network = (page: Page, chainId: string, scoreOf: string[] = []) =>
  page.evaluate(([id, peers]) => window.ledger.network(id as string, peers as string[]), [
    chainId,
    scoreOf,
  ] as const);

async function openTamperer(chainId: string): Promise<{ page: Page; peerId: string }> {
  const context = await newDevice(world.browser, world.server.url);
  world.contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[tamper] ${error.message}`));
  await page.goto(`${world.server.url}/tamper.html`);
  await page.waitForFunction(() => window.tamper?.ready === true);
  const { peerId } = await page.evaluate((id) => window.tamper.start({ chainId: id }), chainId);
  return { page, peerId };
}

test(
  'garbage from a tampering peer is rejected and shown nowhere',
  async () => {
    const { chainId, members } = await formLedger(
      world.browser,
      world.server.url,
      world.contexts,
      3,
    );
    const [a, b, c] = members as [Page, Page, Page];
    const honestIds = await Promise.all(
      members.map(async (page) => (await network(page, chainId)).peerId),
    );
    const victims: Victims = {
      validators: (await a.evaluate((id) => window.ledger.validators(id), chainId)).map((v) => ({
        address: v.address,
        publicKey: v.publicKey,
      })),
    };
    expect(victims.validators).toHaveLength(3);

    // The tamperer joins the mesh like any peer: found through the relay, dialled over WebRTC,
    // subscribed to the ledger's topics, so its messages go straight to every honest node.
    const tamperer = await openTamperer(chainId);
    for (const page of members) {
      await until('an honest node connects to the tamperer over WebRTC', async () => {
        const peers = await page.evaluate((id) => window.ledger.peers(id), chainId);
        return peers.some((peer) => peer.id === tamperer.peerId && peer.transport === 'webrtc');
      });
    }
    for (const topic of ['tx', 'consensus', 'blocks'] as const) {
      await until(`the tamperer sees every honest node on the ${topic} topic`, async () => {
        const subscribers = await tamperer.page.evaluate(
          (t) => window.tamper.subscribers(t),
          topic,
        );
        return honestIds.every((id) => subscribers.includes(id));
      });
    }

    const attacks: Attack[] = [];
    const attack = (kind: AttackKind) =>
      tamperer.page.evaluate(([k, v]) => window.tamper.attack(k as AttackKind, v as Victims), [
        kind,
        victims,
      ] as const);
    const rejectedBy = async (reason: string) =>
      Promise.all(
        members.map(
          async (page) => (await network(page, chainId)).validation.rejected[reason] ?? 0,
        ),
      );

    for (const [kind, reason] of REJECTED) {
      let refusedEverywhere = false;
      for (let attempt = 1; attempt <= ATTACK_ATTEMPTS_MAX && !refusedEverywhere; attempt++) {
        const before = await rejectedBy(reason);
        attacks.push(await attack(kind));
        refusedEverywhere = await until(
          `every honest node rejects the ${kind} as ${reason}`,
          async () => {
            const after = await rejectedBy(reason);
            return after.every((count, i) => count > (before[i] ?? 0));
          },
          REJECTION_TIMEOUT_MS,
        ).catch(() => false);
      }
      expect(refusedEverywhere, `${kind} rejected as ${reason} by every honest node`).toBe(true);
    }
    // Rejections cost the tamperer gossip score on every honest node; honest peers keep theirs.
    // The invalid-message count decays 10 %/s, so a fresh burst of garbage is scored at once.
    for (let i = 0; i < 3; i++) attacks.push(await attack('garbage'));
    for (const page of members) {
      const scores = await until(
        "the tamperer's score drops on an honest node",
        async () => {
          const { scores } = await network(page, chainId, [tamperer.peerId, ...honestIds]);
          return (scores[0] ?? 0) < 0 ? scores : null;
        },
        REJECTION_TIMEOUT_MS,
      );
      const [tampererScore, ...honestScores] = scores as [number, ...number[]];
      expect(tampererScore).toBeLessThan(0);
      for (const score of honestScores) expect(score).toBeGreaterThanOrEqual(0);
    }

    // Correctly signed by the tamperer but spending money it does not have: admissible at the edge
    // (only the state can tell), and never executable.
    attacks.push(await attack('unfunded-tx'));

    // A frame bigger than gossipsub accepts: the receivers close the stream unread.
    attacks.push(await attack('huge-frame'));

    // A decided block claiming a height far ahead, with a forged commit: it cannot be checked
    // before the blocks under it, so it is ignored, and the range sync it starts finds no peer
    // with those blocks and is dropped: no device stays "catching up" toward the made-up height
    // (checked below with every device's role).
    attacks.push(await attack('far-ahead-block'));

    // The chain goes on: real transfers from A and from B commit on every device.
    const bAddress = await b.evaluate(() => window.ledger.address());
    const cAddress = await c.evaluate(() => window.ledger.address());
    const funding = await a.evaluate(
      ([id, to]) => window.ledger.transfer(id!, to!, 500),
      [chainId, bAddress],
    );
    await committed(a, chainId, funding.hash);
    const transfer = await b.evaluate(
      ([id, to]) => window.ledger.transfer(id!, to!, 123),
      [chainId, cAddress],
    );
    const height = await committed(b, chainId, transfer.hash);
    for (const page of members) {
      await until('the transfer reaches every device', async () =>
        (await status(page, chainId)).height >= height ? true : null,
      );
    }

    const forgedTxs = new Set(attacks.flatMap((x) => x.txHashes));
    const forgedBlocks = new Set(attacks.flatMap((x) => x.blockHashes));
    // The tampered, the stolen (also inside the forged proposal and block) and the unfunded tx.
    expect(forgedTxs.size).toBe(3);
    expect(forgedBlocks.size).toBeGreaterThanOrEqual(2);
    const tampererAddress = await tamperer.page.evaluate(() => window.tamper.address());

    for (const page of members) {
      await until('every device is back to validating (no sync running)', async () =>
        (await status(page, chainId)).role === 'validator' ? true : null,
      );
    }
    const views = await Promise.all(
      members.map((page) =>
        page.evaluate(
          async ([id, h, address]) => {
            const ledger = window.ledger;
            const chain = id as string;
            const blocks = [];
            for (let height = 1; height <= Number(h); height++) {
              blocks.push(await ledger.block(chain, height));
            }
            return {
              status: await ledger.status(chain),
              blocks: blocks.map((block) => ({
                height: block?.height,
                hash: block?.hash,
                txs: block?.txs.map((tx) => tx.hash),
                evidence: block?.evidence.length,
              })),
              summaries: await ledger.blocks(chain, Number(h)),
              accounts: (await ledger.accounts(chain)).sort((x, y) =>
                x.address.localeCompare(y.address),
              ),
              tampererAccount: await ledger.account(chain, address as string),
              histories: await Promise.all(
                (await ledger.accounts(chain)).map(async ({ address }) =>
                  (await ledger.account(chain, address))?.history.map((row) => row.txHash),
                ),
              ),
              activity: (await ledger.activity(chain)).map((entry) => entry.hash),
              records: await ledger.records(chain, ''),
              validators: (await ledger.validators(chain)).map((v) => v.address),
              evidence: ledger.evidenceSeen(chain),
            };
          },
          [chainId, String(height), tampererAddress] as const,
        ),
      ),
    );

    const [first] = views;
    for (const view of views) {
      // Healthy, still validating, and in agreement on every block up to the transfer.
      expect(view.status.problem).toBeNull();
      expect(view.status.role).toBe('validator');
      expect(view.blocks).toEqual(first!.blocks);
      expect(view.summaries).toEqual(first!.summaries);
      expect(view.accounts).toEqual(first!.accounts);
      expect(view.records).toEqual([]);
      expect(view.validators).toEqual(victims.validators.map((v) => v.address));
      expect(view.evidence).toEqual([]);
      expect(view.tampererAccount).toBeNull();
      expect(view.accounts.map((account) => account.address)).not.toContain(tampererAddress);
      // Nothing forged anywhere: blocks, their txs, account histories, activity.
      for (const block of view.blocks) {
        expect(forgedBlocks.has(block.hash!)).toBe(false);
        for (const tx of block.txs ?? []) expect(forgedTxs.has(tx)).toBe(false);
        expect(block.evidence).toBe(0);
      }
      for (const hash of [...view.histories.flat(), ...view.activity]) {
        expect(forgedTxs.has(hash!)).toBe(false);
      }
    }
    expect(first!.accounts).toContainEqual({ address: cAddress, balance: 123 });
    expect(first!.accounts).toContainEqual({ address: bAddress, balance: 500 - 123 });
  },
  TEST_TIMEOUT_MS,
);
