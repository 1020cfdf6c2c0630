// Exposes the real browser composition root (IndexedDB, Web Locks, BroadcastChannel, Worker
// timers, libp2p) to Playwright tests, without the UI.
// First, before libp2p captures RTCPeerConnection: the ICE pair recorder.
import { selectedIcePairs } from './ice-pairs';
import { openDevice } from '$lib/node/device';
import type { LedgerNode, NodeStatus } from '$lib/node/api';
import { openIdbLedgerStore } from '$lib/store/idb-ledger-store';
import { decodeEvidence } from '$lib/core/encoding';
import { Libp2pNetwork } from '$lib/net/libp2p-network';
import type { MessageType } from '$lib/net/message-types';

/**
 * The network each ledger's node runs (the node keeps it private; a new one after going back
 * online replaces the last), recorded when it starts, so tests can read its validation counters
 * and gossipsub scores. Also notes every evidence message the node gossips or receives.
 */
const networks = new Map<string, Libp2pNetwork>();
const evidenceSeen: {
  chainId: string;
  direction: 'published' | 'received';
  validator: string;
  height: number;
  round: number;
  type: string;
}[] = [];
const EVIDENCE_SEEN_MAX = 1_000;

function noteEvidence(chainId: string, payload: Uint8Array, direction: 'published' | 'received') {
  if (evidenceSeen.length >= EVIDENCE_SEEN_MAX) return;
  try {
    const { voteA } = decodeEvidence(payload);
    const { validator, height, round, type } = voteA;
    evidenceSeen.push({ chainId, direction, validator, height, round, type });
  } catch {
    // Only validated evidence reaches here; an undecodable copy is not this tab's evidence.
  }
}

const networkStart = Libp2pNetwork.prototype.start;
Libp2pNetwork.prototype.start = async function (this: Libp2pNetwork) {
  networks.set(this.chainId, this);
  this.subscribe('evidence', (message) => noteEvidence(this.chainId, message.payload, 'received'));
  return networkStart.call(this);
};
const networkPublish = Libp2pNetwork.prototype.publish;
Libp2pNetwork.prototype.publish = function (
  this: Libp2pNetwork,
  type: MessageType,
  payload: Uint8Array,
) {
  if (type === 'evidence') noteEvidence(this.chainId, payload, 'published');
  return networkPublish.call(this, type, payload);
};

const nodes = new Map<string, LedgerNode>();

/** When (Date.now(), ms) this tab committed each height, for latency benchmarks (bounded). */
const committedAtMs = new Map<string, number>();
const COMMIT_TIMES_MAX = 10_000;
/** Height at which each of this device's txs committed (its activity events), for load benches. */
const ownTxHeights = new Map<string, number>();
const OWN_TX_HEIGHTS_MAX = 200_000;

async function node(chainId: string): Promise<LedgerNode> {
  let opened = nodes.get(chainId);
  if (!opened) {
    opened = await (await openDevice()).open(chainId);
    opened.subscribe((event) => {
      if (event.type === 'activity' && event.entry.height !== null) {
        if (ownTxHeights.size < OWN_TX_HEIGHTS_MAX) {
          ownTxHeights.set(`${chainId}:${event.entry.hash}`, event.entry.height);
        }
        return;
      }
      if (event.type !== 'block' || committedAtMs.size >= COMMIT_TIMES_MAX) return;
      committedAtMs.set(`${chainId}:${event.block.height}`, Date.now());
    });
    nodes.set(chainId, opened);
  }
  return opened;
}

const api = {
  async address() {
    return (await openDevice()).address();
  },
  /** Public by default: these pages test validator flows; benches also measure private ones. */
  async create(name: string, amount: number, access: 'public' | 'private' = 'public') {
    const device = await openDevice();
    const address = await device.address();
    return device.createLedger({ name, balances: [{ address, amount }], access });
  },
  async status(chainId: string): Promise<NodeStatus> {
    return (await node(chainId)).status;
  },
  async join(link: string) {
    return (await openDevice()).joinLedger(link);
  },
  async invite(chainId: string) {
    return (await node(chainId)).inviteLink(location.origin);
  },
  /** `role` omitted: the node's default ('member' on a private ledger, else 'validator'). */
  async requestToJoin(chainId: string, label: string, role?: 'member' | 'validator') {
    await (await node(chainId)).requestToJoin(label, role ? { role } : undefined);
  },
  async joinRequests(chainId: string) {
    return (await node(chainId)).joinRequests();
  },
  /** Approve what the join-request view shows for `publicKey` (its proposal, or a new one). */
  async approve(chainId: string, publicKey: string) {
    const ledger = await node(chainId);
    const view = ledger.joinRequests().find((request) => request.publicKey === publicKey);
    return ledger.approveJoin(publicKey, view?.proposalId ?? null, view?.grants);
  },
  async validators(chainId: string) {
    return (await node(chainId)).validators();
  },
  async putRecord(chainId: string, key: string, value: string) {
    return (await node(chainId)).putRecord(key, value);
  },
  async records(chainId: string, prefix: string) {
    return (await node(chainId)).records(prefix);
  },
  async peers(chainId: string) {
    return (await node(chainId)).peers();
  },
  /** The ICE candidate pair each open WebRTC connection of this page selected. */
  icePairs() {
    return selectedIcePairs();
  },
  committedAt(chainId: string, height: number): number | null {
    return committedAtMs.get(`${chainId}:${height}`) ?? null;
  },
  /** Heights at which these txs of this device committed (null: not seen committed yet). */
  ownTxHeights(chainId: string, hashes: string[]): (number | null)[] {
    return hashes.map((hash) => ownTxHeights.get(`${chainId}:${hash}`) ?? null);
  },
  async transfer(chainId: string, to: string, amount: number) {
    return (await node(chainId)).transfer(to, amount);
  },
  async activity(chainId: string) {
    return (await node(chainId)).activity();
  },
  async block(chainId: string, height: number) {
    return (await node(chainId)).block(height);
  },
  async blocks(chainId: string, limit: number) {
    return (await node(chainId)).blocks({ limit });
  },
  async accounts(chainId: string) {
    return (await node(chainId)).accounts();
  },
  async account(chainId: string, address: string) {
    return (await node(chainId)).account(address);
  },
  /** The node's network: its peer id, validation outcomes by reason, and peers' gossip scores. */
  async network(chainId: string, scoreOf: string[] = []) {
    await node(chainId);
    const network = networks.get(chainId);
    if (!network) throw new Error(`no network started for ${chainId}`);
    return {
      peerId: network.peerId,
      validation: network.validationStats(),
      scores: scoreOf.map((peerId) => network.gossipScore(peerId)),
    };
  },
  /** Evidence (equivocations) this tab's node gossiped or received, by the accused validator. */
  evidenceSeen(chainId: string) {
    return evidenceSeen.filter((entry) => entry.chainId === chainId);
  },
  async balance(chainId: string, address: string) {
    return (await (await node(chainId)).account(address))?.balance ?? null;
  },
  /** The persisted signer state, straight from IndexedDB. */
  async signerState(chainId: string) {
    const store = await openIdbLedgerStore({ chainId });
    try {
      const state = await store.signerState.load();
      return state && { height: state.height, round: state.round, step: state.step };
    } finally {
      await store.close();
    }
  },
};

declare global {
  interface Window {
    ledger: typeof api;
  }
}

window.ledger = api;
