// The one markdown table `npm run bench` prints, and the JSON written next to it under
// bench/results/ (gitignored).
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

export type RowStatus = 'measured' | 'pending' | 'failed';

export interface BenchRow {
  /** The row number (1 = limits, 5 = scale, 6 = against OrbitDB...). */
  group: number;
  measure: string;
  /** The median figure with its unit. */
  value: string;
  /** The limit it is compared with, measured in the same run ('' if the row is a limit). */
  limit: string;
  /** value / limit (or the goal it is held to). */
  ratio: string;
  /** Runs, goal, caveats, or why the row is pending or failed. */
  note: string;
  status: RowStatus;
  /** Raw figures behind the cells, for the JSON file. */
  data?: unknown;
}

/** Makes measured rows of `group` from their cells, in table order. */
export function measuredRows(group: number) {
  return (
    measure: string,
    value: string,
    limit: string,
    ratio: string,
    note: string,
  ): BenchRow => ({
    group,
    measure,
    value,
    limit,
    ratio,
    note,
    status: 'measured',
  });
}

export interface RunHeader {
  startedAt: string;
  wallMs: number;
  cpus: number;
  /** os.loadavg() at the start and at the end: figures are noisy when it is high. */
  loadStart: number[];
  loadEnd: number[];
  node: string;
  netns: boolean;
}

export function runHeaderStart(): Pick<RunHeader, 'startedAt' | 'cpus' | 'loadStart' | 'node'> {
  return {
    startedAt: new Date().toISOString(),
    cpus: cpus().length,
    loadStart: loadavg(),
    node: process.version,
  };
}

const COLUMNS = ['#', 'measure', 'value (median)', 'limit (same run)', 'ratio', 'note'] as const;

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

export function renderTable(header: RunHeader, rows: readonly BenchRow[]): string {
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' / ');
  const lines = [
    `## npm run bench — ${header.startedAt}`,
    '',
    `Node ${header.node}, ${header.cpus} cores, load average (1/5/15 min) ${load(header.loadStart)} ` +
      `at start, ${load(header.loadEnd)} at end; wall ${(header.wallMs / 1000).toFixed(0)} s; ` +
      (header.netns ? 'loopback-only network namespace.' : 'NOT in a loopback-only namespace.'),
    '',
    `| ${COLUMNS.join(' | ')} |`,
    `|${COLUMNS.map((c) => (c === '#' ? '---:' : '---')).join('|')}|`,
  ];
  for (const row of rows) {
    const cells = [String(row.group), row.measure, row.value, row.limit, row.ratio, row.note];
    lines.push(`| ${cells.map(cell).join(' | ')} |`);
  }
  return lines.join('\n');
}

/** Writes bench/results/<name>.json and returns its path. */
export function writeResults(name: string, content: unknown): string {
  mkdirSync('bench/results', { recursive: true });
  const path = `bench/results/${name}.json`;
  writeFileSync(path, `${JSON.stringify(content, null, 2)}\n`);
  return path;
}

/** A row for a measurement that has not been built yet. */
export function pendingRow(group: number, measure: string, why: string): BenchRow {
  return { group, measure, value: '—', limit: '—', ratio: '—', note: why, status: 'pending' };
}

/** A row for a family that threw: benchmarks report, they never fail the build. */
export function failedRow(group: number, measure: string, why: string): BenchRow {
  return {
    group,
    measure,
    value: 'failed',
    limit: '—',
    ratio: '—',
    note: why,
    status: 'failed',
  };
}
