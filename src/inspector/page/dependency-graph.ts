import type { GraphNode, GraphView } from '../protocol.js';
import { s, setText } from './dom.js';
import { count, plural, shorten } from './format.js';
import { arrowDefs, edgeShape, place, type Geometry } from './graph-draw.js';
import { layeredLayout } from './graph-layout.js';

const GEOMETRY: Geometry = { layerGap: 160, rowGap: 30, nodeWidth: 120, nodeHeight: 22, margin: 12 };

/** Beyond this many nodes the page does not lay the graph out, whatever the server sends. */
const PAGE_CAP = 2000;

/**
 * The graph with nodes in uid order and edges in downstream, then upstream
 * order: the server lists nodes by state, which changes as tasks run, and the
 * layout must not move (nor be computed again) while the set stays the same.
 */
function canonical(graph: GraphView): GraphView {
  return {
    ...graph,
    nodes: [...graph.nodes].sort((a, b) => a.uid - b.uid),
    edges: [...graph.edges].sort((a, b) => a[1] - b[1] || a[0] - b[0]),
  };
}

function structureKey(graph: GraphView): string {
  const nodes = graph.nodes.map((node) => node.uid).join(',');
  const edges = graph.edges.map(([from, to]) => `${from}>${to}`).join(',');
  return `${nodes}|${edges}`;
}

/**
 * The dependency graph of pending and recent tasks, left to right, each node
 * coloured by its state. The layout is computed again only when the set of
 * nodes or edges changed; otherwise a message only recolours nodes.
 */
export class DependencyGraphView {
  private key = '';
  private readonly nodes = new Map<number, SVGGElement>();
  private selected: number | undefined;

  constructor(
    private readonly canvas: HTMLElement,
    private readonly note: HTMLElement,
    onSelect: (uid: number) => void,
  ) {
    const choose = (event: Event): void => {
      const node = (event.target as Element).closest('[data-uid]');
      if (node !== null) onSelect(Number(node.getAttribute('data-uid')));
    };
    canvas.addEventListener('click', choose);
    canvas.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') choose(event);
    });
  }

  /** Shows `graph`. */
  update(received: GraphView): void {
    const graph = canonical(received);
    setText(this.note, this.describe(graph));
    if (graph.nodes.length > PAGE_CAP) {
      this.clear();
      return;
    }
    const key = structureKey(graph);
    if (key !== this.key) {
      this.key = key;
      this.draw(graph);
    }
    for (const node of graph.nodes) this.paint(node);
  }

  /** Outlines the selected task's node. */
  select(uid: number | undefined): void {
    if (this.selected !== undefined) this.nodes.get(this.selected)?.classList.remove('selected');
    this.selected = uid;
    if (uid !== undefined) this.nodes.get(uid)?.classList.add('selected');
  }

  private describe(graph: GraphView): string {
    if (graph.nodes.length === 0) return 'No pending or recent tasks.';
    const shown = `${plural(graph.nodes.length, 'task')}, ${plural(graph.edges.length, 'dependency', 'dependencies')}`;
    if (graph.nodes.length > PAGE_CAP) return `${shown}: too many to draw here; use the table.`;
    if (!graph.truncated) return `${shown} (pending and recent).`;
    return `More than ${count(graph.cap)} tasks: showing the ${count(graph.nodes.length)} most recent, ${plural(graph.edges.length, 'dependency', 'dependencies')}. Use the table for the rest.`;
  }

  private clear(): void {
    this.key = '';
    this.nodes.clear();
    this.canvas.replaceChildren();
  }

  private draw(graph: GraphView): void {
    const ids = graph.nodes.map((node) => String(node.uid));
    const edges = graph.edges.map(([from, to]) => [String(from), String(to)] as const);
    const layout = layeredLayout(ids, edges);
    const placement = place(layout, GEOMETRY);
    const svg = s('svg', {
      class: 'dag',
      role: 'img',
      'aria-label': 'Dependency graph',
      viewBox: `0 0 ${placement.width} ${placement.height}`,
      width: placement.width,
      height: placement.height,
    });
    svg.append(arrowDefs('dag-arrow'));
    const edgeLayer = s('g', { class: 'edges' });
    graph.edges.forEach(([from, to], index) => {
      const shape = edgeShape(layout, placement, GEOMETRY, index);
      edgeLayer.append(
        s('path', { class: 'edge', d: shape.d, 'marker-end': 'url(#dag-arrow)', 'data-from': from, 'data-to': to }),
      );
    });
    svg.append(edgeLayer);
    this.nodes.clear();
    const { nodeWidth: w, nodeHeight: hgt } = GEOMETRY;
    for (const node of graph.nodes) {
      const at = placement.at.get(String(node.uid)) ?? { x: 0, y: 0 };
      const element = s(
        'g',
        { class: 'task-node', 'data-uid': node.uid, tabindex: 0 },
        s('title', {}),
        s('rect', { x: at.x - w / 2, y: at.y - hgt / 2, width: w, height: hgt, rx: 4 }),
        s('text', { x: at.x - w / 2 + 6, y: at.y + 4 }, `${node.uid} ${shorten(node.name, 13)}`),
      );
      this.nodes.set(node.uid, element);
      svg.append(element);
    }
    this.canvas.replaceChildren(svg);
    this.select(this.selected);
  }

  private paint(node: GraphNode): void {
    const element = this.nodes.get(node.uid);
    if (element === undefined) return;
    const className = `task-node state-${node.state}${node.uid === this.selected ? ' selected' : ''}`;
    if (element.getAttribute('class') !== className) element.setAttribute('class', className);
    element.setAttribute('data-state', node.state);
    const group = node.group === undefined ? '' : `, group ${node.group}`;
    setText(element.firstChild as SVGTitleElement, `task ${node.uid} ${node.name}: ${node.state}${group}`);
  }
}
