// Time to finality across NATs and through TURN: four validator devices in four homes of the
// testbed (test/netbed/: two endpoint-independent NATs connected directly through STUN, one
// symmetric NAT and one network without UDP reaching the others through coturn), each a
// Chromium of its own, the app and relay on the testbed's public host over HTTPS. Measured like
// bench/finality.ts (one transfer at a time, submit -> committed on every device). The kernel
// here has no netem, so the links add no latency: the figure is what NAT traversal, TURN and
// four browsers on one machine cost, not a wide-area round trip. Needs root (namespaces).
// Run: npx tsx bench/finality-nat.ts   (or via npm run bench, next to the loopback rows)
import '../src/server/polyfill';
import { formLedgerWith } from '../test/browser/support/ledger-devices';
import { describePair } from '../test/netbed/ledger-checks';
import { openNetbed } from '../test/netbed/netbed';
import type { NatKind } from '../test/netbed/topology';
import { finalityOn, FINALITY_TXS, type FinalityResult } from './finality';

export const NAT_HOMES: NatKind[] = ['cone', 'cone', 'symmetric', 'no-udp'];

export interface NatFinalityResult extends FinalityResult {
  /** Each device's selected ICE pairs while measuring ("local <-> remote" per connection). */
  pairs: { home: NatKind; pairs: string[] }[];
  formedMs: number;
}

export async function measureFinalityAcrossNats(txs = FINALITY_TXS): Promise<NatFinalityResult> {
  const netbed = await openNetbed(NAT_HOMES);
  try {
    const startedMs = performance.now();
    const ledger = await formLedgerWith(NAT_HOMES.length, (home) => netbed.chromiumDevice(home));
    const formedMs = performance.now() - startedMs;
    const result = await finalityOn(ledger, txs);
    const pairs = await Promise.all(
      ledger.members.map(async (page, index) => ({
        home: NAT_HOMES[index] as NatKind,
        pairs: (await page.evaluate(() => window.ledger.icePairs())).map(describePair),
      })),
    );
    return { ...result, pairs, formedMs };
  } finally {
    await netbed.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await measureFinalityAcrossNats();
  console.log('| measure | value |\n|---|---|');
  console.log(
    `| finality p50 across NATs and TURN, 4 homes, ${result.samplesMs.length} txs | ${result.p50Ms} ms |`,
  );
  console.log(`| finality p99 | ${result.p99Ms} ms |`);
  for (const { home, pairs } of result.pairs) console.log(`${home}: ${pairs.join('; ')}`);
}
