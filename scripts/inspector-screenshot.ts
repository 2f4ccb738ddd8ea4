/**
 * Takes docs/inspector.png: runs a small image pipeline (main-thread I/O
 * stand-ins, CPU work on two worker threads, a dependency fan-in, a failure
 * that cascades) under a live inspector, and photographs the page in
 * Debian's Chromium mid-run. A demo, not a test: it waits on wall-clock time.
 *
 * Usage: npx tsx scripts/inspector-screenshot.ts [out.png]   (CHROMIUM_PATH overrides /usr/bin/chromium)
 * The committed image was then shrunk with `pngquant --quality=70-90` and `optipng -o5` (Debian packages).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium } from 'playwright-core';
import { BackgroundTaskManager, workerTask } from '../src/index.js';
import { startInspector } from '../src/inspector.js';
import { buildPage } from './build-page.js';

const out = process.argv[2] ?? new URL('../docs/inspector.png', import.meta.url).pathname;

function pipeline(manager: BackgroundTaskManager): number {
  const uploads: number[] = [];
  for (let i = 0; i < 24; i++) {
    const path = `/photos/IMG_${1040 + i}.jpg`;
    const fetched = manager.addTask(
      async function fetchPhoto(kwargs: { path: string }) {
        await sleep(120 + ((i * 37) % 200));
        return { path: kwargs.path, bytes: 200_000 + i * 1_311 };
      },
      { group: 'thumbnails', priority: 5, taskKwargs: { path } },
    );
    const rendered = manager.addTask(workerTask('renderThumbnail'), {
      group: 'thumbnails',
      taskArgs: [64 + (i % 3) * 48],
      upstreamTaskIds: [fetched],
    });
    const hashed = manager.addTask(workerTask('hashFile'), { group: 'thumbnails', upstreamTaskIds: [fetched] });
    uploads.push(
      manager.addTask(
        async function uploadThumbnail() {
          await sleep(40);
          return { stored: true };
        },
        { group: 'thumbnails', upstreamTaskIds: [rendered, hashed] },
      ),
    );
  }
  return manager.addTask(
    async function publishGallery() {
      await sleep(30);
      return { photos: uploads.length };
    },
    { group: 'thumbnails', upstreamTaskIds: uploads },
  );
}

function reports(manager: BackgroundTaskManager): number {
  const index = manager.addTask(
    async function loadIndex() {
      await sleep(50);
      return { rows: 1_234 };
    },
    { group: 'reports', priority: 10 },
  );
  const build = manager.addTask(
    function buildReport(format: string) {
      throw new Error(`disk quota exceeded while writing report.${format}`);
    },
    { group: 'reports', priority: 10, taskArgs: ['csv'], upstreamTaskIds: [index] },
  );
  manager.addTask(async function mailReport() {}, { group: 'reports', upstreamTaskIds: [build] });
  return build;
}

await buildPage();
const inspector = await startInspector({ controls: true });
const manager = new BackgroundTaskManager({
  maxThreads: 4,
  workerScript: new URL('./inspector-demo.worker.mjs', import.meta.url),
  inspect: inspector.inspect,
});
const failed = reports(manager);
pipeline(manager);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' });
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  await page.goto(inspector.url);
  manager.startProcessing();
  await page.locator('[data-count="failed"]', { hasText: /^2$/ }).waitFor();
  await page.locator('.lane-worker .bar').nth(14).waitFor();
  // A dispatched click selects the failed task without scrolling the graph to it.
  await page.locator(`.dag .task-node[data-uid="${failed}"]`).dispatchEvent('click');
  await page.locator(`#detail[data-uid="${failed}"] pre.traceback`).waitFor();
  await page.screenshot({ path: out });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  await manager.shutDown();
  await inspector.close();
}
