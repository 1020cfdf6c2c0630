// `npm run sim -- --validators N --byzantine F --seeds A-B [--faults list] [--heights H] [--json]`
// parsed into SimOptions, with every argument validated (byzantine power must stay below 1/3).

import { ALL_FAULTS, isByzantineFault, isFaultKind, type FaultKind } from './faults';
import { VALIDATORS_MAX } from '../../src/lib/core/params';

export interface SimOptions {
  validators: number;
  byzantine: number;
  seedFrom: number;
  /** Inclusive. */
  seedTo: number;
  /** null = a seeded random mix of all faults. */
  faults: FaultKind[] | null;
  heights: number;
  json: boolean;
  verbose: boolean;
  /** Print every node's engine state at the end of each run. */
  debug?: boolean;
}

export const DEFAULT_HEIGHTS = 5;
export const HEIGHTS_MAX = 1_000;
/** A single invocation runs at most this many seeds (keeps a typo from running for days). */
export const SEEDS_PER_RUN_MAX = 1_000_000;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const USAGE = `usage: npm run sim -- --validators N --byzantine F --seeds A-B [--faults list] [--heights H] [--json] [--verbose] [--debug]
  --validators N   validators (1..${VALIDATORS_MAX}), equal voting power
  --byzantine F    byzantine validators; needs 3F < N (twins count as byzantine)
  --seeds A-B      inclusive seed range (or one seed A)
  --faults list    comma list of: ${ALL_FAULTS.join(',')}
                   (default: a seeded random mix of all of them)
  --heights H      heights every honest node must commit (default ${DEFAULT_HEIGHTS})
  --json           print a JSON summary as the last line
  --verbose        one line per seed (faults, byzantine roles, rounds per height)
  --debug          also every node's engine state at the end of each run (run one seed)`;

function parseCount(flag: string, text: string | undefined, min: number, max: number): number {
  if (text === undefined || !/^\d+$/.test(text)) throw new UsageError(`${flag} needs an integer`);
  const value = Number(text);
  if (value < min || value > max) throw new UsageError(`${flag} must be in ${min}..${max}`);
  return value;
}

function parseSeeds(text: string | undefined): [number, number] {
  const match = text === undefined ? null : /^(\d+)(?:-(\d+))?$/.exec(text);
  if (match === null) throw new UsageError('--seeds needs A-B or A (non-negative integers)');
  const from = Number(match[1]);
  const to = match[2] === undefined ? from : Number(match[2]);
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || to < from) {
    throw new UsageError(`--seeds ${text}: need A <= B, both safe integers`);
  }
  if (to - from + 1 > SEEDS_PER_RUN_MAX) {
    throw new UsageError(`--seeds: at most ${SEEDS_PER_RUN_MAX} seeds per run`);
  }
  return [from, to];
}

function parseFaults(text: string | undefined): FaultKind[] {
  if (text === undefined || text.trim() === '') throw new UsageError('--faults needs a list');
  const kinds: FaultKind[] = [];
  for (const name of text.split(',').map((s) => s.trim())) {
    if (!isFaultKind(name)) {
      throw new UsageError(`unknown fault '${name}'; known: ${ALL_FAULTS.join(',')}`);
    }
    if (!kinds.includes(name)) kinds.push(name);
  }
  return kinds;
}

export function parseArgs(argv: readonly string[]): SimOptions {
  let validators: number | undefined;
  let byzantine = 0;
  let seeds: [number, number] | undefined;
  let faults: FaultKind[] | null = null;
  let heights = DEFAULT_HEIGHTS;
  let json = false;
  let verbose = false;
  let debug = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string;
    const value = () => {
      const next = argv[++i];
      if (next === undefined || next.startsWith('--'))
        throw new UsageError(`${flag} needs a value`);
      return next;
    };
    switch (flag) {
      case '--validators':
        validators = parseCount(flag, value(), 1, VALIDATORS_MAX);
        break;
      case '--byzantine':
        byzantine = parseCount(flag, value(), 0, VALIDATORS_MAX);
        break;
      case '--seeds':
        seeds = parseSeeds(value());
        break;
      case '--faults':
        faults = parseFaults(value());
        break;
      case '--heights':
        heights = parseCount(flag, value(), 1, HEIGHTS_MAX);
        break;
      case '--json':
        json = true;
        break;
      case '--verbose':
        verbose = true;
        break;
      case '--debug':
        debug = true;
        break;
      default:
        throw new UsageError(`unknown argument '${flag}'`);
    }
  }
  if (validators === undefined) throw new UsageError('--validators is required');
  if (seeds === undefined) throw new UsageError('--seeds is required');
  // Equal power per validator: byzantine power F/N must stay below 1/3.
  if (3 * byzantine >= validators) {
    throw new UsageError(
      `--byzantine ${byzantine} of ${validators}: byzantine power must be < 1/3 (need 3F < N)`,
    );
  }
  if (faults !== null) {
    const byzantineKinds = faults.filter(isByzantineFault);
    if (byzantineKinds.length > 0 && byzantine === 0) {
      throw new UsageError(
        `--faults ${byzantineKinds.join(',')} needs byzantine validators (--byzantine >= 1)`,
      );
    }
    if (byzantine > 0 && byzantineKinds.length === 0) {
      throw new UsageError(`--byzantine ${byzantine} but --faults names no byzantine behaviour`);
    }
  }
  return {
    validators,
    byzantine,
    seedFrom: seeds[0],
    seedTo: seeds[1],
    faults,
    heights,
    json,
    verbose,
    ...(debug ? { debug } : {}),
  };
}

/** The exact command that reproduces one seed of a run. */
export function reproduceCommand(options: SimOptions, seed: number): string {
  const parts = [
    'npm run sim --',
    `--validators ${options.validators}`,
    `--byzantine ${options.byzantine}`,
    `--seeds ${seed}-${seed}`,
  ];
  if (options.faults !== null) parts.push(`--faults ${options.faults.join(',')}`);
  parts.push(`--heights ${options.heights}`);
  return parts.join(' ');
}
