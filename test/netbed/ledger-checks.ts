// What the testbed scenarios check on a device: which ICE candidate pair its WebRTC connections
// selected (direct or through TURN, and how it reaches TURN), and whether its own precommit
// signature is in a block's commit (it voted, not only watched).
import type { IcePair } from '../browser/pages/ice-pairs';
import { committed, until, type DevicePage } from '../browser/support/ledger-devices';

export const usesRelay = (pair: IcePair) =>
  pair.local.type === 'relay' || pair.remote.type === 'relay';

export function describePair(pair: IcePair): string {
  const side = (c: IcePair['local']) =>
    `${c.type}/${c.protocol}${c.relayProtocol ? ` (to TURN over ${c.relayProtocol})` : ''} ${c.address}`;
  return `${side(pair.local)} <-> ${side(pair.remote)}`;
}

/** The device's selected pairs once `accept` holds for them (polls: connections take a moment). */
export async function icePairsWhen(
  page: DevicePage,
  label: string,
  accept: (pairs: IcePair[]) => boolean,
): Promise<IcePair[]> {
  let last: IcePair[] = [];
  try {
    return await until(label, async () => {
      last = await page.evaluate(() => window.ledger.icePairs());
      return accept(last) ? last : null;
    });
  } catch (error) {
    throw new Error(
      `${(error as Error).message}; pairs: ${last.map(describePair).join('; ') || 'none'}`,
    );
  }
}

/**
 * Puts records from `page` until a block's commit, as another device (`witness`) stored it,
 * carries this device's precommit: it voted, and its vote crossed the network. (A commit needs
 * only >2/3 of the power, so a block may be decided without it: try a few.) Returns the height.
 */
export async function votedInCommit(
  page: DevicePage,
  witness: DevicePage,
  chainId: string,
  label: string,
  attemptsMax = 5,
): Promise<number> {
  const address = await page.evaluate(() => window.ledger.address());
  for (let attempt = 1; attempt <= attemptsMax; attempt++) {
    const entry = await page.evaluate(
      ([id, key]) => window.ledger.putRecord(id!, key!, 'here'),
      [chainId, `${label}-${attempt}`],
    );
    const height = await committed(page, chainId, entry.hash);
    const signatures = await until(`block ${height} reaches the witness`, async () => {
      const block = await witness.evaluate(
        ([id, h]) => window.ledger.block(id!, Number(h)),
        [chainId, String(height)],
      );
      return block?.commit?.signatures;
    });
    if (signatures.some((s) => s.validator === address && s.kind === 'commit')) return height;
  }
  throw new Error(`${label}'s precommit is in none of ${attemptsMax} commits`);
}
