import { describe, expect, it } from 'vitest';
import { layeredLayout, type Edge, type Layout } from '../../../src/inspector/page/graph-layout.js';

function layerOf(layout: Layout, id: string): number {
  return layout.position.get(id)?.layer ?? -1;
}

/** Edges between consecutive layers that cross, counted over every route segment. */
function crossings(layout: Layout): number {
  const segments = layout.routes.flatMap((route) =>
    route.slice(1).map((to, i) => [layout.position.get(route[i] as string), layout.position.get(to)] as const),
  );
  let count = 0;
  for (const [a1, a2] of segments) {
    for (const [b1, b2] of segments) {
      if (a1 === undefined || a2 === undefined || b1 === undefined || b2 === undefined) continue;
      if (a1.layer !== b1.layer || a2.layer !== b2.layer) continue;
      if (a1.order < b1.order && a2.order > b2.order) count++;
    }
  }
  return count;
}

describe('layeredLayout', () => {
  it('puts each node one layer after its deepest upstream node', () => {
    const layout = layeredLayout(
      ['a', 'b', 'c', 'd', 'lone'],
      [
        ['a', 'b'],
        ['a', 'c'],
        ['b', 'd'],
        ['c', 'd'],
      ],
    );
    expect(['a', 'b', 'c', 'd', 'lone'].map((id) => layerOf(layout, id))).toEqual([0, 1, 1, 2, 0]);
    expect(layout.reversed).toEqual([false, false, false, false]);
    expect(layout.routes).toEqual([
      ['a', 'b'],
      ['a', 'c'],
      ['b', 'd'],
      ['c', 'd'],
    ]);
  });

  it('routes an edge that spans layers through one dummy point per layer between', () => {
    const layout = layeredLayout(
      ['a', 'b', 'c', 'd'],
      [
        ['a', 'b'],
        ['b', 'c'],
        ['c', 'd'],
        ['a', 'd'],
      ],
    );
    const long = layout.routes[3] as string[];
    expect(long[0]).toBe('a');
    expect(long[long.length - 1]).toBe('d');
    expect(long.map((id) => layerOf(layout, id))).toEqual([0, 1, 2, 3]);
  });

  it('turns exactly the edge that closes a cycle around, and keeps its route pointing from its source', () => {
    const layout = layeredLayout(
      ['paused', 'processing', 'shutDown'],
      [
        ['paused', 'processing'],
        ['processing', 'paused'],
        ['paused', 'shutDown'],
        ['processing', 'shutDown'],
      ],
    );
    expect(layout.reversed).toEqual([false, true, false, false]);
    expect(layout.routes[1]).toEqual(['processing', 'paused']);
    expect(['paused', 'processing', 'shutDown'].map((id) => layerOf(layout, id))).toEqual([0, 1, 2]);
  });

  it('leaves out self-loops and edges to unknown nodes from the layering', () => {
    const layout = layeredLayout(
      ['a', 'b'],
      [
        ['a', 'a'],
        ['a', 'ghost'],
        ['a', 'b'],
      ],
    );
    expect(layerOf(layout, 'b')).toBe(1);
    expect(layout.layers.flat().sort()).toEqual(['a', 'b']);
  });

  it('orders layers so that two crossed pairs end up uncrossed', () => {
    const layout = layeredLayout(
      ['a1', 'a2', 'b1', 'b2'],
      [
        ['a1', 'b2'],
        ['a2', 'b1'],
      ],
    );
    expect(crossings(layout)).toBe(0);
  });

  it('lays out a few hundred tasks with every edge pointing forward and every slot used once', () => {
    let seed = 7;
    const random = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const nodes = Array.from({ length: 300 }, (_, i) => String(i));
    const edges: Edge[] = [];
    for (let to = 1; to < 300; to++) {
      for (let k = 0; k < 2; k++) if (random() < 0.6) edges.push([String(Math.floor(random() * to)), String(to)]);
    }
    const layout = layeredLayout(nodes, edges);
    for (const route of layout.routes) {
      expect(route.map((id) => layerOf(layout, id))).toEqual(
        Array.from({ length: route.length }, (_, i) => layerOf(layout, route[0] as string) + i),
      );
    }
    for (const layer of layout.layers) {
      expect(layer.map((id) => layout.position.get(id)?.order)).toEqual(layer.map((_, i) => i));
    }
    expect(layout.reversed.every((back) => !back)).toBe(true);
  });
});
