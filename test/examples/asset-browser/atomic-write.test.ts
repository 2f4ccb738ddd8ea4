// Thumbnails and the index are written whole or not at all: a thumbnail newer than its source counts as made
// on the next run, so one left half-written by a failed or cut-short write would be shown, broken, for good.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { workerTasksOf } from '../../../src/workers/worker-runtime.js';

/** Set by a test: the next write stores half of its data, then fails as a full disk would. */
const failing = vi.hoisted(() => ({ next: false }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...fs,
    writeFile: async (...args: Parameters<typeof fs.writeFile>): Promise<void> => {
      if (!failing.next) return fs.writeFile(...args);
      failing.next = false;
      const [path, data] = args;
      await fs.writeFile(
        path,
        typeof data === 'string' ? data.slice(0, data.length / 2) : (data as Uint8Array).subarray(0, 8),
      );
      throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    },
  };
});

const { writeJson } = await import('../../../examples/asset-browser/index-file.js');
const { writeAtomically } = await import('../../../examples/asset-browser/atomic-write.js');
const tasks = workerTasksOf((await import('../../../examples/asset-browser/tasks.worker.js')).default);
// Called as a plain function: it reads nothing of its `this`.
const writeThumbnail = tasks?.get('writeThumbnail') as ((kwargs: object) => Promise<unknown>) | undefined;

const pixels = { width: 2, height: 1, pixels: new Uint8Array([255, 0, 0, 255, 0, 0, 255, 255]) };

describe('the asset browser writes whole files', () => {
  it('leaves no thumbnail when its write fails, so the next run does not take it as made', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'btm-atomic-'));
    const source = join(dir, 'a.png');
    writeFileSync(source, 'a source image');
    const thumbnail = join(dir, 'thumbnails', 'a.png');
    failing.next = true;
    await expect(writeThumbnail?.({ source, thumbnail, cached: false, ...pixels })).rejects.toThrow(/ENOSPC/);
    expect(existsSync(thumbnail)).toBe(false);
    expect(readdirSync(join(dir, 'thumbnails'))).toEqual([]); // nor a temporary file
    // The next write makes it whole.
    await writeThumbnail?.({ source, thumbnail, cached: false, ...pixels });
    expect(readFileSync(thumbnail).subarray(1, 4).toString()).toBe('PNG');
    expect(readdirSync(join(dir, 'thumbnails'))).toEqual(['a.png']);
  });

  it('keeps the previous index when writing the new one fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'btm-atomic-'));
    const index = join(dir, 'index.json');
    await writeJson(index, { version: 1, images: {} });
    failing.next = true;
    await expect(writeJson(index, { version: 1, images: { 'a.png': {} } })).rejects.toThrow(/ENOSPC/);
    expect(JSON.parse(readFileSync(index, 'utf8'))).toEqual({ version: 1, images: {} });
    expect(readdirSync(dir)).toEqual(['index.json']);
  });

  it('gives two writes of one path at once a temporary file each: both succeed, and one of them is whole', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'btm-atomic-'));
    const path = join(dir, 'index.json');
    const [long, short] = ['a'.repeat(1 << 20), 'b'.repeat(10)];
    await Promise.all([writeAtomically(path, long), writeAtomically(path, short)]);
    expect([long, short]).toContain(readFileSync(path, 'utf8'));
    expect(readdirSync(dir)).toEqual(['index.json']);
  });
});
