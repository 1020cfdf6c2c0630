// The relay as a child process (src/relay/main.ts through tsx), so tests can kill it for real
// (SIGKILL) and restart it on the same port with the same key (same peer id).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = fileURLToPath(new URL('../../..', import.meta.url));

export interface RelayProcess {
  port: number;
  multiaddrs: string[];
  kill(): Promise<void>;
}

/** A free loopback TCP port (asks the kernel, then releases it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function relayKeyFile(): string {
  return join(mkdtempSync(join(tmpdir(), 'ledger-relay-')), 'key');
}

export async function startRelayProcess(port: number, keyFile: string): Promise<RelayProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/relay/main.ts'], {
    cwd: projectRoot,
    env: {
      ...process.env,
      RELAY_LISTEN: `/ip4/127.0.0.1/tcp/${port}/ws`,
      RELAY_KEY_FILE: keyFile,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const multiaddrs = await new Promise<string[]>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`relay did not start: ${output}`)), 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n').find((l) => l.startsWith('{"relay"'));
      if (line) {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { relay: string[] }).relay);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`relay exited with ${code}: ${output}`));
    });
  });
  return {
    port,
    multiaddrs,
    kill: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}
