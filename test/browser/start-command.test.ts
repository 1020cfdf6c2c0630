// `npm start` as a person runs it on a fresh checkout: the first thing it prints is the app's
// URL, nothing it prints is a warning or a build report, and the URL opens the app.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, test } from 'vitest';
import { launchChromium } from './support/chromium';
import { freePort } from './support/relay-process';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
/** The build runs first: ~10 s here, more on a loaded machine. */
const READY_TIMEOUT_MS = 180_000;

let child: ChildProcess | undefined;

/** Stops npm and everything it started (its own process group): npm does not always pass the
 * signal on to the server it runs. */
afterAll(async () => {
  const pid = child?.pid;
  if (pid === undefined) return;
  const exited =
    child!.exitCode !== null ? Promise.resolve() : new Promise((r) => child!.once('exit', r));
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    return; // already gone
  }
  await exited;
});

test('npm start prints the app URL first, then the relay, and no warnings', async () => {
  const port = await freePort();
  const relayPort = await freePort();
  child = spawn('npm', ['start'], {
    cwd: projectRoot,
    env: {
      ...process.env,
      PORT: String(port),
      RELAY_PORT: String(relayPort),
      RELAY_KEY_FILE: join(mkdtempSync(join(tmpdir(), 'ledger-start-')), 'key'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`npm start printed no relay line: ${stdout}${stderr}`)),
      READY_TIMEOUT_MS,
    );
    child!.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (/^relay .*\n/m.test(stdout)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child!.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited with ${code}: ${stdout}${stderr}`));
    });
  });
  // npm's own two header lines ("> p2p-ledger@0.1.0 start", "> node scripts/start.mjs") aside.
  const printed = stdout.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('>'));
  expect(printed[0]).toBe(`app    http://127.0.0.1:${port}`);
  expect(printed[1]).toMatch(new RegExp(`^relay  /ip4/127\\.0\\.0\\.1/tcp/${relayPort}/ws/p2p/`));
  expect(printed).toHaveLength(2);
  expect(stderr).toBe('');

  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.getByRole('heading', { name: 'Your ledgers' }).waitFor();
  } finally {
    await browser.close();
  }
});
