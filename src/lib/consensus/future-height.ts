// Messages for height + 1 that arrive before this node starts that height (it is still
// deciding, or applying the block). They are replayed on 'start-height'. Bounded
// (FUTURE_HEIGHT_MESSAGES_MAX, drop-newest) and deduplicated by (sender, round, kind), so one
// sender cannot fill it with copies; rounds beyond FUTURE_ROUNDS_MAX are refused.

import { FUTURE_HEIGHT_MESSAGES_MAX, FUTURE_ROUNDS_MAX } from './params';
import type { Input } from './types';

export type BufferedMessage = Extract<Input, { type: 'proposal' } | { type: 'vote' }>;

export interface FutureHeightBuffer {
  messages: BufferedMessage[];
  keys: Set<string>;
}

export function createFutureHeightBuffer(): FutureHeightBuffer {
  return { messages: [], keys: new Set() };
}

function keyOf(message: BufferedMessage): string {
  if (message.type === 'proposal') {
    return `proposal:${message.proposal.round}:${message.proposal.proposer}`;
  }
  return `${message.vote.type}:${message.vote.round}:${message.vote.validator}`;
}

function roundOf(message: BufferedMessage): number {
  return message.type === 'proposal' ? message.proposal.round : message.vote.round;
}

/** Buffers `message`; returns null if kept, or the reason it was dropped. */
export function bufferFutureMessage(
  buffer: FutureHeightBuffer,
  message: BufferedMessage,
): string | null {
  if (roundOf(message) > FUTURE_ROUNDS_MAX) return 'round-too-far';
  const key = keyOf(message);
  if (buffer.keys.has(key)) return 'future-height-duplicate';
  if (buffer.messages.length >= FUTURE_HEIGHT_MESSAGES_MAX) return 'future-height-buffer-full';
  buffer.keys.add(key);
  buffer.messages.push(message);
  return null;
}
