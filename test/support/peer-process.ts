// The always-on peer as a child process (src/peer/main.ts through tsx, as systemd would run it),
// so tests and benchmarks can kill it for real (SIGKILL) and restart it on the same data
// directory and ports. Its JSON log records are collected (bounded) and can be waited for; its
// status endpoint is read over HTTP.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { StatusSnapshot } from '../../src/peer/status-report';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const RECORDS_KEPT_MAX = 5_000;
const START_TIMEOUT_MS = 90_000;

export interface LogRecord {
  time: string;
  level: string;
  msg: string;
  [field: string]: unknown;
}

export interface PeerExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface PeerProcess {
  readonly pid: number;
  /** The status endpoint, e.g. http://127.0.0.1:40123 (the peer runs with --http 127.0.0.1:0). */
  readonly statusUrl: string;
  /** The 'started' record: chainId, height at open, openMs, fingerprint, peerId, listening... */
  readonly started: LogRecord;
  readonly records: LogRecord[];
  readonly exited: Promise<PeerExitStatus>;
  status(): Promise<StatusSnapshot>;
  waitForRecord(
    label: string,
    match: (record: LogRecord) => boolean,
    timeoutMs?: number,
  ): Promise<LogRecord>;
  /** Sends `signal` and resolves with how the process ended. */
  kill(signal?: NodeJS.Signals): Promise<PeerExitStatus>;
}

/** Runs the peer with `args` (plus JSON logs and a status endpoint on a free loopback port). */
export function spawnPeer(args: string[]): {
  child: ChildProcess;
  exited: Promise<PeerExitStatus>;
} {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/peer/main.ts',
      '--log-format',
      'json',
      '--http',
      '127.0.0.1:0',
      ...args,
    ],
    { cwd: projectRoot, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<PeerExitStatus>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, exited };
}

export async function startPeerProcess(args: string[]): Promise<PeerProcess> {
  const { child, exited } = spawnPeer(args);
  const records: LogRecord[] = [];
  const waiters = new Set<() => void>();
  let stderr = '';
  let pending = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      try {
        records.push(JSON.parse(line) as LogRecord);
      } catch {
        continue;
      }
      if (records.length > RECORDS_KEPT_MAX) records.splice(0, records.length - RECORDS_KEPT_MAX);
    }
    for (const wake of waiters) wake();
  });
  let ended: PeerExitStatus | null = null;
  void exited.then((status) => {
    ended = status;
    for (const wake of waiters) wake();
  });

  const waitForRecord = (
    label: string,
    match: (record: LogRecord) => boolean,
    timeoutMs = START_TIMEOUT_MS,
  ): Promise<LogRecord> =>
    new Promise((resolve, reject) => {
      const check = () => {
        const found = records.find(match);
        if (found) return finish(() => resolve(found));
        if (ended) {
          const last = records
            .slice(-5)
            .map((r) => JSON.stringify(r))
            .join('\n');
          finish(() =>
            reject(
              new Error(
                `peer exited (${JSON.stringify(ended)}) before ${label}:\n${last}\n${stderr}`,
              ),
            ),
          );
        }
      };
      const timer = setTimeout(
        () =>
          finish(() => reject(new Error(`timed out waiting for the peer: ${label}\n${stderr}`))),
        timeoutMs,
      );
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        settle();
      };
      waiters.add(check);
      check();
    });

  const started = await waitForRecord('started', (r) => r.msg === 'started');
  const endpoint = await waitForRecord('status endpoint', (r) => r.msg === 'status endpoint');
  const statusUrl = String(endpoint.url).replace(/\/status$/, '');
  return {
    pid: child.pid ?? -1,
    statusUrl,
    started,
    records,
    exited,
    waitForRecord,
    async status() {
      const response = await fetch(`${statusUrl}/status`);
      if (!response.ok) throw new Error(`status endpoint answered ${response.status}`);
      return (await response.json()) as StatusSnapshot;
    },
    kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
