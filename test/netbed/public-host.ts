// The testbed's public host, set up the way docs/deploy.md sets up a server: deploy/configure.sh
// writes the configuration, and the ExecStart lines of deploy/ledger.service (app over HTTPS,
// relay over wss, /relay.json with short-lived TURN credentials) and deploy/ledger-turn.service
// (coturn) run in the public namespace, read from the unit files themselves. What differs from
// a real server: paths (/etc/ledger, /var/lib/ledger and /opt/ledger map to this run's folders
// and the checkout), no systemd (so no User= or sandboxing), and BUILD_DIR names the folder of
// pages the test serves (the app's build plus the test harness pages).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from './netns';
import type { TestCa } from './test-ca';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const START_TIMEOUT_MS = 60_000;
/** The ports deploy/configure.sh gives by default (docs/deploy.md). */
export const APP_PORT = 443;
export const RELAY_PORT = 8443;
export const TURN_PORT = 3478;
export const TURNS_PORT = 5349;

export interface PublicHostOptions {
  ns: string;
  ip: string;
  /** Folder for this host's configuration and state. */
  dir: string;
  ca: TestCa;
  /** What the app server serves. */
  buildDir: string;
}

export interface PublicHost {
  appUrl: string;
  /** The folder it serves. */
  buildDir: string;
  /** coturn's shared secret, for tests that mint their own (e.g. expired) credentials. */
  turnSecret: string;
  /** SIGKILL the app server and relay process (the relay "dies"). */
  killServer(): Promise<void>;
  /** Start it again: same key, so the same relay peer id at the same address. */
  startServer(): Promise<void>;
  close(): Promise<void>;
}

interface Unit {
  workingDirectory: string;
  environment: Record<string, string>;
  command: string[];
}

/** Reads a deploy/ unit file: ExecStart, WorkingDirectory, EnvironmentFile, mapped to `paths`. */
function readUnit(name: string, paths: Record<string, string>): Unit {
  const mapPath = (text: string) =>
    Object.entries(paths).reduce((out, [from, to]) => out.replaceAll(from, to), text);
  const lines = readFileSync(join(projectRoot, 'deploy', name), 'utf8').split('\n');
  const value = (key: string) =>
    lines.find((line) => line.startsWith(`${key}=`))?.slice(key.length + 1);
  const execStart = value('ExecStart');
  if (!execStart) throw new Error(`deploy/${name} has no ExecStart`);
  const environment: Record<string, string> = {};
  const environmentFile = value('EnvironmentFile');
  if (environmentFile) {
    for (const line of readFileSync(mapPath(environmentFile), 'utf8').split('\n')) {
      const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
      if (match) environment[match[1]!] = match[2]!;
    }
  }
  return {
    workingDirectory: mapPath(value('WorkingDirectory') ?? '/'),
    environment,
    command: mapPath(execStart).split(/\s+/),
  };
}

/** Whether namespace `ns` has a TCP listener on each of `ports` (read with `ss` inside it). */
function listening(ns: string, ports: number[]): boolean {
  const sockets = run('ip', ['netns', 'exec', ns, 'ss', '-Hltn']);
  return ports.every((port) => new RegExp(`:${port}\\s`).test(sockets));
}

/** Starts `unit` in namespace `ns`; resolves once `ready` says so. */
function startUnit(
  ns: string,
  unit: Unit,
  extraEnvironment: Record<string, string>,
  ready: (output: string) => boolean,
  label: string,
): Promise<ChildProcess> {
  const child = spawn('ip', ['netns', 'exec', ns, ...unit.command], {
    cwd: unit.workingDirectory,
    env: { ...process.env, ...unit.environment, ...extraEnvironment },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  // Keep only the tail: coturn logs every allocation.
  const onData = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + START_TIMEOUT_MS;
    const poll = setInterval(() => {
      if (ready(output)) {
        clearInterval(poll);
        resolve(child);
      } else if (Date.now() > deadline || child.exitCode !== null || child.signalCode !== null) {
        clearInterval(poll);
        child.kill('SIGKILL');
        reject(new Error(`${label} did not start: ${output.slice(-2_000)}`));
      }
    }, 100);
  });
}

function stop(child: ChildProcess | null): Promise<void> {
  return new Promise((resolve) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    // By its own pid: `ip netns exec` replaced itself with the command.
    child.kill('SIGKILL');
  });
}

export async function startPublicHost(options: PublicHostOptions): Promise<PublicHost> {
  const configDir = join(options.dir, 'etc');
  const stateDir = join(options.dir, 'state');
  // docs/deploy.md: "PUBLIC_HOST=... TLS_CERT_FILE=... TLS_KEY_FILE=... deploy/configure.sh"
  run('env', [
    `PUBLIC_HOST=${options.ip}`,
    `LISTEN_IP=${options.ip}`,
    `TLS_CERT_FILE=${options.ca.certFile}`,
    `TLS_KEY_FILE=${options.ca.keyFile}`,
    `CONFIG_DIR=${configDir}`,
    `STATE_DIR=${stateDir}`,
    join(projectRoot, 'deploy/configure.sh'),
  ]);
  const paths = {
    '/etc/ledger': configDir,
    '/var/lib/ledger': stateDir,
    '/opt/ledger': projectRoot,
  };
  const turnUnit = readUnit('ledger-turn.service', paths);
  const serverUnit = readUnit('ledger.service', paths);

  const turn = await startUnit(
    options.ns,
    turnUnit,
    {},
    () => listening(options.ns, [TURN_PORT, TURNS_PORT]),
    'coturn',
  );
  let server: ChildProcess | null = null;
  const startServer = async () => {
    server = await startUnit(
      options.ns,
      serverUnit,
      { BUILD_DIR: options.buildDir },
      (output) => /^app {4}\S+/m.test(output),
      'ledger server',
    );
  };
  try {
    await startServer();
  } catch (error) {
    await stop(turn);
    throw error;
  }
  return {
    appUrl: `https://${options.ip}`,
    buildDir: options.buildDir,
    turnSecret: readFileSync(join(configDir, 'turn-secret'), 'utf8').trim(),
    killServer: () => stop(server),
    startServer,
    close: async () => {
      await stop(server);
      await stop(turn);
    },
  };
}
