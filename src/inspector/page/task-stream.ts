import type { SlotRunView, SlotView } from '../protocol.js';
import { morphChildren, s, setText } from './dom.js';
import { duration, plural } from './format.js';

const LABEL = 130;
const ROW = 22;
const GAP = 4;
const AXIS = 20;

/** A round step for about `parts` ticks over `span` ms: 1, 2 or 5 times a power of ten. */
function tickStep(span: number, parts: number): number {
  const raw = Math.max(span / parts, 0.001);
  const power = 10 ** Math.floor(Math.log10(raw));
  const factor = [1, 2, 5, 10].find((f) => f * power >= raw) ?? 10;
  return factor * power;
}

/**
 * The task stream: one row per slot (each main-thread lane and each worker
 * thread), a bar per task run from its start to its end (or to now while it
 * runs), coloured by how it ended; the gaps between bars are idle time. The
 * time axis spans from the oldest run shown to the server's `now`.
 */
export class TaskStreamView {
  constructor(
    private readonly canvas: HTMLElement,
    private readonly note: HTMLElement,
    onSelect: (uid: number) => void,
  ) {
    canvas.addEventListener('click', (event) => {
      const bar = (event.target as Element).closest('[data-uid]');
      if (bar !== null) onSelect(Number(bar.getAttribute('data-uid')));
    });
  }

  /** Draws `slots` up to `now`. */
  update(slots: readonly SlotView[], now: number): void {
    const runs = slots.reduce((total, slot) => total + slot.runs.length, 0);
    setText(
      this.note,
      slots.length === 0
        ? 'No task has run yet.'
        : `${plural(slots.length, 'slot')}, ${plural(runs, 'recent run')}; idle time shows as gaps.`,
    );
    if (slots.length === 0) {
      this.canvas.replaceChildren();
      return;
    }
    const width = Math.max(600, this.canvas.clientWidth);
    const starts = slots.flatMap((slot) => slot.runs.map((run) => run.start));
    const t0 = Math.min(now - 1000, ...starts);
    const scale = (t: number): number => LABEL + ((t - t0) / (now - t0)) * (width - LABEL - 8);
    const height = slots.length * (ROW + GAP) + AXIS;
    const svg = s('svg', {
      class: 'stream',
      role: 'img',
      'aria-label': 'Task stream',
      viewBox: `0 0 ${width} ${height}`,
      width,
      height,
    });
    svg.append(this.axis(t0, now, scale, height));
    slots.forEach((slot, index) => {
      svg.append(this.lane(slot, index, now, width, scale));
    });
    morphChildren(this.canvas, [svg]);
  }

  private lane(slot: SlotView, index: number, now: number, width: number, scale: (t: number) => number): SVGGElement {
    const y = index * (ROW + GAP);
    const lane = s(
      'g',
      { class: `lane lane-${slot.kind}`, 'data-slot': slot.id },
      s('rect', { class: 'lane-bg', x: LABEL, y, width: width - LABEL - 8, height: ROW }),
      s('text', { class: 'lane-label', x: LABEL - 8, y: y + ROW / 2 + 4, 'text-anchor': 'end' }, slot.label),
    );
    for (const run of slot.runs) lane.append(this.bar(run, slot.id, y, now, scale));
    return lane;
  }

  private bar(run: SlotRunView, slot: string, y: number, now: number, scale: (t: number) => number): SVGRectElement {
    const x = scale(run.start);
    const end = run.end ?? now;
    const state = run.end === undefined ? 'running' : run.state;
    return s(
      'rect',
      {
        class: `bar state-${state}`,
        x,
        y: y + 2,
        width: Math.max(2, scale(end) - x),
        height: ROW - 4,
        'data-uid': run.uid,
        'data-slot': slot,
        'data-state': state,
      },
      s('title', {}, `task ${run.uid} ${run.name}: ${state}, ${duration(end - run.start)}`),
    );
  }

  private axis(t0: number, now: number, scale: (t: number) => number, height: number): SVGGElement {
    const axis = s('g', { class: 'axis' });
    const step = tickStep(now - t0, 6);
    for (let ago = 0; now - ago >= t0; ago += step) {
      const x = scale(now - ago);
      axis.append(
        s('line', { x1: x, x2: x, y1: 0, y2: height - AXIS + 2 }),
        s(
          'text',
          { x, y: height - 5, 'text-anchor': ago === 0 ? 'end' : 'middle' },
          ago === 0 ? 'now' : `−${duration(ago)}`,
        ),
      );
    }
    return axis;
  }
}
