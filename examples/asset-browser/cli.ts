// The command line: `npm start -- [FOLDER] [--out DIR] [--size N] [--threads N] [--clear-after N] [--inspect] [--json]`.
import { parseArgs } from 'node:util';

/** The run's settings, from the command line. */
export interface CliOptions {
  /** The folder to browse; `undefined` for the generated sample set. */
  folder: string | undefined;
  /** Where thumbnails and the index go; `undefined` for the default cache folder. */
  out: string | undefined;
  /** The longest edge of a thumbnail, in pixels. */
  size: number;
  /** `maxThreads`; `undefined` for one per CPU core. */
  threads: number | undefined;
  /** Stop the thumbnail group after this many thumbnails. */
  clearAfter: number | undefined;
  inspect: boolean;
  json: boolean;
}

/** The usage text, printed with every command-line error. */
export const USAGE = `Usage: npm start -- [FOLDER] [--out DIR] [--size N] [--threads N] [--clear-after N] [--inspect] [--json]

Browses the images under FOLDER (recursively): a thumbnail and the metadata (SHA-256, size) of each,
and an index of them all. Without FOLDER, a sample set is generated on the first run.

  --out DIR          where thumbnails and index.json go (default: a folder under .cache/asset-browser/)
  --size N           the longest edge of a thumbnail in pixels, 1 to 4096 (default: 128)
  --threads N        the most tasks running at once, the size of the thread pool
                     (default: the number of CPU cores)
  --clear-after N    stop the thumbnail group after N thumbnails, as a view change would
  --inspect          start the inspector page and print its address
  --json             end with one line of JSON: the counts and the paths
  --help             show this text`;

/** A command-line mistake: the message says what, the process prints the usage and exits with code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = 'ERR_USAGE';
}

/** `--help` was given: print the usage and exit 0. */
export const HELP = Symbol('help');

/**
 * Reads the command line.
 * @throws {UsageError} for an unknown option, a missing or malformed value, or more than one folder.
 */
export function parseCli(args: readonly string[]): CliOptions | typeof HELP {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: {
        out: { type: 'string' },
        size: { type: 'string' },
        threads: { type: 'string' },
        'clear-after': { type: 'string' },
        inspect: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message, { cause: error });
  }
  const { values, positionals } = parsed;
  if (values.help) return HELP;
  if (positionals.length > 1)
    throw new UsageError(`Expected at most one FOLDER, got ${positionals.length}: ${positionals.join(' ')}`);
  return {
    folder: positionals[0],
    out: values.out,
    size: integerOption('--size', values.size, 1, 4096) ?? 128,
    threads: integerOption('--threads', values.threads, 1, 256),
    clearAfter: integerOption('--clear-after', values['clear-after'], 0, Number.MAX_SAFE_INTEGER),
    inspect: values.inspect,
    json: values.json,
  };
}

function integerOption(name: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < min || value > max) {
    throw new UsageError(`Expected ${name} to be an integer from ${min} to ${max}, got '${text}'`);
  }
  return value;
}
