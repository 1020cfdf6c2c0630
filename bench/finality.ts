// Time to finality of a transfer across 4 Chromium tabs (4 validator devices over loopback
// WebRTC, one relay): one tx at a time, from the moment the test asks a tab to sign and submit
// until the block holding it is committed in every tab (each tab notes Date.now() when it
// commits a height; the tabs share the machine's clock). Prints a markdown table.
// Run: unshare -n sh -c 'ip link set lo up; npx tsx bench/finality.ts'   (or via npm run bench)
import '../src/server/polyfill';
import { loadavg } from 'node:os';
import { committed, until, type DevicePage } from '../test/browser/support/ledger-devices';
import { LEDGER_TABS, withLedgerTabs, type LedgerTabs } from './lib/ledger-tabs';
import { median, percentile } from './lib/stats';

export const FINALITY_TXS = 20;
export const FINALITY_DEVICES = LEDGER_TABS;

export interface FinalityResult {
  samplesMs: number[];
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * On `tabs` (a fresh ledger of 4 validator tabs), or on tabs of its own: a public ledger, or
 * with `access` 'private' one whose gossip is sealed (AES-GCM under the epoch key).
 */
export async function measureFinality(
  txs = FINALITY_TXS,
  tabs?: LedgerTabs,
  access: 'public' | 'private' = 'public',
): Promise<FinalityResult> {
  return withLedgerTabs(tabs, (own) => finalityOn(own, txs), access);
}

/**
 * One transfer at a time from each member in turn: submit -> committed in every member. The
 * members may be any devices (other browsers, other networks: bench/finality-nat.ts) on one
 * machine's clock; members[0] holds the funds.
 */
export async function finalityOn(
  ledger: { chainId: string; members: readonly DevicePage[] },
  txs: number,
): Promise<FinalityResult> {
  const { chainId, members } = ledger;
  const creator = members[0] as DevicePage;
  const recipient = 'ab'.repeat(20);
  const samplesMs: number[] = [];
  for (let i = 0; i < txs; i++) {
    const sender = members[i % members.length] as DevicePage;
    if (i > 0 && i < members.length) {
      // Fund each other sender once from the creator (not measured).
      const address = await sender.evaluate(() => window.ledger.address());
      const funding = await creator.evaluate(
        ([id, to]) => window.ledger.transfer(id!, to!, 1_000),
        [chainId, address],
      );
      await committed(creator, chainId, funding.hash, 20);
    }
    const startedMs = Date.now();
    const activity = await sender.evaluate(
      ([id, to]) => window.ledger.transfer(id!, to!, 1),
      [chainId, recipient],
    );
    const height = await committed(sender, chainId, activity.hash, 20);
    const times = await Promise.all(
      members.map((page) =>
        until(
          'every tab commits the block',
          () =>
            page.evaluate(
              ([id, h]) => window.ledger.committedAt(id!, Number(h)),
              [chainId, String(height)],
            ),
          30_000,
          20,
        ),
      ),
    );
    samplesMs.push(Math.max(...times) - startedMs);
  }
  return {
    samplesMs,
    p50Ms: median(samplesMs),
    p99Ms: percentile(samplesMs, 99),
    maxMs: Math.max(...samplesMs),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const access = process.env.BENCH_ACCESS === 'private' ? 'private' : 'public';
  const result = await measureFinality(FINALITY_TXS, undefined, access);
  console.log(
    `load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' / ')}`,
  );
  console.log('| measure | value |\n|---|---|');
  console.log(
    `| finality p50, ${FINALITY_DEVICES} tabs, ${access}, ${FINALITY_TXS} txs | ${result.p50Ms} ms |`,
  );
  console.log(`| finality p99 | ${result.p99Ms} ms |`);
  console.log(`| finality max | ${result.maxMs} ms |`);
  console.log(`samples: ${result.samplesMs.join(', ')}`);
}
