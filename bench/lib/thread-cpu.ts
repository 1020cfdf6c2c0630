// CPU time of every thread on the machine over a window, from Linux /proc, grouped by what the
// thread does. A main-thread CPU profile (cpu-profile.ts) shows one tab's JavaScript; when 4 tabs
// share 2 cores, the WebRTC, IPC and IndexedDB threads of Chromium's other processes use as much
// again, and only this view shows them. Off Linux (no /proc) it reports nothing.
import { readdirSync, readFileSync } from 'node:fs';

/** Thread classes, first match wins: [process kind, thread name pattern, label]. */
const CLASSES: [RegExp, RegExp, string][] = [
  [/^renderer$/, /^(chromium|CrRendererMain)$/, 'tab main threads (JavaScript)'],
  [/^renderer$/, /^DedicatedWorker/, 'tab Workers'],
  [/^renderer$/, /^WebRTC/, 'tab WebRTC threads (SCTP, DTLS)'],
  [/^renderer$/, /ChildIOT/, 'tab IPC threads'],
  [/^renderer$/, /ThreadPool/, 'tab thread pools'],
  [/^NetworkService$/, /./, 'network service (UDP sockets)'],
  [/^browser$/, /ThreadPool/, 'browser thread pool (IndexedDB)'],
  [/^browser$/, /IOThread/, 'browser IPC thread'],
  [/^browser$/, /./, 'browser (other)'],
  [/^node$/, /./, 'Node (relay, bench driver, page server)'],
  [/./, /./, 'other'],
];

interface ThreadTicks {
  ticks: number;
  label: string;
}

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ: 100 on every Linux that matters). */
const TICKS_PER_S = 100;

function processKind(cmdline: string): string | null {
  if (cmdline.includes('/chromium')) {
    const type = /--type=(\S+)/.exec(cmdline)?.[1];
    if (type === undefined) return 'browser';
    if (type === 'utility' && cmdline.includes('NetworkService')) return 'NetworkService';
    return type;
  }
  if (/(^|\/)node\s/.test(cmdline)) return 'node';
  return null;
}

function labelOf(kind: string, thread: string): string {
  for (const [kindPattern, threadPattern, label] of CLASSES) {
    if (kindPattern.test(kind) && threadPattern.test(thread)) return label;
  }
  return 'other';
}

function snapshot(): Map<string, ThreadTicks> {
  const threads = new Map<string, ThreadTicks>();
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return threads;
  }
  for (const pid of pids) {
    try {
      const kind = processKind(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' '));
      if (kind === null) continue;
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        // Fields after the name: state is 3rd, utime 14th and stime 15th of the whole line.
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const ticks = Number(fields[11]) + Number(fields[12]);
        threads.set(`${pid}/${tid}`, { ticks, label: labelOf(kind, name) });
      }
    } catch {
      // The process or thread ended meanwhile.
    }
  }
  return threads;
}

export interface ThreadCpu {
  /** Per thread class: cores used on average over the window (1 = one core busy). */
  cores: { label: string; cores: number }[];
  totalCores: number;
}

/** Starts counting; the returned function ends the window and returns the CPU per class. */
export function startThreadCpu(): () => ThreadCpu {
  const before = snapshot();
  const startedMs = performance.now();
  return () => {
    const after = snapshot();
    const seconds = (performance.now() - startedMs) / 1000;
    const byLabel = new Map<string, number>();
    for (const [key, { ticks, label }] of after) {
      // A thread born inside the window spent all its ticks in it.
      const used = ticks - (before.get(key)?.ticks ?? 0);
      if (used > 0) byLabel.set(label, (byLabel.get(label) ?? 0) + used / TICKS_PER_S / seconds);
    }
    const cores = [...byLabel]
      .map(([label, value]) => ({ label, cores: value }))
      .sort((a, b) => b.cores - a.cores);
    return { cores, totalCores: cores.reduce((sum, item) => sum + item.cores, 0) };
  };
}

export function renderThreadCpu(cpu: ThreadCpu, machineCores: number): string {
  return [
    `CPU by thread class, whole machine (${machineCores} cores): ${cpu.totalCores.toFixed(2)} cores busy`,
    '| threads | cores | share of busy |',
    '|---|---:|---:|',
    ...cpu.cores.map(
      (c) =>
        `| ${c.label} | ${c.cores.toFixed(2)} | ${((100 * c.cores) / cpu.totalCores).toFixed(0)}% |`,
    ),
  ].join('\n');
}
