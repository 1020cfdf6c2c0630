// Summaries of repeated measurements. Every figure `npm run bench` prints is a median over runs.

/** Median; the mean of the two middle values for an even count; NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length % 2 === 1) return sorted[mid] as number;
  return ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * The run whose `value` is the median (the lower middle one for an even count), to report a
 * whole run's figures consistently rather than medians of each figure taken from different runs.
 */
export function medianRun<T>(runs: readonly T[], value: (run: T) => number): T {
  if (runs.length === 0) throw new RangeError('medianRun of no runs');
  const sorted = [...runs].sort((a, b) => value(a) - value(b));
  return sorted[Math.floor((sorted.length - 1) / 2)] as T;
}

/** Nearest-rank percentile, p in 0..100; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))] as number;
}

/** Operations per second from a count and a duration in ms. */
export function perSecond(count: number, ms: number): number {
  return ms > 0 ? (count * 1000) / ms : Number.NaN;
}

/** A number for a table cell: grouped thousands, `digits` decimals. */
export function fmt(value: number, digits = 0): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en-US', {
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
  });
}

/** A ratio for a table cell, e.g. "0.42×". */
export function ratio(value: number, digits = 2): string {
  return Number.isFinite(value) ? `${fmt(value, digits)}×` : 'n/a';
}

/** The error of a failed row family, short enough for a table cell. */
export function describeError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.split('\n')[0]!.replaceAll('|', '/').slice(0, 300);
}
