// Graph pictures: toDot's structure (names, leaves, shapes on edges, root) and toSVG's layout.
import { describe, expect, it } from 'vitest';
import { torch } from './helpers';

// The seeds' graph: z = dot(x, w) + b; loss = sigmoid(z).
function seedGraph() {
  const x = torch.tensor([1, 2]);
  const w = torch.tensor([0.5, -0.25], { requiresGrad: true });
  const b = torch.tensor(0.1, { requiresGrad: true });
  const z = torch.dot(x, w).add(b);
  const loss = torch.sigmoid(z);
  return { x, w, b, z, loss };
}

function parseDot(dot: string) {
  const nodes = new Map<string, string>();
  const edges: [string, string, string | null][] = [];
  for (const line of dot.split('\n')) {
    let m = /^ {2}(\w+) \[label="([^"]*)"(.*)\];$/.exec(line);
    if (m && m[1] !== 'graph' && m[1] !== 'node' && m[1] !== 'edge') nodes.set(m[1], m[2] + m[3]);
    m = /^ {2}(\w+) -> (\w+)(?: \[label="([^"]*)"\])?;$/.exec(line);
    if (m) edges.push([m[1], m[2], m[3] ?? null]);
  }
  return { nodes, edges };
}

describe('toDot', () => {
  it('draws the seeds graph: op names, leaves with shapes, shapes on edges, the root', () => {
    const { loss } = seedGraph();
    const dot = torch.autograd.toDot(loss);
    expect(dot.startsWith('digraph {')).toBe(true);
    expect(dot.trimEnd().endsWith('}')).toBe(true);
    const { nodes, edges } = parseDot(dot);
    const byLabel = (l: string) => [...nodes].filter(([, v]) => v.startsWith(l)).map(([k]) => k);
    const [sig] = byLabel('SigmoidBackward0');
    const [add] = byLabel('AddBackward0');
    const [dotN] = byLabel('DotBackward0');
    const leaves = byLabel('AccumulateGrad');
    expect(sig && add && dotN).toBeTruthy();
    expect(leaves.length).toBe(2);
    expect(nodes.get('root')).toContain('output\\n()');
    expect(nodes.get('root')).toContain('darkolivegreen1');
    // Leaves carry their shape and the leaf colour: w is (2), b is ().
    const leafLabels = leaves.map((k) => nodes.get(k)!).sort();
    expect(leafLabels[0]).toContain('AccumulateGrad\\n()');
    expect(leafLabels[1]).toContain('AccumulateGrad\\n(2)');
    for (const l of leafLabels) expect(l).toContain('lightblue');
    // Forward-direction edges with shapes.
    expect(edges).toContainEqual([sig, 'root', '()']);
    expect(edges).toContainEqual([add, sig, '()']);
    expect(edges).toContainEqual([dotN, add, '()']);
    const wLeaf = leaves.find((k) => nodes.get(k)!.includes('(2)'))!;
    const bLeaf = leaves.find((k) => nodes.get(k)!.includes('()'))!;
    expect(edges).toContainEqual([wLeaf, dotN, '(2)']);
    expect(edges).toContainEqual([bLeaf, add, '()']);
    expect(edges.length).toBe(5);
  });

  it('names leaves given as params, and shares a node reached twice', () => {
    const a = torch.tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const y = a.mul(a).sum();
    const { nodes, edges } = parseDot(torch.autograd.toDot(y, { params: { a }, rootName: 'y' }));
    const leaf = [...nodes].filter(([, v]) => v.startsWith('a\\n(2, 2)'));
    expect(leaf.length).toBe(1);
    expect(nodes.get('root')).toContain('y\\n()');
    const mul = [...nodes].find(([, v]) => v.startsWith('MulBackward0'))![0];
    // x * x: two edges from the one leaf into MulBackward0.
    expect(edges.filter(([f, t]) => f === leaf[0][0] && t === mul).length).toBe(2);
  });

  it('a leaf root is a graph of one node; a long chain does not overflow the stack', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    expect(parseDot(torch.autograd.toDot(x)).nodes.size).toBe(1);
    let y = x;
    for (let i = 0; i < 20000; i++) y = y.mul(1);
    const g = torch.autograd.graphOf(y);
    expect(g.nodes.length).toBe(20002);
    expect(torch.autograd.layersOf(g).get('n0')).toBe(1);
  });

  it('rejects a non-tensor', () => {
    expect(() => torch.autograd.toDot(3 as any)).toThrow(TypeError);
  });
});

describe('toSVG', () => {
  it('draws one box per node and one arrow per edge, the root at the bottom', () => {
    const { loss } = seedGraph();
    const svg = torch.autograd.toSVG(loss);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect((svg.match(/<g class="node /g) ?? []).length).toBe(6);
    expect((svg.match(/<path class="edge"/g) ?? []).length).toBe(5);
    expect((svg.match(/class="node leaf"/g) ?? []).length).toBe(2);
    expect(svg).toContain('>SigmoidBackward0</text>');
    // Every segment of every arrow points downwards (longest-path layering).
    for (const m of svg.matchAll(/<path class="edge" d="([^"]+)"/g)) {
      const ys = [...m[1].matchAll(/[ML] [\d.]+ ([\d.]+)/g)].map((p) => Number(p[1]));
      for (let i = 1; i < ys.length; i++) expect(ys[i]).toBeGreaterThanOrEqual(ys[i - 1]);
      expect(ys[ys.length - 1]).toBeGreaterThan(ys[0]);
    }
    const rootY = Number(/class="node root"><rect x="[^"]+" y="([^"]+)"/.exec(svg)![1]);
    const ys = [...svg.matchAll(/<g class="node \w+"><rect x="[^"]+" y="([^"]+)"/g)].map((m) => Number(m[1]));
    expect(rootY).toBe(Math.max(...ys));
  });

  it('routes an arrow that spans several layers through waypoints, around the boxes', () => {
    const w = torch.tensor([1, 2], { requiresGrad: true });
    const y = w.mul(2).exp().sum().add(w.pow(2).sum()); // w feeds a deep and a shallow branch
    const svg = torch.autograd.toSVG(y);
    const paths = [...svg.matchAll(/<path class="edge" d="([^"]+)"/g)].map((m) => m[1].split(/ [ML] |^M /).filter(Boolean).length);
    expect(Math.max(...paths)).toBeGreaterThan(2);
    expect((svg.match(/<g class="node /g) ?? []).length).toBe(torch.autograd.graphOf(y).nodes.length);
  });

  it('escapes XML in names', () => {
    const a = torch.tensor([1], { requiresGrad: true });
    const svg = torch.autograd.toSVG(a.mul(2), { rootName: '<y & z>' });
    expect(svg).toContain('&lt;y &amp; z&gt;');
  });
});

describe('examples/graph.mjs', () => {
  it('prints the DOT text and writes the SVG', async () => {
    const { execFileSync } = await import('node:child_process');
    const fs = await import('node:fs');
    const path = await import('node:path');
    const root = path.join(__dirname, '..');
    const out = execFileSync(process.execPath, [path.join(root, 'examples', 'graph.mjs')], { cwd: root, encoding: 'utf8' });
    expect(out).toContain('n0 [label="SigmoidBackward0"];');
    expect(out).toContain('[label="w\\n(2)", fillcolor=lightblue, class=leaf];');
    const svg = fs.readFileSync(path.join(root, 'examples', 'out', 'graph.svg'), 'utf8');
    expect(svg).toContain('>DotBackward0</text>');
  });
});
