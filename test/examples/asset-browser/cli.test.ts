import { describe, expect, it } from 'vitest';
import { HELP, parseCli, UsageError } from '../../../examples/asset-browser/cli.js';

describe('the command line', () => {
  it('has defaults for everything', () => {
    expect(parseCli([])).toEqual({
      folder: undefined,
      out: undefined,
      size: 128,
      threads: undefined,
      clearAfter: undefined,
      inspect: false,
      json: false,
    });
  });

  it('reads every option, before or after the folder', () => {
    const args = [
      '--out',
      'o',
      'photos',
      '--size',
      '64',
      '--threads',
      '3',
      '--clear-after',
      '0',
      '--inspect',
      '--json',
    ];
    expect(parseCli(args)).toEqual({
      folder: 'photos',
      out: 'o',
      size: 64,
      threads: 3,
      clearAfter: 0,
      inspect: true,
      json: true,
    });
    expect(parseCli(['--help'])).toBe(HELP);
  });

  it.each([
    [['--size', 'big'], "Expected --size to be an integer from 1 to 4096, got 'big'"],
    [['--size', '0'], "Expected --size to be an integer from 1 to 4096, got '0'"],
    [['--size', '12.5'], "Expected --size to be an integer from 1 to 4096, got '12.5'"],
    [['--threads', '0'], "Expected --threads to be an integer from 1 to 256, got '0'"],
    [['--clear-after=-1'], "Expected --clear-after to be an integer from 0 to 9007199254740991, got '-1'"],
    [['--clear-after', '-1'], /Option '--clear-after' argument is ambiguous/],
    [['--colour'], /Unknown option '--colour'/],
    [['--size'], /Option '--size <value>' argument missing/],
    [['one', 'two'], 'Expected at most one FOLDER, got 2: one two'],
  ])('%j is a UsageError saying what is wrong', (args, message) => {
    expect(() => parseCli(args)).toThrow(UsageError);
    expect(() => parseCli(args)).toThrow(message);
  });
});
