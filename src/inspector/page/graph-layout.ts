/**
 * A layered (Sugiyama-style) layout of a directed graph, left to right:
 * cycles are broken by turning depth-first back edges around, each node
 * goes in the layer after its deepest upstream node (longest path), an edge
 * that spans several layers runs through one dummy point per layer between,
 * and a few barycentre sweeps order each layer to keep edges short and
 * crossings few. Pure and DOM-free: O((V + E + D) log V) per sweep, with D
 * dummy points capped by `maxDummies` (beyond it, long edges go straight).
 */

/** An edge `[from, to]` between node ids. */
export type Edge = readonly [string, string];

/** The result: layers of ids (dummy points included) top to bottom, and each edge's route. */
export interface Layout {
  /** `layers[l]` lists the ids placed in layer `l`, in order. */
  readonly layers: readonly (readonly string[])[];
  /** Layer and order of every id, dummy points included. */
  readonly position: ReadonlyMap<string, { readonly layer: number; readonly order: number }>;
  /** Per input edge, the ids its line passes through, from its `from` to its `to`. */
  readonly routes: readonly (readonly string[])[];
  /** Per input edge, whether it points backwards (it closed a cycle). */
  readonly reversed: readonly boolean[];
}

/** Tuning of {@link layeredLayout}. */
export interface LayoutOptions {
  /** Barycentre sweeps (each one down and one up). */
  readonly sweeps?: number;
  /** At most this many dummy points; more long edges are drawn straight. */
  readonly maxDummies?: number;
}

function backEdges(nodes: readonly string[], edges: readonly Edge[]): boolean[] {
  const out = new Map<string, number[]>(nodes.map((id) => [id, []]));
  edges.forEach(([from], index) => out.get(from)?.push(index));
  const mark = new Map<string, 1 | 2>();
  const reversed = edges.map(() => false);
  for (const root of nodes) {
    if (mark.has(root)) continue;
    const stack: [string, number][] = [[root, 0]];
    mark.set(root, 1);
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as [string, number];
      const edgeIndex = out.get(top[0])?.[top[1]++];
      if (edgeIndex === undefined) {
        mark.set(top[0], 2);
        stack.pop();
        continue;
      }
      const next = (edges[edgeIndex] as Edge)[1];
      if (mark.get(next) === 1) reversed[edgeIndex] = true;
      else if (!mark.has(next)) {
        mark.set(next, 1);
        stack.push([next, 0]);
      }
    }
  }
  return reversed;
}

function longestPathLayers(nodes: readonly string[], oriented: readonly Edge[]): Map<string, number> {
  const layer = new Map<string, number>(nodes.map((id) => [id, 0]));
  const indegree = new Map<string, number>(nodes.map((id) => [id, 0]));
  const out = new Map<string, string[]>(nodes.map((id) => [id, []]));
  for (const [from, to] of oriented) {
    out.get(from)?.push(to);
    indegree.set(to, (indegree.get(to) ?? 0) + 1);
  }
  const ready = nodes.filter((id) => indegree.get(id) === 0);
  for (let i = 0; i < ready.length; i++) {
    const id = ready[i] as string;
    for (const to of out.get(id) ?? []) {
      layer.set(to, Math.max(layer.get(to) ?? 0, (layer.get(id) ?? 0) + 1));
      const left = (indegree.get(to) ?? 0) - 1;
      indegree.set(to, left);
      if (left === 0) ready.push(to);
    }
  }
  return layer;
}

function sweep(layers: string[][], neighbours: ReadonlyMap<string, string[]>, order: Map<string, number>): void {
  for (const layer of layers) {
    const weight = new Map<string, number>();
    for (const id of layer) {
      const around = neighbours.get(id) ?? [];
      const sum = around.reduce((total, other) => total + (order.get(other) ?? 0), 0);
      weight.set(id, around.length === 0 ? (order.get(id) ?? 0) : sum / around.length);
    }
    layer.sort((a, b) => (weight.get(a) ?? 0) - (weight.get(b) ?? 0));
    layer.forEach((id, index) => order.set(id, index));
  }
}

function link(map: Map<string, string[]>, from: string, to: string): void {
  const list = map.get(from);
  if (list === undefined) map.set(from, [to]);
  else list.push(to);
}

/** Lays `nodes` out in layers so that every edge (but those closing a cycle) points to a later layer. */
export function layeredLayout(nodes: readonly string[], edges: readonly Edge[], options: LayoutOptions = {}): Layout {
  const known = new Set(nodes);
  const usable = edges.map(([from, to]) => known.has(from) && known.has(to) && from !== to);
  const kept = edges.filter((_, index) => usable[index]);
  const keptReversed = backEdges(nodes, kept);
  const oriented = kept.map(([from, to], index): Edge => (keptReversed[index] === true ? [to, from] : [from, to]));
  const layerOf = longestPathLayers(nodes, oriented);
  const depth = Math.max(0, ...layerOf.values()) + 1;
  const layers: string[][] = Array.from({ length: depth }, () => []);
  for (const id of nodes) layers[layerOf.get(id) ?? 0]?.push(id);

  const up = new Map<string, string[]>();
  const down = new Map<string, string[]>();
  const chains: string[][] = [];
  let dummies = 0;
  const maxDummies = options.maxDummies ?? 4000;
  oriented.forEach(([from, to], index) => {
    const start = layerOf.get(from) ?? 0;
    const span = (layerOf.get(to) ?? 0) - start;
    const chain = [from];
    if (span > 1 && dummies + span - 1 <= maxDummies) {
      for (let step = 1; step < span; step++) {
        const dummy = `\u0000${index}:${step}`;
        layers[start + step]?.push(dummy);
        chain.push(dummy);
      }
      dummies += span - 1;
    }
    chain.push(to);
    for (let i = 1; i < chain.length; i++) {
      link(down, chain[i - 1] as string, chain[i] as string);
      link(up, chain[i] as string, chain[i - 1] as string);
    }
    chains.push(chain);
  });

  const order = new Map<string, number>();
  for (const layer of layers) layer.forEach((id, index) => order.set(id, index));
  for (let round = 0; round < (options.sweeps ?? 6); round++) {
    sweep(layers.slice(1), up, order);
    sweep(layers.slice(0, -1).reverse(), down, order);
  }

  const position = new Map<string, { layer: number; order: number }>();
  layers.forEach((layer, index) => {
    layer.forEach((id, at) => position.set(id, { layer: index, order: at }));
  });
  let keptIndex = 0;
  const routes: string[][] = [];
  const reversed: boolean[] = [];
  edges.forEach(([from, to], index) => {
    if (usable[index] !== true) {
      routes.push([from, to]);
      reversed.push(false);
      return;
    }
    const chain = chains[keptIndex] as string[];
    const back = keptReversed[keptIndex] === true;
    routes.push(back ? [...chain].reverse() : chain);
    reversed.push(back);
    keptIndex++;
  });
  return { layers, position, routes, reversed };
}
