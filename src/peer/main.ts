// `npm run peer -- …` (or `npx ledger-peer …` from a checkout): the always-on peer as a daemon.
// Parses the command line (args.ts, --help), starts the peer (peer.ts), prints the invite link
// (and its QR code in a terminal) when it created the ledger, and stops in reverse order on
// SIGTERM or SIGINT. The exit status says what happened (exit-codes.ts).
// The node (libp2p, the stores) loads only after the command line checks out: --help and
// mistakes answer at once.
import '../server/polyfill';
import { parsePeerArgs, HELP, type PeerConfig } from './args';
import { EXIT, PeerExit, type ExitCode } from './exit-codes';
import { createLogger, type Logger } from './logger';
import type { Peer } from './peer';

/** A stop signal gives the peer this long to close the network and the store. */
export const SHUTDOWN_TIMEOUT_MS = 15_000;

/** Writes what is buffered for stdout, then exits (a pipe to journald may lag behind). */
function exit(code: ExitCode): never {
  process.stdout.write('', () => process.exit(code));
  // If stdout never drains (a stuck pipe), exit anyway.
  setTimeout(() => process.exit(code), 1_000).unref();
  return undefined as never;
}

async function printInvite(peer: Peer, config: PeerConfig, log: Logger): Promise<void> {
  const link = peer.inviteLink();
  if (link === null) {
    log.warn('no invite link: this peer holds no key of this private ledger');
    return;
  }
  log.info('invite link', { link });
  if (config.mode.type !== 'create') return;
  if (process.stdout.isTTY) {
    const { default: QRCode } = await import('qrcode');
    const qr = await QRCode.toString(link, { type: 'terminal', small: true });
    process.stdout.write(`\nOpen this link on a device to join (or scan it):\n${link}\n${qr}\n`);
  } else {
    process.stdout.write(`${link}\n`);
  }
}

function onSignals(stop: (signal: string) => void): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => stop(signal));
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parsePeerArgs(process.argv.slice(2), process.env);
  } catch (error) {
    const failure =
      error instanceof PeerExit ? error : new PeerExit(EXIT.usage, (error as Error).message);
    process.stderr.write(`ledger-peer: ${failure.message}\n`);
    return exit(failure.code);
  }
  if (parsed.help) {
    process.stdout.write(HELP);
    return exit(EXIT.ok);
  }
  const { config } = parsed;
  const format =
    config.logFormat === 'auto' ? (process.stdout.isTTY ? 'text' : 'json') : config.logFormat;
  const log = createLogger({
    level: config.logLevel,
    format,
    write: (line) => process.stdout.write(`${line}\n`),
  });

  // Resolves once starting ended (null if it failed): a stop waits for it, then stops what started.
  let started: Promise<Peer | null> = Promise.resolve(null);
  let stopping = false;
  const shutdown = (why: string, code: ExitCode) => {
    if (stopping) {
      log.warn('stopping already; a second signal exits at once', { why });
      return exit(EXIT.shutdownTimeout);
    }
    stopping = true;
    log.info('stopping', { why });
    const timer = setTimeout(() => {
      log.error('shutdown timed out', { afterMs: SHUTDOWN_TIMEOUT_MS });
      exit(EXIT.shutdownTimeout);
    }, SHUTDOWN_TIMEOUT_MS);
    void started
      .then((peer) => peer?.stop())
      .then(
        () => {
          clearTimeout(timer);
          log.info('stopped', { why });
          exit(code);
        },
        (error: unknown) => {
          clearTimeout(timer);
          log.error('shutdown failed', { error: (error as Error).message });
          exit(EXIT.internal);
        },
      );
  };
  onSignals((signal) => shutdown(signal, EXIT.ok));
  process.on('uncaughtException', (error) => {
    log.error('unexpected error', { error: error.stack ?? error.message });
    shutdown('uncaught exception', EXIT.internal);
  });
  // libp2p lets a few aborted dials reject unobserved; they are noise, not a reason to stop.
  process.on('unhandledRejection', (reason) => {
    log.warn('unhandled rejection', { error: (reason as Error)?.message ?? String(reason) });
  });

  log.info('starting', { dataDir: config.dataDir, mode: config.mode.type, pid: process.pid });
  const { exitOf, startPeer } = await import('./peer');
  let peer: Peer;
  try {
    const starting = startPeer(config, log);
    started = starting.catch(() => null);
    peer = await starting;
  } catch (error) {
    const failure: PeerExit = exitOf(error);
    log.error(failure.message, { exitCode: failure.code });
    return exit(failure.code);
  }
  if (!stopping) await printInvite(peer, config, log);
}

await main();
