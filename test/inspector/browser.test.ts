import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BackgroundTaskManager, workerTask, type BackgroundTaskManagerOptions } from '../../src/index.js';
import { startInspector, type Inspector, type InspectorOptions } from '../../src/inspector.js';
import { GRAPH_CAP } from '../../src/inspector/views.js';
import { controlled, nextEvent, resultOf, waitWhileEqual } from '../helpers.js';

// Debian's Chromium, driven by playwright-core (which never downloads a browser). CHROMIUM_PATH points
// elsewhere, e.g. at a missing file to check that CI then fails instead of skipping.
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const inCi = !['', '0', 'false', undefined].includes(process.env.CI);
const haveChromium = existsSync(chromiumPath);
const screenshots = fileURLToPath(new URL('../../test-results/', import.meta.url));
const workerScript = new URL('../fixtures/tasks.worker.mjs', import.meta.url);

if (!haveChromium && !inCi) {
  console.warn(
    `\n*** Browser tests SKIPPED: no Chromium at ${chromiumPath}. Install it (apt-get install chromium) ` +
      'or set CHROMIUM_PATH. With CI=true they fail instead. ***\n',
  );
}

let browser: Browser | undefined;
const open: { inspectors: Inspector[]; managers: BackgroundTaskManager[] } = { inspectors: [], managers: [] };

beforeAll(async () => {
  if (!haveChromium) {
    throw new Error(`No Chromium at ${chromiumPath}: CI must install it (.ci/run runs apt-get install chromium)`);
  }
  mkdirSync(screenshots, { recursive: true });
  browser = await chromium.launch({ executablePath: chromiumPath });
});

afterAll(async () => {
  await browser?.close();
});

afterEach(async () => {
  await Promise.all(open.managers.splice(0).map((manager) => manager.shutDown()));
  await Promise.all(open.inspectors.splice(0).map((inspector) => inspector.close()));
});

async function inspected(
  inspectorOptions: InspectorOptions,
  managerOptions: BackgroundTaskManagerOptions,
): Promise<{ inspector: Inspector; manager: BackgroundTaskManager }> {
  const inspector = await startInspector(inspectorOptions);
  open.inspectors.push(inspector);
  const manager = new BackgroundTaskManager({ ...managerOptions, inspect: inspector.inspect });
  open.managers.push(manager);
  return { inspector, manager };
}

/**
 * Opens the page in a fresh browser context. `problems` collects console
 * errors and page errors, among them any Content-Security-Policy violation.
 */
async function openPage(inspector: Inspector): Promise<{ page: Page; problems: string[] }> {
  const context = await (browser as Browser).newContext({ viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(String(error)));
  await page.goto(inspector.url);
  return { page, problems };
}

/** Saves a screenshot to test-results/ and checks that the page logged no error but the `expected` ones. */
async function finish(page: Page, name: string, problems: readonly string[], expected: string[] = []): Promise<void> {
  await page.screenshot({ path: `${screenshots}inspector-${name}.png`, fullPage: true });
  await page.context().close();
  expect(problems).toEqual(expected);
}

/** Each element's `name` attribute, in page order. */
async function attributes(locator: Locator, name: string): Promise<(string | null)[]> {
  return Promise.all((await locator.all()).map((element) => element.getAttribute(name)));
}

/** The `from>to` pairs of the drawn dependency graph's edges, sorted. */
async function drawnEdges(page: Page): Promise<string[]> {
  const edges = page.locator('.dag path.edge');
  const [from, to] = await Promise.all([attributes(edges, 'data-from'), attributes(edges, 'data-to')]);
  return from.map((uid, index) => `${uid}>${to[index]}`).sort();
}

const describeBrowser = haveChromium || inCi ? describe : describe.skip;

describeBrowser('inspector page in Chromium', () => {
  it('updates the counts and the table while tasks run', async () => {
    const { inspector, manager } = await inspected({}, { maxThreads: 2, startProcessing: true });
    const work = controlled();
    const uids = [0, 1, 2].map(() => manager.addTask(work.run, { group: 'batch' }));
    const { page, problems } = await openPage(inspector);

    await page.locator('[data-count="running"]', { hasText: /^2$/ }).waitFor();
    await page.locator('[data-count="queued"]', { hasText: /^1$/ }).waitFor();
    await page.locator(`#tasks-body tr[data-uid="${uids[0]}"][data-state="running"]`).waitFor();
    await page.locator('#groups-body tr[data-group="batch"]').waitFor();

    const completed = resultOf(manager, uids[0] as number);
    work.resolve(0, 'first');
    await completed;
    await page.locator('[data-count="done"]', { hasText: /^1$/ }).waitFor();
    await page.locator(`#tasks-body tr[data-uid="${uids[0]}"][data-state="done"]`).waitFor();
    await page.locator(`#tasks-body tr[data-uid="${uids[2]}"][data-state="running"]`).waitFor();
    await page.locator('#log li[data-kind="completed"]', { hasText: `task ${uids[0]}` }).waitFor();

    // Search by name narrows the table; the counts stay those of the whole manager.
    await page.locator('#search').fill('run');
    await page.locator('#page-range', { hasText: /of 3$/ }).waitFor();
    await page.locator('#search').fill('no such task');
    await page.locator('#page-range', { hasText: 'No matching task' }).waitFor();
    expect(await page.locator('[data-count="done"]').textContent()).toBe('1');

    const groupDone = nextEvent(manager, 'taskGroupFinished');
    work.resolve(1, 'second');
    work.resolve(2, 'third');
    await groupDone;
    await page.locator('[data-count="done"]', { hasText: /^3$/ }).waitFor();
    await page.locator('#log li[data-kind="groupFinished"]', { hasText: 'group batch' }).waitFor();
    await finish(page, 'counts', problems);
  });

  it("draws a known DAG's edges, coloured by state", async () => {
    const { inspector, manager } = await inspected({}, { maxThreads: 2 });
    const noop = (): void => undefined;
    const a = manager.addTask(noop);
    const b = manager.addTask(noop, { upstreamTaskIds: [a] });
    const c = manager.addTask(noop, { upstreamTaskIds: [a] });
    const d = manager.addTask(noop, { upstreamTaskIds: [b, c] });
    const lone = manager.addTask(noop);
    const { page, problems } = await openPage(inspector);

    await page.locator('.dag .task-node').nth(4).waitFor();
    expect(await drawnEdges(page)).toEqual([`${a}>${b}`, `${a}>${c}`, `${b}>${d}`, `${c}>${d}`].sort());
    await page.locator(`.dag .task-node.state-queued[data-uid="${a}"]`).waitFor();
    await page.locator(`.dag .task-node.state-blocked[data-uid="${d}"]`).waitFor();
    await page.locator(`.dag .task-node.state-queued[data-uid="${lone}"]`).waitFor();

    // Clicking a node opens its detail, whose upstream and downstream tasks are links.
    await page.locator(`.dag .task-node[data-uid="${d}"]`).click();
    await page.locator(`#detail[data-uid="${d}"] dd[data-field="upstream"] button[data-uid="${b}"]`).waitFor();
    await page.locator(`#detail dd[data-field="upstream"] button[data-uid="${c}"]`).click();
    await page.locator(`#detail[data-uid="${c}"] dd[data-field="downstream"] button[data-uid="${d}"]`).waitFor();
    await page.locator('#lifecycle .state-node.current[data-state="blocked"]').waitFor();

    const finished = nextEvent(manager, 'taskCompleted', (uid) => uid === d);
    manager.startProcessing();
    await finished;
    await page.locator(`.dag .task-node.state-done[data-uid="${d}"]`).waitFor();
    expect(await drawnEdges(page)).toEqual([`${a}>${b}`, `${a}>${c}`, `${b}>${d}`, `${c}>${d}`].sort());
    await page.locator('#manager-machine .state-node.current[data-state="processing"]').waitFor();
    await finish(page, 'graph', problems);
  });

  it("shows a failure's traceback in the detail and the event log", async () => {
    const { inspector, manager } = await inspected({}, { maxThreads: 2, startProcessing: true });
    const ok = manager.addTask(function fetchIndex() {
      return { pages: 3 };
    });
    const failing = manager.addTask(
      function writeReport() {
        throw new Error('disk full while writing the report');
      },
      { taskArgs: ['report.csv'], taskKwargs: { mode: 'append' } },
    );
    const downstream = manager.addTask(() => 'never', { upstreamTaskIds: [failing] });
    await Promise.all([resultOf(manager, ok), nextEvent(manager, 'taskFailed', (uid) => uid === downstream)]);
    const { page, problems } = await openPage(inspector);

    await page.locator('[data-count="failed"]', { hasText: /^2$/ }).waitFor();
    await page.locator('#failed-only').check();
    await page.locator('#page-range', { hasText: /of 2$/ }).waitFor();
    expect(await attributes(page.locator('#tasks-body tr'), 'data-state')).toEqual(['failed', 'failed']);
    await page.locator(`#tasks-body tr[data-uid="${failing}"]`).click();
    const traceback = page.locator(`#detail[data-uid="${failing}"] pre.traceback`);
    await traceback.waitFor();
    expect(await traceback.textContent()).toMatch(
      /^Error: disk full while writing the report\n\s+at (\S+\.)?writeReport /,
    );
    expect(await page.locator('#detail .error-message').textContent()).toBe('disk full while writing the report');
    expect(JSON.parse((await page.locator('#detail pre.args').textContent()) ?? '')).toEqual(['report.csv']);
    expect(JSON.parse((await page.locator('#detail pre.kwargs').textContent()) ?? '')).toEqual({ mode: 'append' });
    await page.locator('#lifecycle .state-node.current[data-state="failed"]').waitFor();

    const entry = page.locator(`#log li[data-kind="failed"]`, { hasText: `task ${failing} writeReport` });
    await entry.locator('summary .kind').click(); // the summary's task link selects the task instead
    await entry
      .locator('pre.traceback', { hasText: /disk full while writing the report\n\s+at (\S+\.)?writeReport / })
      .waitFor({ state: 'visible' });
    await finish(page, 'failure', problems);
  });

  it('shows a bar per run on each worker thread and on the main thread', async () => {
    const { inspector, manager } = await inspected({}, { maxThreads: 2, startProcessing: true, workerScript });
    const { page, problems } = await openPage(inspector);
    const shared = new Int32Array(new SharedArrayBuffer(4 * 4));
    const gates = [2, 3].map((cell) => manager.addTask(workerTask('gate'), { taskArgs: [shared, cell] }));
    while (Atomics.load(shared, 0) < 2) await waitWhileEqual(shared, 0, Atomics.load(shared, 0));

    // Both gates hold a worker thread at once: two worker lanes, each with a running bar.
    const running = page.locator('.lane-worker .bar[data-state="running"]');
    await running.nth(1).waitFor();
    const lanes = await attributes(running, 'data-slot');
    expect(new Set(lanes).size).toBe(2);

    const released = Promise.all(gates.map((uid) => resultOf(manager, uid)));
    for (const cell of [2, 3]) {
      Atomics.store(shared, cell, 1);
      Atomics.notify(shared, cell);
    }
    await released;
    const main = await resultOf(
      manager,
      manager.addTask(() => 'on the main thread'),
    );
    expect(main).toBe('on the main thread');
    for (const slot of lanes) await page.locator(`.lane[data-slot="${slot}"] .bar[data-state="done"]`).waitFor();
    await page.locator('.lane-main .bar[data-state="done"]').waitFor();
    await finish(page, 'stream', problems);
  });

  it('picks one of several managers, and says when the graph is past its cap', async () => {
    const { inspector, manager: small } = await inspected({}, { maxThreads: 1 });
    const large = new BackgroundTaskManager({ maxThreads: 1, inspect: inspector.inspect });
    open.managers.push(large);
    small.addTask(() => 'one');
    for (let i = 0; i <= GRAPH_CAP; i++) large.addTask(() => i);
    const { page, problems } = await openPage(inspector);

    const picker = page.locator('#manager-select');
    await picker.locator('option').nth(1).waitFor({ state: 'attached' });
    const [first, second] = await attributes(picker.locator('option'), 'value');
    await page.locator('[data-count="queued"]', { hasText: /^1$/ }).waitFor();
    await page.locator('#graph-note', { hasText: '1 task, 0 dependencies' }).waitFor();

    await picker.selectOption(second ?? '');
    await page.locator('[data-count="queued"]', { hasText: String(GRAPH_CAP + 1) }).waitFor();
    await page
      .locator('#graph-note', { hasText: `More than ${GRAPH_CAP} tasks: showing the ${GRAPH_CAP} most recent` })
      .waitFor();
    expect(await page.locator('.dag .task-node').count()).toBe(GRAPH_CAP);

    await picker.selectOption(first ?? '');
    await page.locator('[data-count="queued"]', { hasText: /^1$/ }).waitFor();
    await page.locator('#graph-note', { hasText: '1 task, 0 dependencies' }).waitFor();
    expect(await page.locator('.dag .task-node').count()).toBe(1);
    await finish(page, 'managers', problems);
  });

  it('pauses, starts and stops tasks and groups with controls: true', async () => {
    const { inspector, manager } = await inspected({ controls: true }, { maxThreads: 1 });
    const noop = (): string => 'done';
    const first = manager.addTask(noop);
    const up = manager.addTask(noop, { group: 'keep' });
    const target = manager.addTask(noop, { upstreamTaskIds: [up], group: 'keep' });
    const down = manager.addTask(noop, { upstreamTaskIds: [target], group: 'keep' });
    const drop = manager.nextGroupId(); // numeric: the page lists it by its text and must send the number
    const grouped = [0, 1, 2].map(() => manager.addTask(noop, { group: drop }));
    const { page, problems } = await openPage(inspector);

    // Stop one task and its downstream task, not its upstream one.
    await page.locator(`#tasks-body tr[data-uid="${target}"]`).click();
    await page.locator('#stop-downstream').check();
    await page.locator('#stop-task').click();
    await page.locator(`#tasks-body tr[data-uid="${down}"][data-state="stopped"]`).waitFor();
    expect([manager.getTaskState(up), manager.getTaskState(target), manager.getTaskState(down)]).toEqual([
      'queued',
      'stopped',
      'stopped',
    ]);

    await page.locator(`button[data-stop-group="${drop}"]`).click();
    await page.locator(`#groups-body tr[data-group="${drop}"] td.state-text-stopped`, { hasText: /^3$/ }).waitFor();
    expect(grouped.map((uid) => manager.getTaskState(uid))).toEqual(['stopped', 'stopped', 'stopped']);

    const done = resultOf(manager, up);
    await page.locator('#start').click();
    await done;
    await page.locator('#phase', { hasText: 'processing' }).waitFor();
    expect(manager.phase).toBe('processing');
    expect(manager.getTaskState(first)).toBe('done');
    await page.locator('#pause').click();
    await page.locator('#phase', { hasText: 'paused' }).waitFor();
    expect(manager.phase).toBe('paused');
    await finish(page, 'controls', problems);
  });

  it('has no controls without controls: true, and the server refuses them', async () => {
    const { inspector, manager } = await inspected({}, { maxThreads: 1 });
    const uid = manager.addTask(() => 'kept', { group: 'g' });
    const { page, problems } = await openPage(inspector);

    await page.locator(`#tasks-body tr[data-uid="${uid}"]`).click();
    await page.locator(`#detail[data-uid="${uid}"] .badge.state-queued`).waitFor();
    await page.locator('#groups-body tr[data-group="g"]').waitFor();
    expect(await page.locator('#manager-controls').isHidden()).toBe(true);
    expect(await page.locator('#task-controls').isHidden()).toBe(true);
    expect(await page.locator('button[data-stop-group]').count()).toBe(0);

    const managerId = await page.locator('#manager-select').inputValue();
    const token = new URL(inspector.url).searchParams.get('token') ?? '';
    const statuses = await page.evaluate(
      async ({ id, key, task }) => {
        const post = async (body: object): Promise<number> =>
          (
            await fetch('/api/control', {
              method: 'POST',
              headers: { 'Content-Type': 'application/json', 'X-Inspector-Token': key },
              body: JSON.stringify(body),
            })
          ).status;
        return [
          await post({ manager: id, action: 'start' }),
          await post({ manager: id, action: 'stopTask', uid: task }),
          await post({ manager: id, action: 'stopGroup', group: 'g' }),
        ];
      },
      { id: managerId, key: token, task: uid },
    );
    expect(statuses).toEqual([403, 403, 403]);
    expect(manager.phase).toBe('paused');
    expect(manager.getTaskState(uid)).toBe('queued');
    // The browser logs each refused request, and nothing else.
    const refused = 'Failed to load resource: the server responded with a status of 403 (Forbidden)';
    await finish(page, 'no-controls', problems, [refused, refused, refused]);
  });
});
