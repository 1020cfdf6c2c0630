// Which ledger a run of the peer serves: the one its --invite names (joined, or resumed if it is
// there already), a new one (--create), or the one already in the data directory (--ledger when
// there are several). The same create/join code as a browser profile (device-ledgers.ts).
import { decodeGenesis } from '../lib/core/encoding';
import { chainIdOf } from '../lib/core/hash';
import { fetchGenesisFromNodePeers } from '../lib/net/node-network';
import type { Invite } from '../lib/node/api';
import {
  createLedger,
  GENESIS_FETCH_TIMEOUT_MS,
  joinLedger,
  type DeviceLedgers,
} from '../lib/node/device-ledgers';
import type { DeviceKey, LedgerEntry } from '../lib/store/types';
import { APP_URL_DEFAULT, type PeerConfig } from './args';
import { EXIT, PeerExit } from './exit-codes';

export async function chooseLedger(
  config: PeerConfig,
  ledgers: DeviceLedgers,
  key: DeviceKey,
): Promise<string> {
  const held = await ledgers.store.ledgers();
  const { mode } = config;
  if (mode.type === 'invite') {
    // The invite comes through whole (a private one with its access): its network is found by
    // what the access names.
    const fetchGenesis = async (invite: Invite) => {
      const bytes = await fetchGenesisFromNodePeers({
        chainId: invite.chainId,
        relays: [...invite.relays, ...config.relays],
        accept: (candidate) => {
          try {
            return chainIdOf(decodeGenesis(candidate)) === invite.chainId;
          } catch {
            return false;
          }
        },
        signal: AbortSignal.timeout(GENESIS_FETCH_TIMEOUT_MS),
      });
      return decodeGenesis(bytes);
    };
    return (await joinLedger(ledgers, mode.link, fetchGenesis)).chainId;
  }
  if (mode.type === 'create') {
    if (held.length > 0) {
      const names = held.map((l) => `"${l.name}" (${l.chainId.slice(0, 12)}…)`).join(', ');
      throw new PeerExit(
        EXIT.usage,
        `the data directory already holds ${names}: run without --create to resume it, or ` +
          'give another --data-dir',
      );
    }
    return createLedger(ledgers, key.publicKey, {
      name: mode.name,
      balances: mode.balances,
      access: mode.access,
    });
  }
  if (config.ledger !== null) return config.ledger;
  if (held.length === 1) return (held[0] as LedgerEntry).chainId;
  if (held.length === 0) {
    throw new PeerExit(
      EXIT.noLedger,
      `the data directory ${config.dataDir} holds no ledger: give --invite '<link>' or --create`,
    );
  }
  throw new PeerExit(
    EXIT.noLedger,
    `the data directory holds ${held.length} ledgers: name one with --ledger ` +
      held.map((l) => `${l.chainId} ("${l.name}")`).join(', '),
  );
}

/** The invite link's app address: --app-url, else the --invite link's own, else the default. */
export function appUrlOf(config: PeerConfig): string {
  if (config.appUrl !== null) return config.appUrl;
  if (config.mode.type === 'invite') {
    const at = config.mode.link.indexOf('/join#');
    if (at > 0) return config.mode.link.slice(0, at);
  }
  return APP_URL_DEFAULT;
}
