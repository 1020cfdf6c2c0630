// Row 4's page: a fresh tab (fresh profile) joins a ledger from an invite link and catches up
// from its peers with the real composition root (IndexedDB, libp2p over WebRTC, full
// verification), while this page notes when sync starts and ends, the JS heap and every long
// main-thread task. bench/sync.ts drives it with page.evaluate().
import type { NodeStatus } from '$lib/node/api';
import { openDevice } from '$lib/node/device';
import { verifyOnPage, verifyOnWorkers, type Timed } from './ceiling';

export interface SyncRun {
  chainId: string;
  /** open() called -> head reached (includes start, relay, discovery, WebRTC, status). */
  wallMs: number;
  /** First status with `sync` set -> head reached. */
  syncMs: number;
  height: number;
  /** performance.memory.usedJSHeapSize, max over samples (coarse in Chromium; CDP is finer). */
  heapUsedBytesMax: number;
  longTaskMsMax: number;
  longTasks: number;
  longTaskMsTotal: number;
  /** The longest tasks: [ms since sync start (negative: before it), duration ms], longest first. */
  longTaskTop: [number, number][];
  /** [ms since sync start, height] every progress step, for a progress curve. */
  progress: [number, number][];
  problem: string | null;
}

/** performance.memory is costly to read (~1 ms): CDP samples finer from outside. */
const HEAP_SAMPLE_MS = 2_000;
const PROGRESS_POINTS_MAX = 200;
const LONG_TASKS_LISTED = 8;

interface MemoryInfo {
  usedJSHeapSize: number;
}

async function run(link: string, targetHeight: number, timeoutMs: number): Promise<SyncRun> {
  const longTasks: number[] = [];
  const longTaskStarts: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      longTasks.push(entry.duration);
      longTaskStarts.push(entry.startTime);
    }
  });
  observer.observe({ type: 'longtask' });
  let heapUsedBytesMax = 0;
  const sampleHeap = () => {
    const memory = (performance as Performance & { memory?: MemoryInfo }).memory;
    heapUsedBytesMax = Math.max(heapUsedBytesMax, memory?.usedJSHeapSize ?? 0);
  };
  const heapTimer = setInterval(sampleHeap, HEAP_SAMPLE_MS);
  try {
    const device = await openDevice();
    const chainId = await device.joinLedger(link);
    const openedMs = performance.now();
    const node = await device.open(chainId);
    let syncStartMs: number | null = null;
    const progress: [number, number][] = [];
    const step = Math.max(1, Math.floor(targetHeight / PROGRESS_POINTS_MAX));
    const done = await new Promise<NodeStatus>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `sync timed out at height ${node.status.height}; peers ${JSON.stringify(node.peers())}; status ${JSON.stringify(node.status)}`,
            ),
          ),
        timeoutMs,
      );
      const check = (status: NodeStatus) => {
        if (status.sync && syncStartMs === null) syncStartMs = performance.now();
        const last = progress.at(-1);
        if (syncStartMs !== null && (!last || status.height >= last[1] + step)) {
          progress.push([Math.round(performance.now() - syncStartMs), status.height]);
        }
        if (status.height >= targetHeight) {
          clearTimeout(timer);
          resolve(status);
        }
      };
      node.subscribe((event) => {
        if (event.type === 'status') check(event.status);
      });
      check(node.status);
    });
    const endMs = performance.now();
    sampleHeap();
    return {
      chainId,
      wallMs: endMs - openedMs,
      syncMs: endMs - (syncStartMs ?? openedMs),
      height: done.height,
      heapUsedBytesMax,
      longTaskMsMax: Math.max(0, ...longTasks),
      longTasks: longTasks.length,
      longTaskMsTotal: longTasks.reduce((sum, ms) => sum + ms, 0),
      longTaskTop: longTasks
        .map((ms, i): [number, number] => [
          Math.round((longTaskStarts[i] ?? 0) - (syncStartMs ?? openedMs)),
          Math.round(ms),
        ])
        .sort((a, b) => b[1] - a[1])
        .slice(0, LONG_TASKS_LISTED),
      progress,
      problem: done.problem ? JSON.stringify(done.problem) : null,
    };
  } finally {
    clearInterval(heapTimer);
    observer.disconnect();
  }
}

const api = {
  cores: (): number => navigator.hardwareConcurrency,
  verifyOnPage: (count: number, messageBytes: number): Promise<Timed> =>
    verifyOnPage(count, messageBytes),
  verifyOnWorkers: (workers: number, count: number, messageBytes: number): Promise<Timed> =>
    verifyOnWorkers(workers, count, messageBytes),
  run,
};

declare global {
  interface Window {
    syncBench: typeof api;
  }
}

window.syncBench = api;
