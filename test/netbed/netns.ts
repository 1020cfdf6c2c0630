// Named network namespaces for the simulated internet (see topology.ts): create, run a command
// inside, and delete, always by a name carrying this run's prefix. Nothing here ever changes the
// namespace the test process runs in: every `ip` call names its namespace (`ip -n NAME`, veth
// pairs created straight into their namespaces), and teardown deletes only names it made.
import { spawnSync } from 'node:child_process';

/** Every namespace of a testbed run is named `lnb<pid>-<role>`: the pid says whose it is. */
export const NETNS_PREFIX = 'lnb';
const NAME_PATTERN = /^lnb(\d+)-[a-z0-9]+$/;

export class NetnsError extends Error {
  override name = 'NetnsError';
}

/** Runs a command and returns its stdout; throws with its stderr when it fails. */
export function run(command: string, args: string[], input?: string): string {
  const result = spawnSync(command, args, { encoding: 'utf8', input, timeout: 30_000 });
  if (result.status !== 0) {
    const detail = (result.stderr || result.stdout || String(result.error ?? '')).trim();
    throw new NetnsError(`${command} ${args.join(' ')}: ${detail}`);
  }
  return result.stdout;
}

/** `ip` inside namespace `ns` (never the caller's own namespace). */
export function ipIn(ns: string, ...args: string[]): void {
  run('ip', ['-n', ns, ...args]);
}

/** A command inside namespace `ns`. */
export function execIn(ns: string, command: string, ...args: string[]): string {
  return run('ip', ['netns', 'exec', ns, command, ...args]);
}

export function namespaceName(role: string, pid = process.pid): string {
  const name = `${NETNS_PREFIX}${pid}-${role}`;
  if (!NAME_PATTERN.test(name)) throw new NetnsError(`bad namespace role: ${role}`);
  return name;
}

export function listNamespaces(): string[] {
  return run('ip', ['netns', 'list'])
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => NAME_PATTERN.test(name));
}

export function addNamespace(name: string): void {
  run('ip', ['netns', 'add', name]);
  ipIn(name, 'link', 'set', 'lo', 'up');
  // IPv4 only: link-local IPv6 candidates would only add noise to the ICE checks.
  execIn(name, 'sysctl', '-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1');
  execIn(name, 'sysctl', '-q', '-w', 'net.ipv6.conf.default.disable_ipv6=1');
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Deletes a namespace of ours: first ends the processes still inside it (a browser, coturn or
 * server this run started there: `ip netns pids` names them by pid), so nothing keeps it alive.
 */
export function deleteNamespace(name: string): void {
  if (!NAME_PATTERN.test(name)) throw new NetnsError(`not a testbed namespace: ${name}`);
  const pids = spawnSync('ip', ['netns', 'pids', name], { encoding: 'utf8' })
    .stdout.split('\n')
    .map(Number)
    .filter((pid) => pid > 0);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  spawnSync('ip', ['netns', 'del', name]);
}

/** Namespaces left by earlier runs whose process is gone (a crash, a killed test). */
export function deleteLeftovers(): string[] {
  const left = listNamespaces().filter((name) => {
    const pid = Number(NAME_PATTERN.exec(name)?.[1]);
    return pid !== process.pid && !processAlive(pid);
  });
  for (const name of left) deleteNamespace(name);
  return left;
}
