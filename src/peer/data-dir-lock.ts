// One peer process per data directory: two processes signing with one key and writing one
// database would double-sign as surely as two validators sharing a key. The lock is SQLite's
// own exclusive lock on `<dir>/peer.lock` (an fcntl lock underneath), held by a connection in
// EXCLUSIVE locking mode for the life of the process. The kernel drops it when the process ends
// however it ends (kill -9 included), so a crash never leaves a stale lock behind, and a reused
// pid cannot fool it. `peer.pid` only says who holds it, for the error message.
//
// Not for network file systems, whose fcntl locks may not be enforced between machines.
import Database from 'better-sqlite3';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const LOCK_FILE = 'peer.lock';
export const PID_FILE = 'peer.pid';

export class DataDirLockedError extends Error {
  override name = 'DataDirLockedError';
  constructor(
    readonly directory: string,
    readonly holderPid: number | null,
  ) {
    super(
      `the data directory ${directory} is in use by another peer` +
        (holderPid === null ? '' : ` (pid ${holderPid})`),
    );
  }
}

export interface DataDirLock {
  readonly directory: string;
  release(): void;
}

function holderPid(directory: string): number | null {
  try {
    const pid = Number(readFileSync(join(directory, PID_FILE), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}

/** Takes the directory's lock (creating the directory, mode 0700), or throws DataDirLockedError. */
export function lockDataDir(directory: string, pid = process.pid): DataDirLock {
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  // timeout 0: another holder means "in use" now, not after a wait.
  const db = new Database(join(directory, LOCK_FILE), { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    // The first write takes the exclusive lock; EXCLUSIVE locking mode keeps it until close.
    db.exec('BEGIN EXCLUSIVE');
    db.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL)');
    db.prepare('DELETE FROM holder').run();
    db.prepare('INSERT INTO holder (pid) VALUES (?)').run(pid);
    db.exec('COMMIT');
  } catch (error) {
    db.close();
    if (isBusy(error)) throw new DataDirLockedError(directory, holderPid(directory));
    throw error;
  }
  writeFileSync(join(directory, PID_FILE), `${pid}\n`, { mode: 0o600 });
  let held = true;
  return {
    directory,
    release() {
      if (!held) return;
      held = false;
      rmSync(join(directory, PID_FILE), { force: true });
      db.close();
    },
  };
}
