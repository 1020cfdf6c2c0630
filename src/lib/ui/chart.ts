// Geometry for the network page's small SVG plot: block interval and transactions per block
// over the latest blocks. Pure arithmetic on what the node reported; no chart library.
import type { BlockSummary } from '$lib/node/api';

export interface PlotPoint {
  x: number;
  y: number;
  label: string;
}

export interface Series {
  points: PlotPoint[];
  /** SVG path `d` attribute, empty when there are fewer than two points. */
  path: string;
  max: number;
}

export interface PlotSize {
  width: number;
  height: number;
  padding: number;
}

/** Oldest first: one interval per consecutive pair of blocks, in ms. */
export function blockIntervals(
  blocksNewestFirst: BlockSummary[],
): { height: number; ms: number }[] {
  const ordered = [...blocksNewestFirst].sort((a, b) => a.height - b.height);
  const intervals: { height: number; ms: number }[] = [];
  for (let i = 1; i < ordered.length; i += 1) {
    const previous = ordered[i - 1];
    const current = ordered[i];
    if (!previous || !current || current.height !== previous.height + 1) continue;
    intervals.push({ height: current.height, ms: Math.max(0, current.time - previous.time) });
  }
  return intervals;
}

export function series(values: { x: number; y: number; label: string }[], size: PlotSize): Series {
  const max = Math.max(1, ...values.map((v) => v.y));
  const innerWidth = size.width - size.padding * 2;
  const innerHeight = size.height - size.padding * 2;
  const step = values.length > 1 ? innerWidth / (values.length - 1) : 0;
  const points = values.map((value, index) => ({
    x: round(size.padding + index * step),
    y: round(size.padding + innerHeight - (value.y / max) * innerHeight),
    label: value.label,
  }));
  const path =
    points.length < 2
      ? ''
      : points.map((p, index) => `${index === 0 ? 'M' : 'L'}${p.x} ${p.y}`).join(' ');
  return { points, path, max };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
