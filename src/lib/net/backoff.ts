// Exponential reconnection delays with jitter, bounded in delay and attempts.
import { RECONNECT_ATTEMPTS_MAX, RECONNECT_DELAY_MS_MAX, RECONNECT_DELAY_MS_MIN } from './limits';

export function reconnectDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(RECONNECT_DELAY_MS_MAX, RECONNECT_DELAY_MS_MIN * 2 ** attempt);
  // +-25% jitter so peers that lost the same relay do not retry in lockstep.
  return Math.round(base * (0.75 + random() * 0.5));
}

export function shouldRetry(attempt: number): boolean {
  return attempt < RECONNECT_ATTEMPTS_MAX;
}
