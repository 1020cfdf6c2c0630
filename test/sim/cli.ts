// `npm run sim -- --validators N --byzantine F --seeds A-B [--faults list] [--heights H] [--json]`
// Runs every seed of the range, prints each failure with its seed and the exact command that
// reproduces it, and (with --json) a summary object as the last line. Exit code 1 on any
// violation, 2 on bad arguments.

import '../../src/server/polyfill';
import { parseArgs, USAGE, UsageError, type SimOptions } from './cli-args';
import { runSeeds } from './runner';
import { describeFailure, summarize } from './summary';

async function main(argv: string[]): Promise<number> {
  let options: SimOptions;
  try {
    options = parseArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n${USAGE}`);
      return 2;
    }
    throw error;
  }
  const startedMs = performance.now();
  const results = await runSeeds(options, (result) => {
    if (options.verbose || !result.ok) {
      const rounds = result.decidedRounds.map((r) => r + 1).join(' ');
      const byz = result.byzantine.map(([v, b]) => `${v}:${b}`).join(' ') || 'none';
      console.log(
        `seed ${result.seed} ${result.ok ? 'ok' : 'FAIL'} faults=[${result.kinds.join(',')}] byzantine=[${byz}] ` +
          `heights=${result.heightsCommitted} rounds=[${rounds}] virtual=${result.virtualTimeMs}ms ` +
          `events=${result.events}`,
      );
    }
  });
  const summary = summarize(options, results, performance.now() - startedMs);
  for (const failure of summary.failures) console.log(describeFailure(failure));
  if (!options.json) {
    console.log(
      `${summary.runs} runs, ${summary.violations} violations, ${summary.heightsCommitted} heights, ` +
        `rounds/height p50 ${summary.roundsPerHeight.p50} p99 ${summary.roundsPerHeight.p99} ` +
        `max ${summary.roundsPerHeight.max}, ${summary.wallMs} ms`,
    );
  } else {
    console.log(JSON.stringify(summary));
  }
  return summary.violations === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(3);
  },
);
