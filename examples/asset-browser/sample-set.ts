// The sample set: generated on the first run, through the manager itself (drawing and encoding
// are CPU work for the worker threads), and kept with a marker file naming the generator version.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { workerTask, type BackgroundTaskManager } from 'background-task-manager';
import { newProgress, type GroupProgress } from './progress.js';
import { brokenFiles, SAMPLE_SET_VERSION, samplePlan } from './sample-plan.js';

/** The file that says the folder holds a complete sample set, and of which version. */
const MARKER = '.sample-set.json';

/** How a {@link SampleSetGenerator} run ended. */
export type SampleSetState = 'ready' | 'generated' | 'interrupted';

/** Writes the sample set into a folder, unless a complete one of this version is there. */
export class SampleSetGenerator {
  readonly #manager: BackgroundTaskManager;
  readonly #dir: string;
  readonly #count: number;
  readonly #group: number;
  readonly #failures: string[] = [];
  readonly #progress: GroupProgress;
  /** Set by a stop, which may come before the pictures are queued (while the folder is cleared). */
  #stopped = false;

  constructor(manager: BackgroundTaskManager, dir: string, count = 240) {
    this.#manager = manager;
    this.#dir = dir;
    this.#count = count;
    this.#group = manager.nextGroupId();
    this.#progress = newProgress('sample set');
    manager.on('taskCompleted', (_uid, group) => {
      if (group === this.#group) this.#progress.done++;
    });
    manager.on('taskFailed', (_uid, group, message) => {
      if (group !== this.#group) return;
      this.#progress.failed++;
      this.#failures.push(message);
    });
  }

  /** Whether the folder already holds a complete sample set of this version. */
  async isReady(): Promise<boolean> {
    try {
      const marker = JSON.parse(await readFile(join(this.#dir, MARKER), 'utf8')) as {
        version?: unknown;
        count?: unknown;
      };
      return marker.version === SAMPLE_SET_VERSION && marker.count === this.#count;
    } catch {
      return false; // no marker, or an unreadable one: generate anew
    }
  }

  /**
   * Generates the set, unless it is ready. Resolves once every file is written, or the run was interrupted.
   * @throws {Error} if a picture could not be written.
   */
  async run(): Promise<SampleSetState> {
    if (await this.isReady()) return 'ready';
    await rm(this.#dir, { recursive: true, force: true });
    const broken = brokenFiles();
    for (const file of broken) {
      await mkdir(dirname(join(this.#dir, file.rel)), { recursive: true });
      await writeFile(join(this.#dir, file.rel), file.bytes);
    }
    const plan = samplePlan(this.#count);
    if (this.#stopped) return 'interrupted';
    this.#progress.startedAt = performance.now();
    this.#progress.total = plan.length;
    for (const spec of plan) {
      const taskArgs = [join(this.#dir, spec.rel), spec];
      this.#manager.addTask(workerTask('writeSample'), { group: this.#group, taskArgs });
    }
    await this.#manager.onIdle();
    this.#progress.finishedAt = performance.now();
    if (this.#failures.length > 0) throw new Error(`The sample set could not be written: ${this.#failures[0] ?? ''}`);
    if (this.#progress.stopped > 0) return 'interrupted';
    await writeFile(
      join(this.#dir, MARKER),
      `${JSON.stringify({ version: SAMPLE_SET_VERSION, count: this.#count })}\n`,
    );
    return 'generated';
  }

  /** Stops the pictures not written yet; the set stays incomplete and is generated anew next time. */
  stop(): void {
    this.#stopped = true;
    this.#manager.stopTaskGroup(this.#group);
    this.#progress.stopped = this.#progress.total - this.#progress.done - this.#progress.failed;
  }

  /** The group's progress, per picture. */
  progress(): Readonly<GroupProgress> {
    return this.#progress;
  }
}
