// Read-only views of the ledger for the UI: from the store (history, blocks, records) or from
// the node's in-memory state (balances, validators), as plain data.
import { addressOf, toHex } from '../core/hash';
import type { LedgerState } from '../core/state';
import type { PeerSummary, TransportKind } from '../net/network';
import type { LedgerStore } from '../store/types';
import type {
  AccountView,
  BlockSummary,
  BlockView,
  PeerInfo,
  PeerRole,
  RecordView,
  Transport,
  ValidatorInfo,
} from './api';
import { actionOfTx, blockViewOf, summaryOfTx } from './views';
import { progressOf } from './members';

/** Rows per page the UI may ask for at most. */
export const ACCOUNT_HISTORY_ROWS_MAX = 50;
export const RECORD_ROWS_MAX = 100;

export interface LastVote {
  height: number;
  round: number;
  type: 'prevote' | 'precommit';
}

export async function blockSummaries(
  store: LedgerStore,
  page: { beforeHeight?: number; limit: number },
): Promise<BlockSummary[]> {
  const rows = await store.latestBlocks(page);
  return rows.map((row) => ({
    height: row.height,
    hash: toHex(row.hash),
    time: row.time,
    proposer: row.proposer,
    txCount: row.txCount,
  }));
}

export async function blockView(
  store: LedgerStore,
  state: LedgerState,
  height: number,
): Promise<BlockView | null> {
  const stored = await store.block(height);
  // Commit slots are named after the last signing set; older sets are not kept in memory.
  return stored ? blockViewOf(stored, state.lastValidators) : null;
}

export async function accountView(
  store: LedgerStore,
  address: string,
): Promise<AccountView | null> {
  const account = await store.account(address);
  if (!account) return null;
  const history = await store.accountHistory(address, { limit: ACCOUNT_HISTORY_ROWS_MAX });
  return {
    address,
    balance: account.balance,
    nonce: account.nonce,
    history: history.map((row) => ({
      height: row.height,
      txHash: toHex(row.txHash),
      from: addressOf(row.tx.from),
      summary: summaryOfTx(row.tx),
      action: actionOfTx(row.tx),
    })),
  };
}

export function balances(state: LedgerState): { address: string; balance: number }[] {
  return [...state.accounts].map(([address, account]) => ({ address, balance: account.balance }));
}

export async function recordViews(store: LedgerStore, prefix: string): Promise<RecordView[]> {
  const rows = await store.records(prefix, { limit: RECORD_ROWS_MAX });
  return rows.map(([fullKey, value]) => {
    const slash = fullKey.indexOf('/');
    return {
      owner: fullKey.slice(0, slash),
      key: fullKey.slice(slash + 1),
      value: new TextDecoder().decode(value),
    };
  });
}

/**
 * A validator counts as online when its votes reached us within the last two heights; this
 * device counts while it holds the validator role (`selfOnline`).
 */
export function validatorInfos(
  state: LedgerState,
  lastVotes: ReadonlyMap<string, LastVote>,
  self: string,
  selfOnline: boolean,
): ValidatorInfo[] {
  const removals = [...state.proposals.values()].filter(
    (proposal) => proposal.kind === 'validator' && proposal.power === 0,
  );
  return state.validators.validators.map((validator) => {
    const lastVote = lastVotes.get(validator.address) ?? null;
    const recent = lastVote !== null && lastVote.height >= state.height - 1;
    const removal = removals.find((p) => addressOf(p.publicKey) === validator.address);
    return {
      address: validator.address,
      publicKey: toHex(validator.publicKey),
      power: validator.power,
      online: recent || (selfOnline && validator.address === self),
      lastVote,
      removal: removal ? progressOf(state, removal, self) : null,
    };
  });
}

const TRANSPORT_PREFERENCE = ['webrtc', 'websocket', 'tcp', 'relay'] as const;

/** A peer's best connection: direct WebRTC over WebSocket/TCP over the relay. */
function bestTransport(transports: readonly TransportKind[]): Transport {
  for (const transport of TRANSPORT_PREFERENCE) {
    if (transports.includes(transport)) return transport;
  }
  // The in-memory network links nodes of one process (tests).
  return 'tab';
}

/**
 * A peer that exchanged this ledger's status is one of its devices. A browser reaches relays,
 * and only relays, over a plain WebSocket (or TCP from Node) without a status; anything else
 * without a status is a node of another ledger (met through discovery) or not identified yet.
 */
function peerRole(peer: PeerSummary): PeerRole {
  if (peer.status !== null) return 'device';
  const direct = peer.transports.some((t) => t === 'websocket' || t === 'tcp');
  const viaWebRtcOrCircuit = peer.transports.some((t) => t === 'webrtc' || t === 'relay');
  return direct && !viaWebRtcOrCircuit ? 'relay' : 'other';
}

/**
 * What the status says about connectivity: online once a relay or a device of this ledger is
 * connected; `peerCount` counts devices only (a relay or another ledger's node is no peer of
 * this ledger).
 */
export function connectivityOf(peers: readonly PeerSummary[]): {
  online: boolean;
  peerCount: number;
} {
  const roles = peers.map(peerRole);
  const peerCount = roles.filter((role) => role === 'device').length;
  return { online: peerCount > 0 || roles.includes('relay'), peerCount };
}

export function peerInfos(
  peers: readonly PeerSummary[],
  deviceOf: (peerId: string) => string | null = () => null,
): PeerInfo[] {
  return peers.map((peer) => ({
    id: peer.id,
    address: deviceOf(peer.id),
    role: peerRole(peer),
    kind: peer.kind ?? null,
    transport: bestTransport(peer.transports),
    latencyMs: peer.latencyMs,
    height: peer.status?.height ?? null,
  }));
}
