// Exposes the real browser composition root (IndexedDB, Web Locks, BroadcastChannel, Worker
// timers, libp2p) to Playwright tests, without the UI.
import { openDevice } from '$lib/node/device';
import type { LedgerNode, NodeStatus } from '$lib/node/api';
import { openIdbLedgerStore } from '$lib/store/idb-ledger-store';

const nodes = new Map<string, LedgerNode>();

/** When (Date.now(), ms) this tab committed each height, for latency benchmarks (bounded). */
const committedAtMs = new Map<string, number>();
const COMMIT_TIMES_MAX = 10_000;

async function node(chainId: string): Promise<LedgerNode> {
  let opened = nodes.get(chainId);
  if (!opened) {
    opened = await (await openDevice()).open(chainId);
    opened.subscribe((event) => {
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
  async create(name: string, amount: number) {
    const device = await openDevice();
    const address = await device.address();
    return device.createLedger({ name, balances: [{ address, amount }] });
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
  async requestToJoin(chainId: string, label: string) {
    await (await node(chainId)).requestToJoin(label);
  },
  async joinRequests(chainId: string) {
    return (await node(chainId)).joinRequests();
  },
  async approve(chainId: string, publicKey: string) {
    return (await node(chainId)).approveJoin(publicKey);
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
  committedAt(chainId: string, height: number): number | null {
    return committedAtMs.get(`${chainId}:${height}`) ?? null;
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
