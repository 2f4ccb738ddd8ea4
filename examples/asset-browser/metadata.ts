// The metadata retriever: per image a worker task that hashes the file and reads its size, per
// folder a pass-through task that gathers them, then one task that writes the index.
import { workerTask, type BackgroundTaskManager } from 'background-task-manager';
import { newProgress, type GroupProgress } from './progress.js';
import { writeJson } from './index-file.js';
import type { ImageEntry } from './scan.js';
import type { ImageMetadata } from './tasks.worker.js';

/** Makes the metadata index through a shared manager, in a group of its own. */
export class MetadataRetriever {
  readonly #manager: BackgroundTaskManager;
  readonly #group: number;
  /** The id of each image's describe task, to the image. */
  readonly #describeTask = new Map<number, string>();
  readonly #entries = new Map<string, ImageMetadata>();
  /** Each folder's describe tasks. */
  readonly #folders = new Map<string, number[]>();
  readonly #progress: GroupProgress;
  /** The index task's write while it runs: the final write must not race it. */
  #writing: Promise<void> = Promise.resolve();

  constructor(manager: BackgroundTaskManager) {
    this.#manager = manager;
    this.#group = manager.nextGroupId();
    this.#progress = newProgress('metadata');
    manager.on('taskCompleted', (uid, _group, result) => {
      const rel = this.#describeTask.get(uid);
      if (rel !== undefined) this.#record(uid, rel, (result as Record<string, ImageMetadata>)[rel]);
    });
    manager.on('taskFailed', (uid, _group, message) => {
      const rel = this.#describeTask.get(uid);
      if (rel !== undefined) this.#record(uid, rel, { error: message });
    });
  }

  /** Adds the task that describes `image`: its hash and size go into its folder's entry of the index. */
  add(image: ImageEntry): void {
    const group = this.#group;
    if (this.#progress.total === 0) this.#progress.startedAt = performance.now();
    this.#progress.total++;
    const describe = workerTask('describeImage');
    const uid = this.#manager.addTask(describe, { group, taskArgs: [image.source, image.rel] });
    this.#describeTask.set(uid, image.rel);
    const folder = this.#folders.get(image.folder);
    if (folder === undefined) this.#folders.set(image.folder, [uid]);
    else folder.push(uid);
  }

  /**
   * Adds, once every image is added, a pass-through task per folder that gathers its images'
   * entries, and the task that writes them all to `indexPath`: it lists every folder's task upstream.
   */
  finish(indexPath: string, root: string): void {
    const group = this.#group;
    const gathered = [...this.#folders.values()].map((upstreamTaskIds) =>
      this.#manager.addPassThroughTask({ group, upstreamTaskIds }),
    );
    const writeIndex = (kwargs: Record<string, ImageMetadata>): Promise<{ index: string }> => {
      this.#writing = writeJson(indexPath, { version: 1, root, images: sortedByKey(kwargs) });
      return this.#writing.then(() => ({ index: indexPath }));
    };
    this.#manager.addTask(writeIndex, { group, upstreamTaskIds: gathered });
  }

  /** Stops every pending metadata task; images not described yet count as stopped. */
  stop(): void {
    this.#manager.stopTaskGroup(this.#group);
    this.#progress.stopped += this.#describeTask.size;
    this.#describeTask.clear();
    this.#progress.finishedAt = performance.now();
  }

  /** Resolves once the index task's write, if one started, has ended. */
  async indexWritten(): Promise<void> {
    await this.#writing.catch(() => undefined); // its failure was reported as the task's taskFailed
  }

  /** The metadata of `rel`, or `undefined` when its task was stopped before it ran. */
  entry(rel: string): ImageMetadata | undefined {
    return this.#entries.get(rel);
  }

  /** The group's progress, per image. */
  progress(): Readonly<GroupProgress> {
    return this.#progress;
  }

  #record(uid: number, rel: string, entry: ImageMetadata | undefined): void {
    this.#describeTask.delete(uid);
    const metadata = entry ?? { error: 'the describe task returned no entry' };
    this.#entries.set(rel, metadata);
    if ('error' in metadata) this.#progress.failed++;
    else this.#progress.done++;
    if (this.#describeTask.size === 0) this.#progress.finishedAt = performance.now();
  }
}

/** A copy of `record` with its keys in order, so the index file is the same from run to run. */
function sortedByKey<T>(record: Readonly<Record<string, T>>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
