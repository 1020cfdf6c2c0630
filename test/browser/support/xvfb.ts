// A virtual X display for headful Chromium: only a headful browser has tabs that can really be
// hidden (headless Chromium reports every page 'visible'). CI machines have no display.
import { spawn, type ChildProcess } from 'node:child_process';

export const XVFB_PATH = process.env.XVFB_PATH ?? 'Xvfb';
const XVFB_START_TIMEOUT_MS = 30_000;

export interface VirtualDisplay {
  /** The DISPLAY value, e.g. ':3'. */
  display: string;
  close(): Promise<void>;
}

export class XvfbError extends Error {
  override name = 'XvfbError';
}

/** Starts Xvfb on the first free display (it reports the number on fd 3 via -displayfd). */
export async function startXvfb(): Promise<VirtualDisplay> {
  const xvfb = spawn(
    XVFB_PATH,
    ['-displayfd', '3', '-nolisten', 'tcp', '-screen', '0', '1280x800x24'],
    { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => xvfb.once('exit', () => resolve()));
  let stderr = '';
  xvfb.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2_000);
  });
  try {
    const display = await displayNumber(xvfb, () => stderr);
    return {
      display,
      async close() {
        if (xvfb.exitCode === null && xvfb.signalCode === null) xvfb.kill('SIGTERM');
        await exited;
      },
    };
  } catch (error) {
    xvfb.kill('SIGKILL');
    throw error;
  }
}

function displayNumber(xvfb: ChildProcess, stderr: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    let reported = '';
    const timer = setTimeout(
      () => reject(new XvfbError(`Xvfb reported no display within ${XVFB_START_TIMEOUT_MS} ms`)),
      XVFB_START_TIMEOUT_MS,
    );
    xvfb.stdio[3]?.on('data', (chunk: Buffer) => {
      reported += chunk.toString();
      if (!reported.includes('\n')) return;
      clearTimeout(timer);
      resolve(`:${reported.trim()}`);
    });
    xvfb.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        new XvfbError(
          error.code === 'ENOENT'
            ? `Xvfb is not installed (${XVFB_PATH}): the hidden-tab test needs a virtual display; ` +
                'install it with `apt-get install -y xvfb` (.ci/run does)'
            : `Xvfb failed to start: ${error.message}`,
        ),
      );
    });
    xvfb.once('exit', (code) => {
      clearTimeout(timer);
      reject(new XvfbError(`Xvfb exited with ${code} before reporting a display: ${stderr()}`));
    });
  });
}
