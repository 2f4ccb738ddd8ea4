import type { MachineDiagram } from '../protocol.js';
import { s, setText } from './dom.js';
import { arrowDefs, edgeShape, place, type Geometry } from './graph-draw.js';
import { layeredLayout } from './graph-layout.js';

const GEOMETRY: Geometry = { layerGap: 150, rowGap: 58, nodeWidth: 100, nodeHeight: 30, margin: 26 };

let markers = 0;

/**
 * A state machine drawn from its definition (states, finals, transitions),
 * left to right from its initial state, with one state highlighted.
 */
export class MachineDiagramView {
  /** The drawing, to put in the page. */
  readonly element: SVGSVGElement;
  private readonly nodes = new Map<string, SVGGElement>();
  private readonly title: SVGTitleElement;
  private current: string | undefined;

  constructor(
    diagram: MachineDiagram,
    private readonly name: string,
  ) {
    const states = [diagram.initial, ...diagram.states.filter((state) => state !== diagram.initial)];
    const pairs = new Map<string, { from: string; to: string; events: string[] }>();
    for (const { from, event, to } of diagram.transitions) {
      const key = `${from}\n${to}`;
      const pair = pairs.get(key) ?? { from, to, events: [] };
      pair.events.push(event);
      pairs.set(key, pair);
    }
    const edges = [...pairs.values()];
    const layout = layeredLayout(
      states,
      edges.map(({ from, to }) => [from, to] as const),
    );
    const placement = place(layout, GEOMETRY);
    const arrow = `machine-arrow-${++markers}`;
    this.title = s('title', {}, name);
    const height = placement.height + GEOMETRY.rowGap / 2;
    this.element = s(
      'svg',
      {
        class: 'machine',
        role: 'img',
        viewBox: `0 0 ${placement.width} ${height}`,
        width: placement.width,
        height,
        'data-machine': diagram.id,
      },
      this.title,
      arrowDefs(arrow),
    );
    edges.forEach(({ from, to, events }, index) => {
      const shape = edgeShape(layout, placement, GEOMETRY, index);
      this.element.append(
        s('path', { class: 'edge', d: shape.d, 'marker-end': `url(#${arrow})`, 'data-from': from, 'data-to': to }),
        s('text', { class: 'edge-label', x: shape.middle.x, y: shape.middle.y - 4 }, events.join(', ')),
      );
    });
    for (const state of states) {
      const at = placement.at.get(state) ?? { x: 0, y: 0 };
      const node = this.stateNode(state, at, diagram.finals.includes(state));
      this.nodes.set(state, node);
      this.element.append(node);
    }
    this.highlight(undefined);
  }

  /** Marks `state` as the current one (or none). */
  highlight(state: string | undefined): void {
    if (state === this.current && state !== undefined) return;
    if (this.current !== undefined) this.nodes.get(this.current)?.classList.remove('current');
    this.current = state;
    if (state !== undefined) this.nodes.get(state)?.classList.add('current');
    const label = `${this.name}: ${state ?? 'no state'}`;
    this.element.setAttribute('aria-label', label);
    setText(this.title, label);
  }

  private stateNode(state: string, at: { x: number; y: number }, final: boolean): SVGGElement {
    const { nodeWidth: w, nodeHeight: hgt } = GEOMETRY;
    return s(
      'g',
      { class: `state-node state-${state}`, 'data-state': state },
      s('rect', { x: at.x - w / 2, y: at.y - hgt / 2, width: w, height: hgt, rx: 15 }),
      final &&
        s('rect', {
          class: 'final-ring',
          x: at.x - w / 2 + 3,
          y: at.y - hgt / 2 + 3,
          width: w - 6,
          height: hgt - 6,
          rx: 12,
        }),
      s('text', { x: at.x, y: at.y + 4, 'text-anchor': 'middle' }, state),
    );
  }
}
