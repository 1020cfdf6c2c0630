// The test's end of a Firefox device (firefox-device.ts runs in the home's namespace): `evaluate`
// takes a function and an argument like Playwright's page.evaluate, so the ledger helpers
// (test/browser/support/ledger-devices.ts) drive Firefox and Chromium devices alike.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { trustInNssDb, type TestCa } from './test-ca';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const START_TIMEOUT_MS = 60_000;
const CALL_TIMEOUT_MS = 120_000;

export interface FirefoxDevice {
  version: string;
  goto(url: string): Promise<void>;
  evaluate: Page['evaluate'];
  close(): Promise<void>;
}

export async function launchFirefoxIn(
  ns: string,
  dir: string,
  ca: TestCa,
  name: string,
): Promise<FirefoxDevice> {
  const profile = join(dir, `firefox-profile-${name}`);
  mkdirSync(profile, { recursive: true });
  trustInNssDb(profile, ca);
  const child: ChildProcess = spawn(
    'ip',
    ['netns', 'exec', ns, process.execPath, '--import', 'tsx', 'test/netbed/firefox-device.ts'],
    {
      cwd: projectRoot,
      env: { ...process.env, FIREFOX_PROFILE: profile },
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const version = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('Firefox did not start')), START_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the Firefox device exited with ${code}`));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const message = JSON.parse(line) as {
        ready?: string;
        id?: number;
        value?: unknown;
        error?: string;
      };
      if (message.ready !== undefined) {
        clearTimeout(timer);
        resolve(message.ready);
        return;
      }
      const call = pending.get(message.id ?? -1);
      if (!call) return;
      pending.delete(message.id!);
      if (message.error !== undefined) call.reject(new Error(`in Firefox: ${message.error}`));
      else call.resolve(message.value);
    });
  });
  child.once('exit', () => {
    for (const call of pending.values()) call.reject(new Error('the Firefox device exited'));
    pending.clear();
  });
  const call = (request: { goto: string } | { expression: string }) =>
    new Promise<unknown>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error('Firefox did not answer in time'));
      }, CALL_TIMEOUT_MS);
      pending.set(id, {
        resolve: (value) => (clearTimeout(timer), resolve(value)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      });
      child.stdin!.write(`${JSON.stringify({ id, ...request })}\n`);
    });
  const evaluate = (fn: unknown, arg?: unknown) => {
    const argument = arg === undefined ? 'undefined' : JSON.stringify(arg);
    return call({ expression: `(async () => (${String(fn)})(${argument}))()` });
  };
  return {
    version,
    goto: async (url) => {
      await call({ goto: url });
    },
    evaluate: evaluate as Page['evaluate'],
    close: async () => {
      child.stdin!.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
