// The thumbnail retriever: per image a cache check on the main thread, then decode and shrink,
// then encode and write, both on worker threads. One group, stopped as a whole when cleared.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { workerTask, type BackgroundTaskManager } from 'background-task-manager';
import { newProgress, type GroupProgress } from './progress.js';
import type { ImageEntry } from './scan.js';
import type { CacheCheck } from './tasks.worker.js';

/** What became of one image's thumbnail. */
export type ThumbnailOutcome =
  { status: 'made' | 'cached'; path: string } | { status: 'failed'; message: string } | { status: 'stopped' };

/** The priorities of the three steps: checks first (cheap, and they tell what to skip), then finish started work before decoding more. */
const Priority = Object.freeze({ check: 10, write: 5, make: 0 });

/** Is there a thumbnail newer than the source? Plain file I/O: a main-thread task. */
async function checkCache(kwargs: { source: string; thumbnail: string }): Promise<CacheCheck> {
  const [source, thumbnail] = await Promise.all([stat(kwargs.source), statIfExists(kwargs.thumbnail)]);
  const cached = thumbnail !== undefined && thumbnail.mtimeMs >= source.mtimeMs;
  return { source: kwargs.source, thumbnail: kwargs.thumbnail, cached };
}

async function statIfExists(path: string): Promise<{ mtimeMs: number } | undefined> {
  try {
    return await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Options of a {@link ThumbnailRetriever}. */
export interface ThumbnailOptions {
  /** Thumbnails are written under `<outDir>/thumbnails/<size>/`. */
  outDir: string;
  /** The longest edge of a thumbnail, in pixels. */
  size: number;
  /** Called once per image when its outcome is known (not for images stopped by `clear()`). */
  onOutcome?: (rel: string, outcome: ThumbnailOutcome) => void;
}

/** Makes thumbnails through a shared manager, in a group of its own. */
export class ThumbnailRetriever {
  readonly #manager: BackgroundTaskManager;
  readonly #options: ThumbnailOptions;
  readonly #group: number;
  /** The id of each image's last task (the write), to the image. */
  readonly #lastTask = new Map<number, string>();
  readonly #outcomes = new Map<string, ThumbnailOutcome>();
  readonly #progress: GroupProgress;

  constructor(manager: BackgroundTaskManager, options: ThumbnailOptions) {
    this.#manager = manager;
    this.#options = options;
    this.#group = manager.nextGroupId();
    this.#progress = newProgress('thumbnails');
    manager.on('taskCompleted', (uid, _group, result) => {
      if (!this.#lastTask.has(uid)) return;
      const { thumbnail, cached } = result as { thumbnail: string; cached: boolean };
      this.#settle(uid, { status: cached ? 'cached' : 'made', path: thumbnail });
    });
    manager.on('taskFailed', (uid, _group, message) => {
      this.#settle(uid, { status: 'failed', message });
    });
  }

  /** Where the thumbnail of `image` goes: the source's name plus `.png`, so `a.png` and `a.jpg` do not collide. */
  thumbnailPath(image: ImageEntry): string {
    return join(this.#options.outDir, 'thumbnails', String(this.#options.size), `${image.rel}.png`);
  }

  /** Adds the three tasks that make the thumbnail of `image`. */
  request(image: ImageEntry): void {
    const manager = this.#manager;
    const group = this.#group;
    if (this.#progress.total === 0) this.#progress.startedAt = performance.now();
    this.#progress.total++;
    const taskKwargs = { source: image.source, thumbnail: this.thumbnailPath(image) };
    const check = manager.addTask(checkCache, { priority: Priority.check, group, taskKwargs });
    const make = manager.addTask(workerTask('makeThumbnail'), {
      priority: Priority.make,
      group,
      upstreamTaskIds: [check],
      taskArgs: [this.#options.size],
    });
    // Both upstream: the check's paths and the made pixels are merged into this task's kwargs.
    const write = manager.addTask(workerTask('writeThumbnail'), {
      priority: Priority.write,
      group,
      upstreamTaskIds: [check, make],
    });
    this.#lastTask.set(write, image.rel);
  }

  /** Stops every pending thumbnail task, as a view change would: their images count as stopped. */
  clear(): void {
    this.#manager.stopTaskGroup(this.#group);
    for (const rel of this.#lastTask.values()) {
      this.#outcomes.set(rel, { status: 'stopped' });
      this.#progress.stopped++;
    }
    this.#lastTask.clear();
    this.#finishIfDone();
  }

  /** What became of the thumbnail of `rel`; `undefined` while it is pending. */
  outcome(rel: string): ThumbnailOutcome | undefined {
    return this.#outcomes.get(rel);
  }

  /** Counts per outcome. */
  counts(): Record<ThumbnailOutcome['status'], number> {
    const counts = { made: 0, cached: 0, failed: 0, stopped: 0 };
    for (const outcome of this.#outcomes.values()) counts[outcome.status]++;
    return counts;
  }

  /** The group's progress, per image. */
  progress(): Readonly<GroupProgress> {
    return this.#progress;
  }

  #settle(uid: number, outcome: ThumbnailOutcome): void {
    const rel = this.#lastTask.get(uid);
    if (rel === undefined) return;
    this.#lastTask.delete(uid);
    this.#outcomes.set(rel, outcome);
    if (outcome.status === 'failed') this.#progress.failed++;
    else this.#progress.done++;
    this.#finishIfDone();
    this.#options.onOutcome?.(rel, outcome);
  }

  #finishIfDone(): void {
    if (this.#lastTask.size === 0) this.#progress.finishedAt = performance.now();
  }
}
