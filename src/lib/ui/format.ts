// Display formatting only: turns the node's plain values into short human text.
import type { Transport } from '$lib/node/api';

/** `abcd1234…9f0e` for long hex strings; short ones unchanged. */
export function shortHex(hex: string, keep = 8): string {
  return hex.length <= keep * 2 + 1 ? hex : `${hex.slice(0, keep)}…${hex.slice(-4)}`;
}

const amountFormat = new Intl.NumberFormat('en-US');
export function formatAmount(amount: number): string {
  return amountFormat.format(amount);
}

export function formatTime(timeMs: number | null): string {
  if (timeMs === null) return '—';
  return new Date(timeMs).toLocaleString();
}

/** Time of day only; for lists where the date is mostly today (full date in a tooltip). */
export function formatClock(timeMs: number): string {
  return new Date(timeMs).toLocaleTimeString();
}

/** Up to one decimal, for averages. */
export function formatDecimal(value: number): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: 1 });
}

/** "12 s ago", "3 min ago"; `nowMs` is passed in so callers decide when to refresh. */
export function formatAgo(timeMs: number | null, nowMs: number): string {
  if (timeMs === null) return 'never';
  const seconds = Math.max(0, Math.round((nowMs - timeMs) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} days ago`;
}

export function formatDurationMs(ms: number | null): string {
  if (ms === null) return '—';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function formatBytes(bytes: number | null): string {
  if (bytes === null) return 'unknown';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

export const TRANSPORT_LABELS: Record<Transport, string> = {
  webrtc: 'Direct (WebRTC)',
  relay: 'Through the relay',
  websocket: 'WebSocket',
  tcp: 'TCP',
  tab: 'Another tab',
};

/** Sync progress as a 0..1 fraction for a progress bar. */
export function syncFraction(sync: {
  fromHeight: number;
  currentHeight: number;
  targetHeight: number;
}): number {
  const span = sync.targetHeight - sync.fromHeight;
  if (span <= 0) return 1;
  return Math.min(1, Math.max(0, (sync.currentHeight - sync.fromHeight) / span));
}

/** Hex characters of a ledger id shown for comparing two devices (48 bits: no chance match). */
export const LEDGER_FINGERPRINT_CHARS = 12;

/**
 * `3f2a 91c0 b7e4`: the start of a ledger's id, in groups a person can read out and compare
 * (the invited device shows it before joining, the inviting one on its Devices page).
 */
export function ledgerFingerprint(chainId: string): string {
  return (chainId.slice(0, LEDGER_FINGERPRINT_CHARS).match(/.{1,4}/g) ?? []).join(' ');
}
