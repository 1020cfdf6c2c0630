// A LedgerNode's events as read-only reactive values. Pages read `state.status`, `state.blocks`
// and so on; nothing here computes a ledger fact, it only keeps the latest values the node sent
// (bounded, newest first).
import type {
  ActivityEntry,
  BlockSummary,
  JoinRequest,
  LedgerNode,
  NodeEvent,
  NodeStatus,
  PeerInfo,
} from '$lib/node/api';
import { UI_ACTIVITY_MAX, UI_BLOCKS_MAX, UI_VOTES_MAX } from './limits';

export interface LiveVote {
  validator: string;
  height: number;
  round: number;
  voteType: string;
  /** Local arrival time (ms), for display only. */
  receivedAt: number;
}

export class NodeState {
  status: NodeStatus;
  peers: PeerInfo[];
  /** Devices asking to join, with the approvals counted so far (re-read on every block). */
  joinRequests: JoinRequest[];
  /** Newest first. */
  blocks: BlockSummary[] = $state.raw([]);
  /** Newest first. */
  votes: LiveVote[] = $state.raw([]);
  /** Newest first (by creation time). */
  activity: ActivityEntry[] = $state.raw([]);
  /** Bumped on every block so pages can re-run their queries. */
  revision = $state(0);

  readonly node: LedgerNode;
  #unsubscribe: () => void;

  constructor(node: LedgerNode, now: () => number = Date.now) {
    this.node = node;
    this.status = $state.raw(node.status);
    this.peers = $state.raw(node.peers());
    this.joinRequests = $state.raw(node.joinRequests());
    this.#unsubscribe = node.subscribe((event) => this.#apply(event, now()));
    void this.#loadInitial();
  }

  async #loadInitial(): Promise<void> {
    const [blocks, activity] = await Promise.all([
      this.node.blocks({ limit: UI_BLOCKS_MAX }),
      this.node.activity(),
    ]);
    // Events that arrived meanwhile are newer than the snapshot: merge, keep theirs.
    this.blocks = mergeBlocks(this.blocks, blocks);
    for (const entry of activity) {
      if (!this.activity.some((known) => known.hash === entry.hash)) this.#upsertActivity(entry);
    }
  }

  #apply(event: NodeEvent, receivedAt: number): void {
    switch (event.type) {
      case 'status':
        this.status = event.status;
        break;
      case 'block':
        this.blocks = mergeBlocks([event.block], this.blocks);
        this.joinRequests = this.node.joinRequests();
        this.revision += 1;
        break;
      case 'vote': {
        const vote: LiveVote = {
          validator: event.validator,
          height: event.height,
          round: event.round,
          voteType: event.voteType,
          receivedAt,
        };
        this.votes = [vote, ...this.votes].slice(0, UI_VOTES_MAX);
        break;
      }
      case 'activity':
        this.#upsertActivity(event.entry);
        break;
      case 'peers':
        this.peers = event.peers;
        break;
      case 'join-requests':
        this.joinRequests = event.requests;
        break;
      default: {
        const unknown: never = event;
        throw new Error(`unhandled node event ${JSON.stringify(unknown)}`);
      }
    }
  }

  #upsertActivity(entry: ActivityEntry): void {
    const rest = this.activity.filter((a) => a.hash !== entry.hash);
    this.activity = [entry, ...rest]
      .sort((a, b) => b.createdAt - a.createdAt || b.nonce - a.nonce)
      .slice(0, UI_ACTIVITY_MAX);
  }

  dispose(): void {
    this.#unsubscribe();
  }
}

/** Newest first, one entry per height (the newer copy wins), bounded. */
function mergeBlocks(newer: BlockSummary[], older: BlockSummary[]): BlockSummary[] {
  const merged = [...newer, ...older].sort((a, b) => b.height - a.height);
  return merged
    .filter((block, index) => index === 0 || merged[index - 1]?.height !== block.height)
    .slice(0, UI_BLOCKS_MAX);
}
