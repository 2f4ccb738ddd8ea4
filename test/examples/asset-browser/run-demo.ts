// Runs the asset browser as a child process from source, as `npm start` runs it compiled.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeJpeg, encodePng } from '../../../examples/asset-browser/codecs.js';
import { brokenFiles } from '../../../examples/asset-browser/sample-plan.js';
import { drawSample, type SampleKind } from '../../../examples/asset-browser/sample-draw.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const main = join(root, 'examples/asset-browser/main.ts');

/** How a run ended, and everything it printed. */
export interface DemoRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the demo with `args`. `onLine` sees each stdout line as it comes, with the child, so a test
 * can act on what the demo printed (send SIGINT after a given line) instead of waiting for a time.
 * With `user`, the demo runs as that user and group id.
 */
export function runDemo(
  args: readonly string[],
  onLine?: (line: string, kill: (signal: NodeJS.Signals) => void) => void,
  user?: number,
): Promise<DemoRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', main, ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(user === undefined ? {} : { uid: user, gid: user }),
  });
  let stdout = '';
  let stderr = '';
  let partial = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) onLine?.(line, (signal) => child.kill(signal));
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** The `--json` line: the last line of stdout. */
export function jsonSummary(run: DemoRun): {
  images: number;
  thumbnails: { made: number; cached: number; failed: number; stopped: number };
  metadata: { indexed: number; failed: number };
  outDir: string;
  index: string;
} {
  const lines = run.stdout.trimEnd().split('\n');
  return JSON.parse(lines[lines.length - 1] ?? '') as ReturnType<typeof jsonSummary>;
}

function write(dir: string, rel: string, bytes: Uint8Array): void {
  mkdirSync(dirname(join(dir, rel)), { recursive: true });
  writeFileSync(join(dir, rel), bytes);
}

/** A picture of the small set: where it goes, and its size. */
export interface SmallPicture {
  rel: string;
  width: number;
  height: number;
}

/** Five good pictures (PNG and JPEG, one smaller than a thumbnail), and the sample set's broken files. */
export const SMALL_SET: readonly (SmallPicture & { kind: SampleKind })[] = [
  { rel: 'a/one.png', kind: 'gradient', width: 200, height: 100 },
  { rel: 'a/two.jpg', kind: 'circles', width: 90, height: 120 },
  { rel: 'b/three.png', kind: 'checkerboard', width: 300, height: 300 },
  { rel: 'b/four.jpg', kind: 'noise', width: 160, height: 120 },
  { rel: 'top.png', kind: 'circles', width: 64, height: 48 },
];

/** Writes {@link SMALL_SET}, the broken files and a truncated JPEG into `dir`. */
export function writeSmallSet(dir: string): void {
  for (const picture of SMALL_SET) {
    const image = drawSample(picture.kind, picture.width, picture.height, 1);
    write(dir, picture.rel, picture.rel.endsWith('.png') ? encodePng(image, true) : encodeJpeg(image, 80));
  }
  for (const file of brokenFiles()) write(dir, file.rel, file.bytes);
  const jpeg = encodeJpeg(drawSample('gradient', 120, 90, 2), 80);
  write(dir, 'scans/truncated.jpg', jpeg.subarray(0, jpeg.length >> 1));
}

/** `count` gradient PNGs of 800×600: enough work that a run is still busy when a test interrupts it. */
export function writeBusySet(dir: string, count: number): void {
  for (let i = 0; i < count; i++) write(dir, `busy-${i}.png`, encodePng(drawSample('gradient', 800, 600, i), true));
}
