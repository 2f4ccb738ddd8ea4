// The asset browser (npm start) at its edges: an --out inside or above the folder or not writable, a
// subfolder it may not read, a huge folder, and a Ctrl-C before the sample set's pictures are queued.
import { chmodSync, chownSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BackgroundTaskManager } from 'background-task-manager';
import { afterEach, describe, expect, it } from 'vitest';
import { MetadataRetriever } from '../../../examples/asset-browser/metadata.js';
import { SampleSetGenerator } from '../../../examples/asset-browser/sample-set.js';
import { jsonSummary, runDemo, writeSmallSet } from './run-demo.js';

const temp = (name: string): string => mkdtempSync(join(tmpdir(), `btm-edges-${name}-`));

/** Under root, permissions do not apply: run the demo as `nobody`, so an unreadable folder is one. */
const NOBODY = process.getuid?.() === 0 ? 65_534 : undefined;

/** Lets the user the demo runs as (`nobody` under root) read and write `dir`. */
function share(dir: string): void {
  chmodSync(dir, 0o755);
  if (NOBODY !== undefined) chownSync(dir, NOBODY, NOBODY);
}

/** A stack trace on stderr: the process died of an error it did not handle. */
const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

describe('the asset browser: --out', () => {
  it('browses every image when --out is the folder itself (the thumbnails go in its thumbnails/)', async () => {
    const folder = temp('out-is-folder');
    writeSmallSet(folder);
    const run = await runDemo([folder, '--out', folder, '--threads', '2', '--json']);
    expect(run.code).toBe(0);
    expect(jsonSummary(run).images).toBe(10);
  });

  it('treats an --out that is an existing file as a bad argument: usage on stderr, exit 2', async () => {
    const folder = temp('out-is-file');
    writeSmallSet(folder);
    const file = join(temp('out-file'), 'not-a-folder');
    writeFileSync(file, 'x');
    const run = await runDemo([folder, '--out', file, '--threads', '2']);
    expect(run.stderr).not.toMatch(STACK_FRAME);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Usage: npm start -- [FOLDER]');
  });
});

describe('the asset browser: a folder that cannot be read', () => {
  it('skips a subfolder it may not read, says so, and browses the rest', async () => {
    const folder = temp('locked-sub');
    const out = temp('locked-sub-out');
    writeSmallSet(folder);
    for (const dir of [folder, out, join(folder, 'a'), join(folder, 'b')]) share(dir);
    mkdirSync(join(folder, 'locked'), { mode: 0o000 });
    chmodSync(join(folder, 'locked'), 0o000);
    const run = await runDemo([folder, '--out', out, '--threads', '2', '--json'], undefined, NOBODY);
    expect(run.stderr).not.toMatch(STACK_FRAME);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/Skipped .*locked: it cannot be read \(EACCES\)/);
    expect(jsonSummary(run).images).toBe(10);
  });
});

describe('the asset browser: a huge folder', () => {
  const arrayIterator = Object.getOwnPropertyDescriptor(Array.prototype, Symbol.iterator);
  afterEach(() => {
    if (arrayIterator !== undefined) Object.defineProperty(Array.prototype, Symbol.iterator, arrayIterator);
  });

  it('adds the images of one folder in linear work, not a copy of the folder per image', () => {
    // A manager that only hands out ids: what is measured is the retriever's own bookkeeping.
    let uid = 0;
    const manager = { nextGroupId: () => 1, on: () => manager, addTask: () => uid++ };
    const metadata = new MetadataRetriever(manager as unknown as BackgroundTaskManager);
    // Count the array elements iterated (spread, for…of) while the images are added.
    let iterated = 0;
    const values = Array.prototype.values;
    Object.defineProperty(Array.prototype, Symbol.iterator, {
      configurable: true,
      writable: true,
      value: function* counted(this: unknown[]) {
        for (const value of values.call(this)) {
          iterated++;
          yield value;
        }
      },
    });
    const images = 2_000;
    for (let i = 0; i < images; i++) metadata.add({ source: `/photos/${i}.png`, rel: `${i}.png`, folder: '.' });
    if (arrayIterator !== undefined) Object.defineProperty(Array.prototype, Symbol.iterator, arrayIterator);
    // A copy of the folder's list per image would be images²/2 = 2,000,000 elements (80,000 images in
    // one folder took 31 s of the event loop before the first task ran, Ctrl-C included).
    expect(iterated).toBeLessThan(10 * images);
  });
});

describe('the asset browser: Ctrl-C while the sample set is being generated', () => {
  it('stops the generation when Ctrl-C comes before its pictures are queued (while it clears the folder)', async () => {
    const manager = new BackgroundTaskManager({
      startProcessing: true,
      maxThreads: 1,
      workerScript: new URL('../../../examples/asset-browser/tasks.worker.source.mjs', import.meta.url),
    });
    const generator = new SampleSetGenerator(manager, join(temp('sample'), 'set'), 6);
    try {
      // What the Session does on a Ctrl-C that lands while run() awaits its marker check, rm and
      // broken files (or before run(), when the Session was already interrupted): stop().
      const state = generator.run();
      generator.stop();
      // stop() finds no task yet: run() must not queue the pictures afterwards.
      expect(await state).toBe('interrupted');
      expect(generator.progress().done).toBe(0);
    } finally {
      await manager.shutDown();
    }
  });
});
