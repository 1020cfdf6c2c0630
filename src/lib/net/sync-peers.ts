// What each sync peer has proved, and the penalties of those that misbehaved. Peers are tried
// in the order of the verified blocks they served (what they proved), never by the height they
// claim (a claim costs nothing). A peer that served an invalid block or a malformed reply, or
// claimed a height it then did not serve, is skipped for SYNC_PENALTY_MS: its status claims are
// ignored (they start no catch-up) and its gossipsub score drops. One that dropped or timed out
// is skipped for SYNC_SKIP_MS. Bounded: SYNC_PEERS_REMEMBERED_MAX records, the least recently
// updated forgotten first.
import {
  SYNC_INVALID_GOSSIP_SCORE,
  SYNC_LIED_GOSSIP_SCORE,
  SYNC_PENALTY_MS,
  SYNC_PEERS_REMEMBERED_MAX,
  SYNC_SKIP_MS,
} from './limits';

/** What one sync attempt with a peer came to. */
export type SyncOutcome =
  /** `blocks` more of its blocks verified. */
  | { kind: 'served'; blocks: number }
  /** It served a block that failed verification, or a reply no honest peer sends. */
  | { kind: 'invalid'; reason: string }
  /** Its status claimed a height it then did not serve. */
  | { kind: 'lied'; reason: string }
  /** It dropped, timed out or refused: perhaps an accident. */
  | { kind: 'failed'; reason: string };

export type Penalty = 'invalid' | 'lied' | 'failed';

interface PeerRecord {
  /** Verified blocks it served, over every sync. */
  provedBlocks: number;
  penalty: Penalty | null;
  penaltyUntilMs: number;
  lastReason: string | null;
}

export interface SyncPeerReport {
  peerId: string;
  provedBlocks: number;
  penalty: Penalty | null;
  reason: string | null;
}

const PENALTY_MS: Readonly<Record<Penalty, number>> = {
  invalid: SYNC_PENALTY_MS,
  lied: SYNC_PENALTY_MS,
  failed: SYNC_SKIP_MS,
};

const SEVERITY: Readonly<Record<Penalty, number>> = { failed: 0, lied: 1, invalid: 2 };

const GOSSIP_SCORE: Readonly<Record<Penalty, number>> = {
  invalid: SYNC_INVALID_GOSSIP_SCORE,
  lied: SYNC_LIED_GOSSIP_SCORE,
  failed: 0,
};

export class SyncPeerBook {
  private readonly records = new Map<string, PeerRecord>();

  constructor(
    private readonly nowMs: () => number = Date.now,
    private readonly recordsMax = SYNC_PEERS_REMEMBERED_MAX,
  ) {}

  record(peerId: string, outcome: SyncOutcome): void {
    const record = this.records.get(peerId) ?? {
      provedBlocks: 0,
      penalty: null,
      penaltyUntilMs: 0,
      lastReason: null,
    };
    if (outcome.kind === 'served') {
      record.provedBlocks += outcome.blocks;
    } else {
      // A milder outcome never softens a harsher penalty still running.
      const current = this.activePenalty(record);
      if (current === null || SEVERITY[outcome.kind] >= SEVERITY[current]) {
        record.penalty = outcome.kind;
        record.penaltyUntilMs = Math.max(
          current === null ? 0 : record.penaltyUntilMs,
          this.nowMs() + PENALTY_MS[outcome.kind],
        );
      }
      record.lastReason = outcome.reason;
    }
    // Most recently updated last; the first is the one to forget.
    this.records.delete(peerId);
    this.records.set(peerId, record);
    if (this.records.size > this.recordsMax) {
      const oldest = this.records.keys().next().value;
      if (oldest !== undefined) this.records.delete(oldest);
    }
  }

  /** The penalty `peerId` is serving now, if any. */
  penalty(peerId: string): Penalty | null {
    const record = this.records.get(peerId);
    return record ? this.activePenalty(record) : null;
  }

  /** Whether `peerId` must not be asked for blocks now. */
  skipped(peerId: string): boolean {
    return this.penalty(peerId) !== null;
  }

  /** Whether `peerId`'s status claims are to be ignored now (it served garbage or lied). */
  distrusted(peerId: string): boolean {
    const penalty = this.penalty(peerId);
    return penalty === 'invalid' || penalty === 'lied';
  }

  /** Verified blocks `peerId` served so far. */
  proved(peerId: string): number {
    return this.records.get(peerId)?.provedBlocks ?? 0;
  }

  /** `peerIds` without the skipped ones, most proved first (ties keep their order). */
  rank(peerIds: readonly string[]): string[] {
    return peerIds
      .filter((id) => !this.skipped(id))
      .map((id, index) => ({ id, index, proved: this.proved(id) }))
      .sort((a, b) => b.proved - a.proved || a.index - b.index)
      .map(({ id }) => id);
  }

  /** The application-specific gossipsub score of `peerId` (0 unless penalised). */
  gossipScore(peerId: string): number {
    const penalty = this.penalty(peerId);
    return penalty === null ? 0 : GOSSIP_SCORE[penalty];
  }

  report(): SyncPeerReport[] {
    return [...this.records].map(([peerId, record]) => ({
      peerId,
      provedBlocks: record.provedBlocks,
      penalty: this.activePenalty(record),
      reason: record.lastReason,
    }));
  }

  private activePenalty(record: PeerRecord): Penalty | null {
    return record.penalty !== null && record.penaltyUntilMs > this.nowMs() ? record.penalty : null;
  }
}
