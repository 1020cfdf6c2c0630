// One process per data directory: a second holder is refused with the first one's pid, and the
// lock goes with its process however that ends (a SIGKILL leaves no stale lock behind).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, test } from 'vitest';
import { DataDirLockedError, lockDataDir } from '../../../src/peer/data-dir-lock';

const lockModule = fileURLToPath(new URL('../../../src/peer/data-dir-lock.ts', import.meta.url));
const dirs: string[] = [];
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-peer-lock-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

test('a second holder is refused until the first releases', () => {
  const dir = freshDir();
  const first = lockDataDir(dir, 4242);
  const refusal = (() => {
    try {
      lockDataDir(dir);
    } catch (error) {
      return error;
    }
    return null;
  })();
  expect(refusal).toBeInstanceOf(DataDirLockedError);
  expect((refusal as DataDirLockedError).holderPid).toBe(4242);
  first.release();
  lockDataDir(dir).release();
});

test('a holder killed with SIGKILL leaves the lock free', async () => {
  const dir = freshDir();
  const script = join(dir, 'hold.mts');
  writeFileSync(
    script,
    `import { lockDataDir } from ${JSON.stringify(lockModule)};\n` +
      `const lock = lockDataDir(${JSON.stringify(join(dir, 'data'))});\n` +
      `console.log('held');\nsetInterval(() => void lock, 1000);\n`,
  );
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('held') && resolve());
    child.once('exit', (code) => reject(new Error(`holder exited with ${code}`)));
  });
  expect(() => lockDataDir(join(dir, 'data'))).toThrow(DataDirLockedError);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
  lockDataDir(join(dir, 'data')).release();
});
