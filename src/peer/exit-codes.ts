// What the peer's exit status means, so a supervisor (systemd, a script) can tell a mistake in
// its configuration (restarting cannot help) from a passing failure (restarting may). The
// numbers are the BSD sysexits ones where one fits.
export const EXIT = {
  /** Stopped on SIGTERM or SIGINT after a clean shutdown (or --help). */
  ok: 0,
  /** An unexpected error: a bug, or a failure with no better code. Restarting may help. */
  internal: 1,
  /** A stop signal came, but the shutdown did not finish in time (state is safe: see docs). */
  shutdownTimeout: 2,
  /** The command line is wrong (EX_USAGE). */
  usage: 64,
  /** The invite link is damaged or names another ledger (EX_DATAERR). */
  badInvite: 65,
  /** No ledger to run: the data directory holds none (or several, and none was named). */
  noLedger: 66,
  /** A listen or status address cannot be bound (in use, not ours) (EX_UNAVAILABLE). */
  unavailable: 69,
  /** The data directory cannot be created or written (EX_CANTCREAT). */
  cannotCreate: 73,
  /** The ledger's database is damaged or the disk is full (EX_IOERR). */
  storage: 74,
  /** Another process runs on this data directory (EX_TEMPFAIL). */
  locked: 75,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure that ends the process with `code` and tells the person why in one sentence. */
export class PeerExit extends Error {
  override name = 'PeerExit';
  constructor(
    readonly code: ExitCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
