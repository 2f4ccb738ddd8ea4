import { s } from './dom.js';
import type { Layout } from './graph-layout.js';

/** Sizes of a drawn layout, in SVG user units. */
export interface Geometry {
  readonly layerGap: number;
  readonly rowGap: number;
  readonly nodeWidth: number;
  readonly nodeHeight: number;
  readonly margin: number;
}

/** A point. */
interface Point {
  readonly x: number;
  readonly y: number;
}

/** Where each id of a layout goes (node centres), and the size of the drawing. */
export interface Placement {
  readonly at: ReadonlyMap<string, Point>;
  readonly width: number;
  readonly height: number;
}

/**
 * Places each layer in a column, one row per id in layer order, all layers
 * from the top: a machine's main path runs along the first row, and a large
 * graph's layers all start where the reader starts scrolling.
 */
export function place(layout: Layout, geometry: Geometry): Placement {
  const rows = Math.max(1, ...layout.layers.map((layer) => layer.length));
  const at = new Map<string, Point>();
  layout.layers.forEach((layer, index) => {
    const x = geometry.margin + geometry.nodeWidth / 2 + index * geometry.layerGap;
    const top = geometry.margin + geometry.nodeHeight / 2;
    layer.forEach((id, order) => at.set(id, { x, y: top + order * geometry.rowGap }));
  });
  return {
    at,
    width: 2 * geometry.margin + geometry.nodeWidth + (layout.layers.length - 1) * geometry.layerGap,
    height: 2 * geometry.margin + geometry.nodeHeight + (rows - 1) * geometry.rowGap,
  };
}

/** Where a drawn edge runs: its SVG path and the point where a label fits. */
export interface EdgeShape {
  readonly d: string;
  readonly middle: Point;
}

function cubic(from: Point, to: Point, bow: number): { d: string; middle: Point } {
  const pull = Math.max(20, Math.abs(to.x - from.x) / 2);
  const direction = to.x >= from.x ? 1 : -1;
  const c1 = { x: from.x + direction * pull, y: from.y + bow };
  const c2 = { x: to.x - direction * pull, y: to.y + bow };
  return {
    d: `C ${c1.x} ${c1.y} ${c2.x} ${c2.y} ${to.x} ${to.y}`,
    middle: { x: (from.x + 3 * c1.x + 3 * c2.x + to.x) / 8, y: (from.y + 3 * c1.y + 3 * c2.y + to.y) / 8 },
  };
}

/**
 * The shape of route `index` of the layout: a smooth curve from the side of
 * its first node, through its dummy points, to the side of its last node. An
 * edge that closes a cycle leaves backwards and bows below the row.
 */
export function edgeShape(layout: Layout, placement: Placement, geometry: Geometry, index: number): EdgeShape {
  const route = layout.routes[index] ?? [];
  const points = route.map((id) => placement.at.get(id) ?? { x: 0, y: 0 });
  const first = points[0] ?? { x: 0, y: 0 };
  const last = points[points.length - 1] ?? first;
  const half = geometry.nodeWidth / 2;
  if (layout.reversed[index] === true || last.x < first.x) {
    // Under both nodes, from the bottom of one to the bottom of the other.
    const from = { x: first.x - half / 2, y: first.y + geometry.nodeHeight / 2 };
    const to = { x: last.x + half / 2, y: last.y + geometry.nodeHeight / 2 };
    const bow = geometry.rowGap * 0.6;
    const c1 = { x: from.x, y: from.y + bow };
    const c2 = { x: to.x, y: to.y + bow };
    return {
      d: `M ${from.x} ${from.y} C ${c1.x} ${c1.y} ${c2.x} ${c2.y} ${to.x} ${to.y}`,
      middle: { x: (from.x + to.x) / 2, y: (from.y + to.y) / 2 + bow * 0.75 + 12 },
    };
  }
  const ends = [{ x: first.x + half, y: first.y }, ...points.slice(1, -1), { x: last.x - half, y: last.y }];
  let d = `M ${ends[0]?.x} ${ends[0]?.y}`;
  let middle = ends[0] as Point;
  const midSegment = Math.floor((ends.length - 1) / 2);
  for (let i = 1; i < ends.length; i++) {
    const curve = cubic(ends[i - 1] as Point, ends[i] as Point, 0);
    d += ` ${curve.d}`;
    if (i - 1 === midSegment) middle = curve.middle;
  }
  return { d, middle };
}

/** The `<defs>` with the arrow head that edges reference as `url(#id)`. */
export function arrowDefs(id: string): SVGDefsElement {
  return s(
    'defs',
    {},
    s(
      'marker',
      {
        id,
        viewBox: '0 0 10 10',
        refX: 9,
        refY: 5,
        markerWidth: 7,
        markerHeight: 7,
        orient: 'auto-start-reverse',
        class: 'arrow-head',
      },
      s('path', { d: 'M 0 0 L 10 5 L 0 10 z' }),
    ),
  );
}
