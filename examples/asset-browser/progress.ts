// The live progress display: redrawn in place on a terminal (log-update), plain lines otherwise.
import { createLogUpdate } from 'log-update';

/** Per-image counts of one retriever, for the progress display and the summary. */
export interface GroupProgress {
  label: string;
  total: number;
  done: number;
  failed: number;
  stopped: number;
  /** `performance.now()` when its first task was added, and when its last image was accounted for. */
  startedAt: number;
  finishedAt: number | undefined;
}

/** A group's progress before its first task. */
export function newProgress(label: string): GroupProgress {
  return { label, total: 0, done: 0, failed: 0, stopped: 0, startedAt: 0, finishedAt: undefined };
}

/** What the display shows at one moment. */
export interface ProgressSnapshot {
  groups: readonly Readonly<GroupProgress>[];
  busyThreads: number;
  maxThreads: number;
}

const pending = (group: Readonly<GroupProgress>): number => group.total - group.done - group.failed - group.stopped;

/** Images accounted for (done or failed) per second since the group's first task was added. */
function rate(group: Readonly<GroupProgress>, now: number): number {
  const seconds = ((group.finishedAt ?? now) - group.startedAt) / 1000;
  return seconds > 0 ? (group.done + group.failed) / seconds : 0;
}

const COLUMNS = ['group', 'images', 'done', 'failed', 'stopped', 'pending', 'images/s'] as const;

/** The table of every group, with a header line, columns aligned. */
export function progressTable(snapshot: ProgressSnapshot, now = performance.now()): string {
  const rows = snapshot.groups.map((group) => [
    group.label,
    String(group.total),
    String(group.done),
    String(group.failed),
    String(group.stopped),
    String(pending(group)),
    rate(group, now).toFixed(1),
  ]);
  const widths = COLUMNS.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[0] ?? 0) : cell.padStart(widths[column] ?? 0)))
      .join('  ');
  const threads = `busy threads ${snapshot.busyThreads}/${snapshot.maxThreads}`;
  return [line(COLUMNS), ...rows.map(line), threads].join('\n');
}

/** One line of the plain display. */
export function progressLine(snapshot: ProgressSnapshot, elapsedSeconds: number, now = performance.now()): string {
  const groups = snapshot.groups.map(
    (g) =>
      `${g.label} ${g.done + g.failed + g.stopped}/${g.total} (${g.failed} failed, ${g.stopped} stopped, ${rate(g, now).toFixed(1)}/s)`,
  );
  return `[${elapsedSeconds.toFixed(1)}s] ${groups.join(' | ')} | busy threads ${snapshot.busyThreads}/${snapshot.maxThreads}`;
}

/** A running display; `stop()` draws the last state and ends it. */
export interface ProgressDisplay {
  stop(): void;
}

/**
 * Shows `snapshot()` as it changes: ten times a second in place on a terminal, at most one line a
 * second otherwise (and only when it changed), so a log or a CI run stays short.
 */
export function startProgress(
  snapshot: () => ProgressSnapshot,
  stream: NodeJS.WriteStream = process.stdout,
): ProgressDisplay {
  const started = performance.now();
  // A terminal of no size (a pseudo-terminal nobody sized) would clip the table to nothing.
  if (stream.isTTY && stream.rows > 0) {
    const log = createLogUpdate(stream);
    const draw = (): void => {
      log(progressTable(snapshot()));
    };
    const timer = setInterval(draw, 100);
    draw();
    return {
      stop: () => {
        clearInterval(timer);
        draw();
        log.done();
      },
    };
  }
  let last = '';
  const print = (): void => {
    const now = performance.now();
    const current = snapshot();
    const counts = JSON.stringify(current.groups.map((g) => [g.total, g.done, g.failed, g.stopped]));
    if (counts !== last) stream.write(`${progressLine(current, (now - started) / 1000, now)}\n`);
    last = counts;
  };
  const timer = setInterval(print, 1000);
  return {
    stop: () => {
      clearInterval(timer);
    },
  };
}
