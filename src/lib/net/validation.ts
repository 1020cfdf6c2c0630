// Edge validation shared by every Network implementation: decode the envelope, check ledger,
// topic and size, then ask the node's validator (signatures, height window...). Every outcome
// is counted by reason so tests and the UI can see what was refused and why.
import { sha256 } from '../core/hash';
import { decodeEnvelope, EnvelopeError } from './envelope';
import { REPLAY_CACHE_ENTRIES_MAX, VALIDATION_REASONS_MAX } from './limits';
import { TOPIC_OF, type MessageType, type TopicName } from './message-types';
import type { MessageValidator, ValidationStats, Verdict } from './network';

export interface CheckedMessage {
  /** On accept, carries the validator's decoded message (delivered with the payload). */
  verdict: Verdict;
  /** Present when the envelope decoded and passed the envelope-level checks. */
  type?: MessageType;
  payload?: Uint8Array;
}

/** The default message validator: accepts anything the envelope checks let through. */
export const acceptAll: MessageValidator = async () => ({ result: 'accept' });

/** Envelope checks + the injected validator, for a message that arrived on `topic`. */
export async function checkMessage(
  bytes: Uint8Array,
  topic: TopicName,
  chainId: string,
  from: string,
  validator: MessageValidator,
  replays?: ReplayGuard,
): Promise<CheckedMessage> {
  let envelope;
  try {
    envelope = decodeEnvelope(bytes);
  } catch (error) {
    if (error instanceof EnvelopeError) {
      return { verdict: { result: 'reject', reason: `envelope-${error.reason}` } };
    }
    throw error;
  }
  if (envelope.chainId !== chainId) return { verdict: { result: 'reject', reason: 'wrong-chain' } };
  if (TOPIC_OF[envelope.type] !== topic) {
    return { verdict: { result: 'reject', reason: 'wrong-topic' } };
  }
  const key = replays?.key(envelope.type, envelope.payload);
  if (key !== undefined && replays?.seen(key)) {
    return { verdict: { result: 'ignore', reason: 'duplicate' } };
  }
  let verdict: Verdict;
  try {
    verdict = await validator(envelope.type, envelope.payload, from);
  } catch (error) {
    // A validator must not throw; treat it as the message's fault but say so.
    verdict = { result: 'reject', reason: `validator-threw: ${(error as Error).message}` };
  }
  if (key !== undefined && verdict.result === 'accept') replays?.remember(key);
  return { verdict, type: envelope.type, payload: envelope.payload };
}

/**
 * Payloads accepted recently, by content: gossipsub only de-duplicates one author's message,
 * so the same signed vote re-published by someone else (a replay) is caught here.
 * FIFO-evicted beyond REPLAY_CACHE_ENTRIES_MAX; older replays fall to the height window check
 * of the node's validator.
 */
export class ReplayGuard {
  private readonly keys = new Set<string>();

  /**
   * Every gossiped payload is hashed here, proposals of ~100 KB too: the core's fast SHA-256.
   * The key is the type and 16 digest bytes as 8 UTF-16 code units, built in one call: a string
   * grown by `+=` in a loop stays a rope of its pieces (~600 B a key instead of ~60).
   */
  key(type: string, payload: Uint8Array): string {
    const digest = sha256(payload);
    const units = new Array<number>(8);
    for (let i = 0; i < 8; i++)
      units[i] = ((digest[2 * i] as number) << 8) | (digest[2 * i + 1] as number);
    return `${type}:${String.fromCharCode(...units)}`;
  }

  seen(key: string): boolean {
    return this.keys.has(key);
  }

  remember(key: string): void {
    if (this.keys.size >= REPLAY_CACHE_ENTRIES_MAX) {
      const oldest = this.keys.values().next().value;
      if (oldest !== undefined) this.keys.delete(oldest);
    }
    this.keys.add(key);
  }
}

/** Bounded counters of validation outcomes. */
export class ValidationCounter {
  private accepted = 0;
  private readonly rejected = new Map<string, number>();
  private readonly ignored = new Map<string, number>();

  count(verdict: Verdict): void {
    if (verdict.result === 'accept') {
      this.accepted += 1;
      return;
    }
    const table = verdict.result === 'reject' ? this.rejected : this.ignored;
    const key =
      table.has(verdict.reason) || table.size < VALIDATION_REASONS_MAX ? verdict.reason : 'other';
    table.set(key, (table.get(key) ?? 0) + 1);
  }

  snapshot(): ValidationStats {
    return {
      accepted: this.accepted,
      rejected: Object.fromEntries(this.rejected),
      ignored: Object.fromEntries(this.ignored),
    };
  }
}
