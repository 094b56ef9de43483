// Pictures of the autograd graph: torch.autograd.toDot(y) (Graphviz DOT text, as torchviz's
// make_dot draws it) and torch.autograd.toSVG(y) (the same graph drawn here, no Graphviz).
//
// Arrows point the way data flowed forward: from the node that made a tensor to the node
// of the op that used it, ending at the root tensor. Each arrow carries the shape of the
// tensor that travelled along it (the shape the consumer's backward hands back, which the
// producer recorded). Leaves are their AccumulateGrad nodes, labelled with the leaf's shape.
import { N } from './native';
import { GradFn, Tensor, tensorArg } from './tensor';

export interface GraphNode {
  /** 'n0', 'n1', ... in discovery order; the root tensor is 'root'. */
  id: string;
  /** gradFn.name, or 'output' for the root tensor. */
  name: string;
  kind: 'op' | 'leaf' | 'root';
  /** Leaves and the root: the tensor's shape. */
  shape?: number[];
}

export interface GraphEdge {
  from: string;
  to: string;
  /** The shape of the tensor passed along this edge, when known. */
  shape?: number[];
}

export interface Graph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export interface GraphOptions {
  /** A label for the root tensor (default 'output'). */
  rootName?: string;
  /** Names for leaf tensors, e.g. { w, b } or model.namedParameters(): shown on leaves. */
  params?: Record<string, Tensor> | [string, Tensor][];
}

function shapeText(shape: number[] | undefined): string {
  if (!shape) return '';
  return `(${shape.join(', ')})`; // torchviz's size_to_str: (2), (3, 4), ()
}

/**
 * The graph behind `y`, walked iteratively (a 100,000-op chain must not overflow the stack).
 * Two handles of one native node are recognised by N.nodeKey.
 */
export function graphOf(y: Tensor, opts: GraphOptions = {}): Graph {
  tensorArg(y, 'tensor');
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const byKey = new Map<number, GraphNode>();
  const root: GraphNode = { id: 'root', name: opts.rootName ?? 'output', kind: 'root', shape: y.shape.slice() };

  // Leaf names: an AccumulateGrad's variable is matched to a named param by its key.
  const leafNames = new Map<number, string>();
  const params = opts.params === undefined ? [] : Array.isArray(opts.params) ? opts.params : Object.entries(opts.params);
  for (const [name, p] of params) {
    const key = leafKey(p);
    if (key !== null) leafNames.set(key, name);
  }

  const visit = (g: GradFn): { node: GraphNode; fresh: boolean } => {
    const key: number = N.nodeKey(g._id);
    const known = byKey.get(key);
    if (known) return { node: known, fresh: false };
    const name = g.name;
    const node: GraphNode = { id: `n${nodes.length}`, name, kind: name === 'AccumulateGrad' ? 'leaf' : 'op' };
    if (node.kind === 'leaf') {
      const meta: [number[], string][] = N.nodeMeta(g._id);
      node.shape = meta[0] ? meta[0][0] : undefined;
      const label = leafNames.get(key);
      if (label !== undefined) node.name = label;
    }
    nodes.push(node);
    byKey.set(key, node);
    return { node, fresh: true };
  };

  const top = y.gradFn;
  if (top) {
    const first = visit(top).node;
    edges.push({ from: first.id, to: root.id, shape: y.shape.slice() });
    const stack: [GradFn, GraphNode][] = [[top, first]];
    while (stack.length) {
      const [g, gn] = stack.pop()!;
      for (const [next, inputNr] of g.nextFunctions) {
        if (!next) continue;
        const { node, fresh } = visit(next);
        const meta: [number[], string][] = N.nodeMeta(next._id);
        edges.push({ from: node.id, to: gn.id, shape: meta[inputNr] ? meta[inputNr][0] : undefined });
        if (fresh) stack.push([next, node]);
      }
    }
  }
  nodes.push(root);
  return { nodes, edges };
}

// The key of a leaf's AccumulateGrad, or null when the tensor is no leaf requiring grad.
function leafKey(t: Tensor): number | null {
  if (!(t instanceof Tensor) || !t.requiresGrad || !t.isLeaf) return null;
  // A view of t has t's AccumulateGrad as its one next function (the same node y's graph holds).
  const v = t.viewAs(t);
  const g = v.gradFn;
  if (!g) return null;
  const [acc] = g.nextFunctions[0] ?? [null];
  return acc ? N.nodeKey(acc._id) : null;
}

function dotEscape(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

function nodeLabel(n: GraphNode, paramsNamed: boolean): string {
  if (n.kind === 'op') return n.name;
  if (n.kind === 'leaf') return paramsNamed && n.name !== 'AccumulateGrad' ? `${n.name}\n${shapeText(n.shape)}` : `AccumulateGrad\n${shapeText(n.shape)}`;
  return `${n.name}\n${shapeText(n.shape)}`;
}

/**
 * Graphviz DOT text of the graph behind `y`: one box per node (gradFn.name), leaves
 * (AccumulateGrad) in light blue with their shape, the root tensor in green, tensor shapes
 * on the arrows. Render with `dot -Tsvg`, or use toSVG() where Graphviz is not installed.
 */
export function toDot(y: Tensor, opts: GraphOptions = {}): string {
  const { nodes, edges } = graphOf(y, opts);
  const lines = [
    'digraph {',
    '  graph [rankdir=TB];',
    '  node [shape=box, style="filled,rounded", fillcolor=lightgrey, fontname="monospace", fontsize=10];',
    '  edge [fontname="monospace", fontsize=9];',
  ];
  const named = opts.params !== undefined;
  for (const n of nodes) {
    const extra = n.kind === 'leaf' ? ', fillcolor=lightblue' : n.kind === 'root' ? ', fillcolor=darkolivegreen1' : '';
    const cls = n.kind === 'op' ? '' : `, class=${n.kind}`;
    lines.push(`  ${n.id} [label="${dotEscape(nodeLabel(n, named)).replace(/\n/g, '\\n')}"${extra}${cls}];`);
  }
  for (const e of edges) {
    const label = e.shape ? ` [label="${shapeText(e.shape)}"]` : '';
    lines.push(`  ${e.from} -> ${e.to}${label};`);
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * Layers for drawing: the root is layer 0, and every node sits one layer above the lowest
 * of its consumers' layers (longest path from the root), so every arrow points downwards.
 */
export function layersOf(g: Graph): Map<string, number> {
  const consumers = new Map<string, number>(); // edges out of a node not yet placed
  const into = new Map<string, string[]>(); // node -> producers feeding it
  for (const n of g.nodes) {
    consumers.set(n.id, 0);
    into.set(n.id, []);
  }
  for (const e of g.edges) {
    consumers.set(e.from, consumers.get(e.from)! + 1);
    into.get(e.to)!.push(e.from);
  }
  const layer = new Map<string, number>();
  const ready = g.nodes.filter((n) => consumers.get(n.id) === 0).map((n) => n.id);
  for (const id of ready) layer.set(id, 0);
  while (ready.length) {
    const id = ready.pop()!;
    for (const p of into.get(id)!) {
      layer.set(p, Math.max(layer.get(p) ?? 0, layer.get(id)! + 1));
      const left = consumers.get(p)! - 1;
      consumers.set(p, left);
      if (left === 0) ready.push(p);
    }
  }
  return layer;
}

/**
 * An SVG picture of the graph behind `y`, laid out here (a small Sugiyama layout):
 * longest-path layers from the root (drawn at the bottom); an arrow that spans several
 * layers is routed through invisible waypoints, one per layer it crosses, so it bends
 * around boxes instead of crossing them; each row is ordered by the mean position of what
 * it feeds below it; arrows are labelled with tensor shapes.
 */
export function toSVG(y: Tensor, opts: GraphOptions = {}): string {
  const g = graphOf(y, opts);
  const layer = layersOf(g);
  const named = opts.params !== undefined;
  const charW = 7, lineH = 14, padX = 10, padY = 6, rowGap = 46, colGap = 24, margin = 20, wayW = 8;

  interface Item { id: string; node?: GraphNode; lines: string[]; w: number; h: number; x: number; y: number; row: number }
  const items = new Map<string, Item>();
  const depth = Math.max(0, ...layer.values());
  const rows: Item[][] = Array.from({ length: depth + 1 }, () => []);
  const add = (it: Item) => {
    items.set(it.id, it);
    rows[it.row].push(it);
  };
  for (const n of g.nodes) {
    const lines = nodeLabel(n, named).split('\n');
    add({ id: n.id, node: n, lines, w: Math.max(...lines.map((l) => l.length)) * charW + 2 * padX, h: lines.length * lineH + 2 * padY, x: 0, y: 0, row: layer.get(n.id) ?? 0 });
  }
  // Each edge becomes a chain of segments through waypoints (from is the higher layer).
  const chains: { ids: string[]; shape?: number[] }[] = [];
  g.edges.forEach((e, k) => {
    const ids = [e.from];
    for (let r = layer.get(e.from)! - 1; r > layer.get(e.to)!; r--) {
      const id = `w${k}_${r}`;
      add({ id, lines: [], w: wayW, h: 0, x: 0, y: 0, row: r });
      ids.push(id);
    }
    ids.push(e.to);
    chains.push({ ids, shape: e.shape });
  });
  const below = new Map<string, string[]>(); // item -> the items its segments lead to
  for (const c of chains)
    for (let i = 0; i + 1 < c.ids.length; i++) (below.get(c.ids[i]) ?? below.set(c.ids[i], []).get(c.ids[i])!).push(c.ids[i + 1]);

  // Place rows from the root upwards, each ordered by the mean centre of what it feeds.
  let width = 0;
  const rowWidths: number[] = [];
  for (let r = 0; r <= depth; r++) {
    const row = rows[r];
    if (r > 0) {
      const key = (it: Item) => {
        const cs = (below.get(it.id) ?? []).map((c) => items.get(c)!);
        return cs.length ? cs.reduce((s, b) => s + b.x + b.w / 2, 0) / cs.length : 0;
      };
      const keys = new Map(row.map((it) => [it.id, key(it)]));
      row.sort((a, b) => keys.get(a.id)! - keys.get(b.id)!);
    }
    let x = 0;
    for (const it of row) {
      it.x = x;
      x += it.w + colGap;
    }
    rowWidths[r] = Math.max(0, x - colGap);
    width = Math.max(width, rowWidths[r]);
  }
  // Centre each row, and stack rows top (deepest layer) to bottom (root).
  const rowH = (r: number) => Math.max(lineH, ...rows[r].map((it) => it.h));
  let top = margin;
  const rowTop: number[] = [];
  for (let r = depth; r >= 0; r--) {
    rowTop[r] = top;
    top += rowH(r) + rowGap;
  }
  for (let r = 0; r <= depth; r++) {
    const shift = margin + (width - rowWidths[r]) / 2;
    for (const it of rows[r]) {
      it.x += shift;
      // Waypoints span their row's height, so a routed arrow runs straight through it.
      it.y = rowTop[r];
      if (!it.node) it.h = rowH(r);
    }
  }
  const W = width + 2 * margin;
  const H = top - rowGap + margin;

  const fill = (n: GraphNode) => (n.kind === 'leaf' ? '#add8e6' : n.kind === 'root' ? '#caff70' : '#d3d3d3');
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="monospace" font-size="11">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">' +
      '<path d="M 0 0 L 10 5 L 0 10 z" fill="#333"/></marker></defs>',
    `<rect width="${W}" height="${H}" fill="white"/>`,
  ];
  for (const c of chains) {
    // Points: out of the bottom of each item, into the top of the next.
    const pts: [number, number][] = [];
    c.ids.forEach((id, i) => {
      const it = items.get(id)!;
      const cx = it.x + it.w / 2;
      if (i > 0) pts.push([cx, it.y]);
      if (i + 1 < c.ids.length) pts.push([cx, it.y + it.h]);
    });
    const [x1, y1] = pts[0], [x2, y2] = pts[1];
    const d = pts.map(([px, py], i) => `${i ? 'L' : 'M'} ${px} ${py}`).join(' ');
    out.push(`<path class="edge" d="${d}" fill="none" stroke="#333" marker-end="url(#arrow)"/>`);
    if (c.shape) out.push(`<text x="${(x1 + x2) / 2 + 4}" y="${(y1 + y2) / 2 + 4}" font-size="9" fill="#555">${xmlEscape(shapeText(c.shape))}</text>`);
  }
  for (const it of items.values()) {
    if (!it.node) continue;
    out.push(`<g class="node ${it.node.kind}"><rect x="${it.x}" y="${it.y}" width="${it.w}" height="${it.h}" rx="4" fill="${fill(it.node)}" stroke="#333"/>`);
    it.lines.forEach((l, i) => {
      out.push(`<text x="${it.x + it.w / 2}" y="${it.y + padY + (i + 1) * lineH - 3}" text-anchor="middle">${xmlEscape(l)}</text>`);
    });
    out.push('</g>');
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}
