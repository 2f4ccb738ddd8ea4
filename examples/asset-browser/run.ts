// One run of the asset browser: a manager shared by the thumbnail and metadata retrievers.
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { BackgroundTaskManager } from 'background-task-manager';
import type { CliOptions } from './cli.js';
import { completeIndex, writeJson, type RunRecords } from './index-file.js';
import type { Inspector } from 'background-task-manager/inspector';
import { startInspection, untilInterrupted } from './inspect.js';
import { WORKER_MEMORY_MB } from './limits.js';
import { MetadataRetriever } from './metadata.js';
import { progressTable, startProgress } from './progress.js';
import { SampleSetGenerator } from './sample-set.js';
import { scanImages, type ImageEntry } from './scan.js';
import { Session } from './session.js';
import { summaryLines, type RunSummary } from './summary.js';
import { ThumbnailRetriever } from './thumbnails.js';

/** The settings of a run: the command line, with the folders resolved. */
export interface BrowseOptions extends CliOptions {
  /** The folder to browse; `undefined` for the sample set in `sampleDir`. */
  root: string | undefined;
  sampleDir: string;
  outDir: string;
}

/** The compiled worker module beside this one, or, run from source, the shim that loads the TypeScript. */
const WORKER_SCRIPT = new URL(
  import.meta.url.endsWith('.ts') ? './tasks.worker.source.mjs' : './tasks.worker.js',
  import.meta.url,
);

function createManager(options: BrowseOptions, inspection: Inspector | undefined): BackgroundTaskManager {
  return new BackgroundTaskManager({
    startProcessing: true,
    maxThreads: options.threads ?? availableParallelism(),
    workerScript: WORKER_SCRIPT,
    // A worker over its heap limit dies and its task fails alone; decodes are kept under the same limit beforehand.
    workerOptions: { resourceLimits: { maxOldGenerationSizeMb: WORKER_MEMORY_MB } },
    ...(inspection === undefined ? {} : { inspect: inspection.inspect }),
  });
}

/**
 * Browses `options.root` (or the sample set, generated first if need be): thumbnails and metadata
 * of every image, the index, a live display and a summary. Resolves once every thread has exited.
 */
export async function browse(options: BrowseOptions): Promise<void> {
  const inspection = options.inspect ? await startInspection() : undefined;
  const manager = createManager(options, inspection);
  if (inspection !== undefined) console.log(`Inspector: ${inspection.url}`);
  const session = new Session(manager);
  let summary: RunSummary | undefined;
  try {
    const root = options.root ?? (await prepareSampleSet(manager, session, options.sampleDir));
    summary =
      root === undefined ? nothingBrowsed(options.outDir) : await browseFolder(manager, session, { ...options, root });
  } finally {
    await manager.shutDown();
    const keepPage = inspection !== undefined && summary !== undefined && !session.interrupted;
    // Listened for before the session lets go of the signals: one that came in between would kill the process.
    const interrupted = keepPage ? untilInterrupted() : undefined;
    session.close();
    if (interrupted !== undefined) {
      console.log(`Inspector: the page shows the finished run at ${inspection?.url} until Ctrl-C`);
      await interrupted;
    }
    await inspection?.close();
  }
  if (options.json) console.log(JSON.stringify(summary));
}

/** Generates the sample set unless it is there; `undefined` when Ctrl-C cut it short. */
async function prepareSampleSet(
  manager: BackgroundTaskManager,
  session: Session,
  dir: string,
): Promise<string | undefined> {
  const generator = new SampleSetGenerator(manager, dir);
  if (await generator.isReady()) return dir;
  console.log(`Generating the sample set in ${dir} (once; later runs reuse it)`);
  session.add(generator, (g) => {
    g.stop();
  });
  const display = startProgress(() => session.snapshot());
  const state = await generator.run().finally(() => {
    display.stop();
    session.remove(generator);
  });
  const { done, total, startedAt, finishedAt = startedAt } = generator.progress();
  if (state === 'interrupted') {
    console.log(`Interrupted after ${done} of ${total} sample pictures: the set is generated anew next time.`);
    return undefined;
  }
  console.log(`Sample set: ${done} pictures written in ${((finishedAt - startedAt) / 1000).toFixed(1)} s`);
  return dir;
}

async function browseFolder(
  manager: BackgroundTaskManager,
  session: Session,
  options: BrowseOptions & { root: string },
): Promise<RunSummary> {
  // The thumbnails are left out when they are written inside the folder browsed (`--out` inside or above it).
  const images = session.interrupted
    ? []
    : await scanImages(options.root, join(options.outDir, 'thumbnails'), (folder, error) => {
        console.error(
          `Skipped ${folder}: it cannot be read (${(error as NodeJS.ErrnoException).code ?? error.message})`,
        );
      });
  const index = join(options.outDir, 'index.json');
  console.log(`Browsing ${images.length} images in ${options.root} with up to ${manager.maxThreads} threads`);
  const { thumbnails, metadata } = startRetrievers(manager, session, options, images, index);
  const display = startProgress(() => session.snapshot());
  await manager.onIdle();
  await metadata.indexWritten();
  display.stop();
  const records: RunRecords = { metadata: (rel) => metadata.entry(rel), thumbnail: (rel) => thumbnails.outcome(rel) };
  const header = { root: options.root, indexPath: index, size: options.size, interrupted: session.interrupted };
  await writeJson(index, completeIndex(images, records, header));
  const summary = summarize(images, records, options.outDir, index);
  if (!process.stdout.isTTY) console.log(progressTable(session.snapshot()));
  for (const line of summaryLines(summary, images, records.thumbnail, session.interrupted)) console.log(line);
  return summary;
}

/** Both retrievers on the one manager, each in its group, every image requested from each. */
function startRetrievers(
  manager: BackgroundTaskManager,
  session: Session,
  options: BrowseOptions & { root: string },
  images: readonly ImageEntry[],
  index: string,
): { thumbnails: ThumbnailRetriever; metadata: MetadataRetriever } {
  let shown = 0;
  // --clear-after N: once N thumbnails are on screen, the view changes and the rest is not wanted.
  const thumbnails: ThumbnailRetriever = new ThumbnailRetriever(manager, {
    outDir: options.outDir,
    size: options.size,
    onOutcome: (_rel, outcome) => {
      if (outcome.status === 'made' || outcome.status === 'cached') shown++;
      if (shown === options.clearAfter) thumbnails.clear();
    },
  });
  const metadata = new MetadataRetriever(manager);
  session.add(thumbnails, (t) => {
    t.clear();
  });
  session.add(metadata, (m) => {
    m.stop();
  });
  if (!session.interrupted) {
    // Image by image, so that with equal priorities the two retrievers take turns.
    for (const image of images) {
      thumbnails.request(image);
      metadata.add(image);
    }
    metadata.finish(index, options.root);
    if (options.clearAfter === 0) thumbnails.clear();
  }
  return { thumbnails, metadata };
}

/** The summary of a run interrupted before it browsed anything: no index was written. */
function nothingBrowsed(outDir: string): RunSummary {
  const thumbnails = { made: 0, cached: 0, failed: 0, stopped: 0 };
  return { images: 0, thumbnails, metadata: { indexed: 0, failed: 0 }, outDir, index: join(outDir, 'index.json') };
}

function summarize(images: readonly ImageEntry[], records: RunRecords, outDir: string, index: string): RunSummary {
  const thumbnails = { made: 0, cached: 0, failed: 0, stopped: 0 };
  const metadata = { indexed: 0, failed: 0 };
  for (const image of images) {
    thumbnails[records.thumbnail(image.rel)?.status ?? 'stopped']++;
    const entry = records.metadata(image.rel);
    if (entry !== undefined) metadata['error' in entry ? 'failed' : 'indexed']++;
  }
  return { images: images.length, thumbnails, metadata, outDir, index };
}
