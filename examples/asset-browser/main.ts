// npm start: the asset browser's back end on a folder of images (or a generated sample set).
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, readdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HELP, parseCli, USAGE, UsageError, type CliOptions } from './cli.js';
import { browse } from './run.js';

/** The repository's root: two levels up from this module, compiled (dist-examples/) or not (examples/). */
const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SAMPLE_DIR = join(PROJECT_ROOT, '.cache', 'sample-images');

/** The default output folder of `root`: one per folder browsed, under `.cache/asset-browser/`. */
function defaultOutDir(root: string): string {
  const hash = createHash('sha256').update(root).digest('hex').slice(0, 8);
  return join(PROJECT_ROOT, '.cache', 'asset-browser', `${basename(root)}-${hash}`);
}

async function readableFolder(folder: string): Promise<string> {
  const path = resolve(folder);
  try {
    await readdir(path);
  } catch (error) {
    throw new UsageError(`Cannot read the folder ${path}: ${(error as Error).message}`, { cause: error });
  }
  return path;
}

/** The output folder, made if need be; a bad argument when it cannot be (a file there, no permission). */
async function writableFolder(folder: string): Promise<string> {
  try {
    await mkdir(folder, { recursive: true });
    await access(folder, constants.W_OK);
  } catch (error) {
    throw new UsageError(`Cannot write to the output folder ${folder}: ${(error as Error).message}`, { cause: error });
  }
  return folder;
}

async function main(argv: readonly string[]): Promise<number> {
  let options: CliOptions | typeof HELP;
  let root: string | undefined;
  let outDir: string;
  try {
    options = parseCli(argv);
    if (options === HELP) {
      console.log(USAGE);
      return 0;
    }
    root = options.folder === undefined ? undefined : await readableFolder(options.folder);
    outDir = await writableFolder(resolve(options.out ?? defaultOutDir(root ?? SAMPLE_DIR)));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n\n${USAGE}`);
    return 2;
  }
  await browse({ ...options, root, sampleDir: SAMPLE_DIR, outDir });
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
