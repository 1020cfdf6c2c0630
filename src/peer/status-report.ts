// What the peer reports about itself: one snapshot (the node's status, validators, join
// requests, peers, and the process around them), shown three ways: JSON at GET /status, the
// Prometheus text format at GET /metrics, and the fields of the one-line status in the log.
import type { JoinRequest, NodeStatus, PeerInfo, ValidatorInfo } from '../lib/node/api';
import type { ValidationStats } from '../lib/net/network';
import type { LogFields } from './logger';

export interface ProcessFacts {
  version: string;
  pid: number;
  startedAtMs: number;
  dataDir: string;
  /** This node's libp2p peer id, and the addresses it listens on (null: network down). */
  peerId: string | null;
  listening: string[];
  /**
   * The invite link this peer hands out (its own addresses first); null for a private ledger
   * (its link carries the ledger's key: printed at start, never served) or none to make.
   */
  invite: string | null;
  /** The ledger's database file (and its write-ahead log), in bytes. */
  storeBytes: number | null;
  rssBytes: number;
  /** Gossip messages by verdict since the network started. */
  gossip: ValidationStats | null;
}

export interface StatusSnapshot {
  timeMs: number;
  process: ProcessFacts & { uptimeS: number };
  ledger: NodeStatus;
  validators: Pick<ValidatorInfo, 'address' | 'power' | 'online'>[];
  joinRequests: Pick<JoinRequest, 'address' | 'label' | 'kind' | 'approvedPower' | 'totalPower'>[];
  peers: PeerInfo[];
}

export function snapshotOf(
  timeMs: number,
  facts: ProcessFacts,
  ledger: NodeStatus,
  validators: ValidatorInfo[],
  joinRequests: JoinRequest[],
  peers: PeerInfo[],
): StatusSnapshot {
  return {
    timeMs,
    process: { ...facts, uptimeS: Math.max(0, Math.round((timeMs - facts.startedAtMs) / 1000)) },
    ledger,
    validators: validators.map(({ address, power, online }) => ({ address, power, online })),
    joinRequests: joinRequests.map(({ address, label, kind, approvedPower, totalPower }) => ({
      address,
      label,
      kind,
      approvedPower,
      totalPower,
    })),
    peers,
  };
}

function countBy<T extends string>(items: readonly (T | null)[]): string {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item ?? 'unknown', (counts.get(item ?? 'unknown') ?? 0) + 1);
  return [...counts].map(([kind, count]) => `${count} ${kind}`).join(', ');
}

/** The one-line status: height, role, peers, sync progress, and a problem if there is one. */
export function statusLineFields(snapshot: StatusSnapshot): LogFields {
  const { ledger, peers } = snapshot;
  const sync = ledger.sync;
  return {
    height: ledger.height,
    role: ledger.role,
    peers: peers.length,
    ...(peers.length > 0 ? { kinds: countBy(peers.map((peer) => peer.kind)) } : {}),
    sync: sync ? `${sync.currentHeight}/${sync.targetHeight}` : 'done',
    consensus: `${ledger.consensus.height}/${ledger.consensus.round}/${ledger.consensus.step}`,
    validators: snapshot.validators.length,
    ...(snapshot.joinRequests.length > 0 ? { joinRequests: snapshot.joinRequests.length } : {}),
    ...(ledger.problem ? { problem: ledger.problem.message } : {}),
  };
}

const ROLES: NodeStatus['role'][] = ['validator', 'standby', 'observer', 'catching-up'];

function label(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
}

/** The Prometheus text exposition format (version 0.0.4). */
export function metricsText(snapshot: StatusSnapshot): string {
  const { ledger, process: facts } = snapshot;
  const lines: string[] = [];
  const metric = (
    name: string,
    type: 'gauge' | 'counter',
    help: string,
    samples: [Record<string, string>, number][],
  ) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) {
      const text = Object.entries(labels)
        .map(([key, v]) => `${key}="${label(v)}"`)
        .join(',');
      lines.push(`${name}${text ? `{${text}}` : ''} ${value}`);
    }
  };
  const chain = { chain_id: ledger.chainId };
  metric('ledger_height', 'gauge', 'Height of the last committed block.', [[chain, ledger.height]]);
  metric(
    'ledger_last_block_time_seconds',
    'gauge',
    'Time of the last committed block (Unix seconds; 0 before the first).',
    [[chain, (ledger.lastBlockTime ?? 0) / 1000]],
  );
  metric(
    'ledger_role',
    'gauge',
    'The role of this node: 1 for the current one.',
    ROLES.map((role) => [{ ...chain, role }, ledger.role === role ? 1 : 0]),
  );
  metric('ledger_sync_target_height', 'gauge', 'Height a range sync is fetching to (0: none).', [
    [chain, ledger.sync?.targetHeight ?? 0],
  ]);
  metric('ledger_consensus_round', 'gauge', 'Round of the height being decided.', [
    [chain, ledger.consensus.round],
  ]);
  metric('ledger_peers', 'gauge', 'Connected peers.', [[chain, snapshot.peers.length]]);
  metric('ledger_validators', 'gauge', 'Validators of the current set.', [
    [chain, snapshot.validators.length],
  ]);
  metric('ledger_join_requests', 'gauge', 'Join requests waiting for approval.', [
    [chain, snapshot.joinRequests.length],
  ]);
  metric(
    'ledger_dropped_total',
    'counter',
    'Inbound messages dropped for want of room, by type, and serial-queue refusals.',
    Object.entries(ledger.drops).map(([type, count]) => [{ ...chain, type }, count]),
  );
  if (facts.gossip) {
    const { accepted, rejected, ignored } = facts.gossip;
    const sum = (counts: Record<string, number>) =>
      Object.values(counts).reduce((total, count) => total + count, 0);
    metric('ledger_gossip_messages_total', 'counter', 'Gossip messages by verdict.', [
      [{ ...chain, verdict: 'accepted' }, accepted],
      [{ ...chain, verdict: 'rejected' }, sum(rejected)],
      [{ ...chain, verdict: 'ignored' }, sum(ignored)],
    ]);
  }
  metric('ledger_problem', 'gauge', 'Whether the node reports a problem (1) or not (0).', [
    [chain, ledger.problem ? 1 : 0],
  ]);
  if (facts.storeBytes !== null) {
    metric('ledger_store_bytes', 'gauge', "The ledger's database on disk.", [
      [chain, facts.storeBytes],
    ]);
  }
  metric('process_uptime_seconds', 'gauge', 'Seconds since the peer started.', [
    [{}, facts.uptimeS],
  ]);
  metric('process_resident_memory_bytes', 'gauge', 'Resident memory.', [[{}, facts.rssBytes]]);
  return `${lines.join('\n')}\n`;
}
