// The asset browser end to end, as a child process on small generated folders.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { fitWithin } from '../../../examples/asset-browser/downscale.js';
import { jsonSummary, runDemo, SMALL_SET, writeBusySet, writeSmallSet, type DemoRun } from './run-demo.js';

const temp = (name: string): string => mkdtempSync(join(tmpdir(), `btm-asset-browser-${name}-`));
const FAILING = [
  'holidays/animation.gif',
  'patterns/huge.png',
  'scans/corrupt.png',
  'scans/truncated.jpg',
  'textures/readme.jpg',
];

interface IndexFile {
  interrupted: boolean;
  thumbnailSize: number;
  images: Record<string, Record<string, unknown> & { thumbnail: { status: string; path?: string; message?: string } }>;
}
const readIndex = (path: string): IndexFile => JSON.parse(readFileSync(path, 'utf8')) as IndexFile;

describe('the asset browser (npm start)', () => {
  const folder = temp('images');
  const out = temp('out');
  let first: DemoRun;

  beforeAll(async () => {
    writeSmallSet(folder);
    first = await runDemo([folder, '--out', out, '--threads', '2', '--json']);
  });

  it('exits 0 although some images fail, and ends with the --json counts', () => {
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(jsonSummary(first)).toEqual({
      images: 10,
      thumbnails: { made: 5, cached: 0, failed: 5, stopped: 0 },
      metadata: { indexed: 7, failed: 3 },
      outDir: out,
      index: join(out, 'index.json'),
    });
    expect(first.stdout).toContain(`Output: ${out}`);
  });

  it('writes each thumbnail as a PNG whose longest edge is --size, aspect kept, never enlarged', () => {
    for (const picture of SMALL_SET) {
      const png = PNG.sync.read(readFileSync(join(out, 'thumbnails', '128', `${picture.rel}.png`)));
      expect({ width: png.width, height: png.height }).toEqual(fitWithin(picture.width, picture.height, 128));
    }
    for (const rel of FAILING) expect(existsSync(join(out, 'thumbnails', '128', `${rel}.png`))).toBe(false);
  });

  it('lists every image in the index with its metadata or error and its thumbnail outcome', () => {
    const index = readIndex(join(out, 'index.json'));
    expect(Object.keys(index.images).sort()).toEqual([...SMALL_SET.map((p) => p.rel), ...FAILING].sort());
    const one = readFileSync(join(folder, 'a/one.png'));
    expect(index.images['a/one.png']).toEqual({
      sha256: createHash('sha256').update(one).digest('hex'),
      bytes: one.length,
      width: 200,
      height: 100,
      thumbnail: { status: 'made', path: 'thumbnails/128/a/one.png.png' },
    });
    // Its header is readable (metadata), its body is not (the thumbnail fails, and its write task by cascade).
    expect(index.images['scans/truncated.jpg']).toMatchObject({ width: 120, height: 90 });
    expect(index.images['scans/truncated.jpg']?.thumbnail.message).toMatch(/^corrupt or truncated JPEG: /);
    expect(index.images['patterns/huge.png']).toMatchObject({ width: 60_000, height: 60_000 });
    expect(index.images['patterns/huge.png']?.thumbnail.message).toMatch(/too large for the worker's memory limit/);
    expect(index.images['holidays/animation.gif']).toMatchObject({
      error: 'unsupported format GIF: only PNG and JPEG are read',
      thumbnail: { status: 'failed', message: 'unsupported format GIF: only PNG and JPEG are read' },
    });
    expect(index.images['scans/corrupt.png']?.error).toMatch(/^not an image/);
    expect(index.interrupted).toBe(false);
  });

  it('finds every thumbnail in the cache on a second run over the same folder', async () => {
    const second = await runDemo([folder, '--out', out, '--json']);
    expect(second.code).toBe(0);
    expect(jsonSummary(second).thumbnails).toEqual({ made: 0, cached: 5, failed: 5, stopped: 0 });
    expect(readIndex(join(out, 'index.json')).images['a/one.png']?.thumbnail.status).toBe('cached');
  });

  it('stops the thumbnail group after --clear-after N thumbnails, and the metadata goes on', async () => {
    const cleared = temp('cleared');
    const run = await runDemo([folder, '--out', cleared, '--threads', '1', '--clear-after', '2', '--json']);
    expect(run.code).toBe(0);
    const { thumbnails, metadata } = jsonSummary(run);
    expect(thumbnails.made).toBe(2);
    expect(thumbnails.stopped).toBeGreaterThan(0);
    expect(thumbnails.made + thumbnails.failed + thumbnails.stopped).toBe(10);
    expect(metadata).toEqual({ indexed: 7, failed: 3 });
    const index = readIndex(join(cleared, 'index.json'));
    const stopped = Object.entries(index.images).filter(([, entry]) => entry.thumbnail.status === 'stopped');
    expect(stopped).toHaveLength(thumbnails.stopped);
    for (const [rel] of stopped) expect(existsSync(join(cleared, 'thumbnails', '128', `${rel}.png`))).toBe(false);
  });
});

describe('the asset browser on a bad command line', () => {
  // Every message is checked in cli.test.ts; here, that the process says it and exits 2.
  it.each([
    [['--size', 'big'], /Expected --size to be an integer from 1 to 4096, got 'big'/],
    [[join(tmpdir(), 'btm-no-such-folder')], /Cannot read the folder .*btm-no-such-folder: ENOENT/],
  ])('%j: prints the usage on stderr and exits 2', async (args, message) => {
    const run = await runDemo(args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toContain('Usage: npm start -- [FOLDER]');
  });
});

describe('the asset browser with --inspect', () => {
  it('serves the run in the inspector page, keeps it open on the finished run until Ctrl-C, then exits 0', async () => {
    const folder = temp('inspect');
    const out = temp('inspect-out');
    writeSmallSet(folder);
    let url: URL | undefined;
    let state: Promise<unknown> | undefined;
    const run = await runDemo([folder, '--out', out, '--inspect', '--json'], (line, kill) => {
      if (line.startsWith('Inspector: http')) url = new URL(line.slice('Inspector: '.length));
      if (line.startsWith('Inspector: the page shows the finished run') && url !== undefined) {
        const api = new URL('/api/state', url);
        api.search = url.search; // the token
        state = fetch(api)
          .then((response) => response.json())
          .finally(() => {
            kill('SIGINT');
          });
      }
    });
    expect(run.code).toBe(0);
    expect(url?.hostname).toBe('127.0.0.1');
    const { managers } = (await state) as { managers: { maxThreads: number; counts: Record<string, number> }[] };
    // One manager: the sample-set generator, the thumbnails and the metadata share it.
    expect(managers).toHaveLength(1);
    // 10 images: 3 thumbnail tasks and 1 describe task each; 7 folders (the top one too), 1 index task.
    const counts = managers[0]?.counts ?? {};
    expect((counts.done ?? 0) + (counts.failed ?? 0)).toBe(10 * 4 + 7 + 1);
    expect(jsonSummary(run).thumbnails).toEqual({ made: 5, cached: 0, failed: 5, stopped: 0 });
  });
});

describe('the asset browser with --inspect, on SIGTERM once the run has finished', () => {
  it('ends as on Ctrl-C: the page closes, the summary is printed, exit code 0', async () => {
    const folder = temp('inspect-term');
    const out = temp('inspect-term-out');
    writeSmallSet(folder);
    let sent = false;
    const run = await runDemo([folder, '--out', out, '--inspect', '--json'], (line, kill) => {
      if (!sent && line.startsWith('Inspector: the page shows the finished run')) {
        sent = true;
        kill('SIGTERM');
      }
    });
    expect(sent).toBe(true);
    expect({ code: run.code, signal: run.signal }).toEqual({ code: 0, signal: null });
    expect(jsonSummary(run).images).toBe(10);
  });
});

describe('the asset browser on Ctrl-C or SIGTERM', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)(
    'on %s: shuts the manager down, writes a partial index, prints a partial summary and exits 0 by itself',
    async (signal) => {
      const folder = temp('busy');
      const out = temp('busy-out');
      writeBusySet(folder, 24);
      let sent = false;
      const run = await runDemo([folder, '--out', out, '--threads', '1', '--json'], (line, kill) => {
        if (!sent && line.startsWith('Browsing ')) {
          sent = true;
          kill(signal);
        }
      });
      expect(sent).toBe(true);
      // Exiting at all proves no thread was left behind: a live worker would keep the process running.
      expect({ code: run.code, signal: run.signal }).toEqual({ code: 0, signal: null });
      expect(run.stdout).toContain('Interrupted: the counts below are partial.');
      const summary = jsonSummary(run);
      expect(summary.thumbnails.stopped).toBeGreaterThan(0);
      expect(summary.images).toBe(24);
      const index = readIndex(join(out, 'index.json'));
      expect(index.interrupted).toBe(true);
      expect(Object.keys(index.images)).toHaveLength(24);
    },
  );
});
