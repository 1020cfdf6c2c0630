import { describe, expect, it } from 'vitest';
import { DEFAULT_HEIGHTS, parseArgs, reproduceCommand, UsageError } from './cli-args';

const parse = (line: string) => parseArgs(line.split(' ').filter((s) => s.length > 0));

describe('sim CLI arguments', () => {
  it('parses a full command line', () => {
    const options = parse(
      '--validators 7 --byzantine 2 --seeds 10-19 --faults drop,twins,drop --heights 3 --json',
    );
    expect(options).toEqual({
      validators: 7,
      byzantine: 2,
      seedFrom: 10,
      seedTo: 19,
      faults: ['drop', 'twins'],
      heights: 3,
      json: true,
      verbose: false,
    });
  });

  it('defaults to a random fault mix, no byzantine validators and the default heights', () => {
    const options = parse('--validators 4 --seeds 5');
    expect(options).toMatchObject({ byzantine: 0, seedFrom: 5, seedTo: 5, faults: null });
    expect(options.heights).toBe(DEFAULT_HEIGHTS);
  });

  it.each([
    ['--validators 3 --byzantine 1 --seeds 1', /1\/3/],
    ['--validators 6 --byzantine 2 --seeds 1', /1\/3/],
    ['--validators 4 --seeds 1 --faults nope', /unknown fault 'nope'/],
    ['--validators 4 --seeds 1 --faults equivocate', /needs byzantine validators/],
    ['--validators 4 --byzantine 1 --seeds 1 --faults drop', /no byzantine behaviour/],
    ['--validators 4 --seeds 9-3', /A <= B/],
    ['--validators 0 --seeds 1', /--validators must be in/],
    ['--validators 4', /--seeds is required/],
    ['--seeds 1', /--validators is required/],
    ['--validators 4 --seeds 1 --heights', /needs a value/],
    ['--validators 4 --seeds 1 --frobnicate', /unknown argument/],
  ])('rejects %s', (line, message) => {
    expect(() => parse(line)).toThrow(UsageError);
    expect(() => parse(line)).toThrow(message);
  });

  it('prints a command that parses back to the same run for one seed', () => {
    const options = parse(
      '--validators 7 --byzantine 2 --seeds 10-19 --faults drop,twins --heights 3',
    );
    const command = reproduceCommand(options, 13);
    expect(command).toBe(
      'npm run sim -- --validators 7 --byzantine 2 --seeds 13-13 --faults drop,twins --heights 3',
    );
    const again = parse(command.replace('npm run sim -- ', ''));
    expect(again).toMatchObject({ ...options, seedFrom: 13, seedTo: 13 });
  });
});
