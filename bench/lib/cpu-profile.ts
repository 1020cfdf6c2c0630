// A Chromium CPU profile of one page (CDP Profiler) and a summary of where its main thread spent
// its time: self time per function, and per area of the code (by source file).
import type { Page } from 'playwright-core';

/** Sampling interval: fine enough for short tasks, coarse enough to keep the overhead small. */
const SAMPLING_INTERVAL_US = 500;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface SelfTime {
  name: string;
  ms: number;
  share: number;
}

export interface ProfileSummary {
  wallMs: number;
  functions: SelfTime[];
  areas: SelfTime[];
}

/** Starts profiling `page`; the returned function stops and returns the profile. */
export async function startCpuProfile(page: Page): Promise<() => Promise<CpuProfile>> {
  const session = await page.context().newCDPSession(page);
  await session.send('Profiler.enable');
  await session.send('Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_US });
  await session.send('Profiler.start');
  return async () => {
    const { profile } = (await session.send('Profiler.stop')) as unknown as {
      profile: CpuProfile;
    };
    await session.detach();
    return profile;
  };
}

/** Areas, first match wins: a file path fragment (or V8 pseudo-function) and its label. */
const AREAS: [RegExp, string][] = [
  [/^\(idle\)$/, 'idle'],
  [/^\(garbage collector\)$/, 'garbage collection'],
  [/^\(program\)$/, 'browser internals (program)'],
  [/core\/accumulator|blake3/, 'state root (LtHash)'],
  [/core\/(apply|execute|state|validate|block)\b/, 'state machine (apply/validate)'],
  [/core\/(encoding|hash|cbor-fast|sha256)|cborg|@noble\/hashes/, 'encoding + SHA-256'],
  [/core\/ed25519|crypto\/|@noble\/curves/, 'signature verification (JS side)'],
  [/store\/|idb/, 'IndexedDB store'],
  [/consensus\//, 'consensus engine'],
  [/node\/mempool/, 'mempool'],
  [/node\//, 'full node (other)'],
  [
    /gossipsub|libp2p|yamux|noise|multiformats|uint8arraylist|protons|it-|@libp2p|webrtc/,
    'network (libp2p, gossipsub, WebRTC)',
  ],
  [/net\//, 'network (ledger side)'],
  [/svelte|vite|@vite|node_modules\/\.vite\/deps\/chunk/, 'other dependencies'],
];

function areaOf(frame: ProfileNode['callFrame']): string {
  const key = frame.url || frame.functionName;
  for (const [pattern, label] of AREAS) if (pattern.test(key)) return label;
  return frame.url ? 'other' : `native ${frame.functionName || '(anonymous)'}`;
}

function shortUrl(url: string): string {
  const path = url.replace(/^https?:\/\/[^/]+/, '').replace(/\?.*$/, '');
  return path.split('/').slice(-2).join('/');
}

export function summarizeProfile(profile: CpuProfile, top = 15): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const id = samples[i] as number;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (deltas[i] ?? 0));
  }
  const wallUs = profile.endTime - profile.startTime;
  const functions = new Map<string, number>();
  const areas = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const frame = (byId.get(id) as ProfileNode).callFrame;
    const name = frame.url
      ? `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`
      : frame.functionName;
    functions.set(name, (functions.get(name) ?? 0) + us);
    const area = areaOf(frame);
    areas.set(area, (areas.get(area) ?? 0) + us);
  }
  const list = (map: Map<string, number>, count: number): SelfTime[] =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([name, us]) => ({ name, ms: us / 1000, share: us / wallUs }));
  return { wallMs: wallUs / 1000, functions: list(functions, top), areas: list(areas, 30) };
}

export function renderSummary(summary: ProfileSummary): string {
  const lines = [
    `profile wall ${summary.wallMs.toFixed(0)} ms`,
    '| area | self ms | share of wall |',
    '|---|---:|---:|',
    ...summary.areas.map(
      (a) => `| ${a.name} | ${a.ms.toFixed(0)} | ${(a.share * 100).toFixed(1)}% |`,
    ),
    '',
    '| function (self time) | self ms | share of wall |',
    '|---|---:|---:|',
    ...summary.functions.map(
      (f) =>
        `| ${f.name.replaceAll('|', '/')} | ${f.ms.toFixed(0)} | ${(f.share * 100).toFixed(1)}% |`,
    ),
  ];
  return lines.join('\n');
}
