// Indexing, views and joining: storage sharing checked by writing through views, PyTorch's
// index forms and graph structure, chunk/split sizing, dtype promotion, and bad arguments
// (which must throw, never crash). Expected values were read off PyTorch 1.13.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { torch, type Tensor } from './helpers';

const ar = (...shape: number[]) => torch.arange(shape.reduce((a, b) => a * b, 1)).reshape(shape);
const i64 = (...v: unknown[]) => torch.tensor(v as any, { dtype: 'int64' });

// The names of the grad_fn chain through input 0, as PyTorch's next_functions[0] walk gives.
function chain(t: Tensor): string[] {
  const out: string[] = [];
  let g = t.gradFn;
  while (g && g.name !== 'AccumulateGrad') {
    out.push(g.name);
    g = g.nextFunctions[0]?.[0] ?? null;
  }
  return out;
}

describe('views share storage: a write through the view reaches the base', () => {
  const views: [string, (x: Tensor) => Tensor][] = [
    ['view', (x) => x.view(12)],
    ['reshape (viewable)', (x) => x.reshape(2, 6)],
    ['flatten', (x) => x.flatten()],
    ['squeeze', (x) => x.unsqueeze(0).squeeze()],
    ['unsqueeze', (x) => x.unsqueeze(1)],
    ['transpose', (x) => x.transpose(0, 1)],
    ['t', (x) => x.t()],
    ['T', (x) => x.T],
    ['mT', (x) => x.mT],
    ['permute', (x) => x.permute(1, 0)],
    ['narrow', (x) => x.narrow(1, 1, 2)],
    ['select', (x) => x.select(0, 1)],
    ['index int', (x) => x.index(2)],
    ['index slice', (x) => x.index('1:3')],
    ['index step', (x) => x.index(':', '::2')],
    ['index None', (x) => x.index(null)],
    ['index ellipsis', (x) => x.index('...', 1)],
    ['split piece', (x) => x.split(2)[1]],
    ['chunk piece', (x) => x.chunk(2, 1)[1]],
    ['contiguous of contiguous', (x) => x.contiguous()],
    ['view of view of view', (x) => x.t().index('1:').select(1, 2)],
  ];
  it.each(views)('%s', (_, f) => {
    const x = ar(3, 4).double();
    const v = f(x);
    const before = x.sum().item() as number;
    v.add_(100);
    expect(x.sum().item()).toBe(before + 100 * v.numel());
    expect(x._version).toBe(v._version);
  });

  it('expand reads through the base; writing through it is refused', () => {
    const x = torch.zeros(3, 1);
    const e = x.expand(3, 4);
    x.fill_(2);
    expect(e.tolist()).toEqual([[2, 2, 2, 2], [2, 2, 2, 2], [2, 2, 2, 2]]);
    expect(() => e.add_(1)).toThrow('more than one element of the written-to tensor refers to a single memory location');
  });

  it('copies where PyTorch copies', () => {
    const x = ar(3, 4).double();
    for (const c of [x.t().reshape(12), x.t().contiguous(), x.t().flatten(), torch.cat([x]), torch.stack([x]), x.clone()]) {
      c.add_(1);
      expect(x.sum().item()).toBe(66);
    }
  });

  it('strides and storage offset of views', () => {
    const x = ar(3, 4);
    expect(x.t().stride()).toEqual([1, 4]);
    expect(x.index('1:', '::2').stride()).toEqual([4, 2]);
    expect(x.index('1:', '::2').storageOffset()).toBe(4);
    expect(x.index(2, 1).storageOffset()).toBe(9);
    expect(x.index(null, ':', 1).shape).toEqual([1, 3]);
    expect(x.t().isContiguous()).toBe(false);
  });
});

describe('index() forms', () => {
  const x = ar(3, 4);
  it('integers, negatives, slices, strings, null and ellipsis', () => {
    expect(x.index(1).tolist()).toEqual([4, 5, 6, 7]);
    expect(x.index(-1, -1).item()).toBe(11);
    expect(x.index('1:3', 0).tolist()).toEqual([4, 8]);
    expect(x.index(':', '::3').tolist()).toEqual([[0, 3], [4, 7], [8, 11]]);
    expect(x.index('-2:').tolist()).toEqual([[4, 5, 6, 7], [8, 9, 10, 11]]);
    expect(x.index(' 1 : 3 ', ' : : 2 ').tolist()).toEqual([[4, 6], [8, 10]]);
    expect(x.index('...', 0).tolist()).toEqual([0, 4, 8]);
    expect(x.index(0, '...', null).shape).toEqual([4, 1]);
    expect(x.index(null, null).shape).toEqual([1, 1, 3, 4]);
    expect(x.index().shape).toEqual([3, 4]);
  });
  it('slice arrays with missing or null parts', () => {
    expect(x.index([1]).shape).toEqual([2, 4]);
    expect(x.index([]).shape).toEqual([3, 4]);
    expect(x.index([null, 2]).shape).toEqual([2, 4]);
    expect(x.index([undefined, undefined, 2]).tolist()).toEqual([[0, 1, 2, 3], [8, 9, 10, 11]]);
    expect(x.index(':', [-3, null, 2]).tolist()).toEqual([[1, 3], [5, 7], [9, 11]]);
    expect(x.index([2, 1]).shape).toEqual([0, 4]);
    expect(x.index([-1e15, 1e15]).shape).toEqual([3, 4]);
  });
  it('the namespace function', () => {
    expect(torch.index(x, 1, 2).item()).toBe(6);
    expect(torch.t(x).shape).toEqual([4, 3]);
  });
  it('records the nodes PyTorch records', () => {
    const y = torch.randn(3, 4, { requiresGrad: true });
    expect(chain(y.index(':', null))).toEqual(['UnsqueezeBackward0', 'SliceBackward0']);
    expect(chain(y.index('0:3', null))).toEqual(['UnsqueezeBackward0']);
    expect(chain(y.index(':', ':'))).toEqual(['SliceBackward0', 'SliceBackward0']);
    expect(chain(y.index('0:3'))).toEqual(['SliceBackward0']);
    expect(chain(y.index('...'))).toEqual(['AliasBackward0']);
    expect(chain(y.index(1).index(2))).toEqual(['SelectBackward0', 'SelectBackward0']);
    expect(chain(y.index(1, 2))).toEqual(['SelectBackward0', 'SelectBackward0']);
    expect(chain(y.t().index('1:3', 0))).toEqual(['SelectBackward0', 'SliceBackward0', 'TBackward0']);
    expect(y.contiguous().gradFn).toBeNull();
    expect(y.flatten(1, 1).gradFn).toBeNull();
  });
  it('bad index items are TypeErrors', () => {
    const bad: unknown[] = [1.5, true, {}, 'abc', '1', '1:2:3:4', '1.5:', [1.5], [1, 2, 3, 4], ['a'], torch.tensor(1), undefined, NaN, 2 ** 60];
    for (const b of bad) expect(() => x.index(b as any), String(b)).toThrow(TypeError);
    expect(() => x.set(1.5 as any, 1)).toThrow(TypeError);
  });
});

describe('split and chunk sizing (PyTorch 1.13)', () => {
  const sizes = (ts: Tensor[]) => ts.map((t) => t.shape);
  it('chunk', () => {
    const x = torch.arange(10);
    expect(sizes(x.chunk(3))).toEqual([[4], [4], [2]]);
    expect(sizes(x.chunk(4))).toEqual([[3], [3], [3], [1]]);
    expect(sizes(x.chunk(6))).toEqual([[2], [2], [2], [2], [2]]);
    expect(sizes(x.chunk(11))).toEqual(Array(10).fill([1]));
    expect(sizes(torch.zeros(0).chunk(3))).toEqual([[0], [0], [0]]);
    expect(sizes(torch.zeros(5, 0).chunk(3, 1))).toEqual([[5, 0], [5, 0], [5, 0]]);
    expect(x.chunk(3)[2].tolist()).toEqual([8, 9]);
  });
  it('split', () => {
    const x = torch.arange(10);
    expect(sizes(x.split(3))).toEqual([[3], [3], [3], [1]]);
    expect(sizes(x.split(20))).toEqual([[10]]);
    expect(sizes(x.split([3, 7]))).toEqual([[3], [7]]);
    expect(sizes(torch.zeros(0).split(0))).toEqual([[0]]);
    expect(x.split([3, 0, 7])[2].tolist()).toEqual([3, 4, 5, 6, 7, 8, 9]);
    expect(torch.split(ar(2, 5), 2, 1)[2].tolist()).toEqual([[4], [9]]);
  });
  it('split pieces share one node with an output per piece', () => {
    const y = torch.randn(6, { requiresGrad: true }).mul(1);
    const [a, b, c] = y.split(2);
    expect(a.gradFn!.name).toBe('SplitBackward0');
    expect(b.gradFn!.name).toBe('SplitBackward0');
    c.sum().backward();
  });
});

describe('cat, stack, gather, indexSelect', () => {
  it('promote dtypes as PyTorch', () => {
    const z = (dtype: any) => torch.zeros(2, 3, { dtype });
    expect(torch.cat([z('int64'), z('bool')]).dtype).toBe('int64');
    expect(torch.cat([z('int32'), z('int64')]).dtype).toBe('int64');
    expect(torch.cat([z('int32'), z('float32')]).dtype).toBe('float32');
    expect(torch.cat([z('float32'), torch.zeros(0, { dtype: 'float64' })]).dtype).toBe('float64');
    expect(torch.stack([z('float32'), z('int64')]).dtype).toBe('float32');
    expect(torch.cat([torch.tensor([true], { dtype: 'bool' }), torch.tensor([2], { dtype: 'int64' })]).tolist()).toEqual([1, 2]);
  });
  it('cat of empties and concat alias', () => {
    expect(torch.cat([torch.zeros(0), torch.zeros(0)]).shape).toEqual([0]);
    expect(torch.cat([torch.zeros(0, 3), torch.ones(2, 3)]).shape).toEqual([2, 3]);
    expect(torch.concat([torch.ones(1), torch.zeros(2)]).tolist()).toEqual([1, 0, 0]);
  });
  it('gather and indexSelect on 0-d tensors and empty indices', () => {
    const s = torch.tensor(5);
    expect(s.gather(0, torch.tensor(0, { dtype: 'int64' })).shape).toEqual([]);
    expect(s.gather(0, i64(0)).tolist()).toEqual([5]);
    expect(s.indexSelect(0, i64(0)).shape).toEqual([]);
    expect(ar(3, 4).indexSelect(0, torch.zeros(0, { dtype: 'int64' })).shape).toEqual([0, 4]);
    expect(ar(3, 4).gather(1, torch.zeros(0, 1, { dtype: 'int64' })).shape).toEqual([0, 1]);
    expect(ar(3, 4).gather(1, i64([0, 1, 2, 3, 0])).tolist()).toEqual([[0, 1, 2, 3, 0]]);
    expect(() => torch.zeros(0, 3).indexSelect(0, i64(0))).toThrow('index_select(): self indexing axis dim should be positive');
  });
  it('work on int and bool tensors', () => {
    const b = torch.tensor([[true, false], [false, true]], { dtype: 'bool' });
    expect(b.gather(1, i64([1], [1])).tolist()).toEqual([[false], [true]]);
    expect(b.indexSelect(0, i64(1, 1)).tolist()).toEqual([[false, true], [false, true]]);
    expect(torch.stack([b, b], 2).shape).toEqual([2, 2, 2]);
  });
  it('gradients accumulate over repeated indices', () => {
    const x = torch.ones(3, { requiresGrad: true, dtype: 'float64' });
    x.indexSelect(0, i64(0, 0, 2, 0)).sum().backward();
    expect(x.grad!.tolist()).toEqual([3, 0, 1]);
    const y = torch.ones(2, 2, { requiresGrad: true });
    y.gather(1, i64([1, 1, 1], [0, 1, 0])).sum().backward();
    expect(y.grad!.tolist()).toEqual([[0, 3], [2, 1]]);
  });
  it('cat keeps the gradient of each input in its own dtype and shape', () => {
    const a = torch.ones(2, { requiresGrad: true });
    const b = torch.ones(1, 2, { requiresGrad: true, dtype: 'float64' });
    const out = torch.cat([a.unsqueeze(0), b]);
    expect(out.dtype).toBe('float64');
    out.mul(torch.tensor([[1, 2], [3, 4]], { dtype: 'float64' })).sum().backward();
    expect(a.grad!.dtype).toBe('float32');
    expect(a.grad!.tolist()).toEqual([1, 2]);
    expect(b.grad!.tolist()).toEqual([[3, 4]]);
  });
});

describe('bad arguments throw (never crash)', () => {
  const x = ar(3, 4);
  const cases: [string, () => unknown, any][] = [
    ['reshape huge', () => x.reshape(1e15, 1e15), Error],
    ['reshape NaN', () => x.reshape(NaN), TypeError],
    ['reshape fraction', () => x.reshape(1.5, 8), TypeError],
    ['reshape string', () => x.reshape('3' as any), TypeError],
    ['view negative', () => x.view(-3, -4), Error],
    ['expand huge', () => x.expand(2 ** 40, 2 ** 40, 3, 4), RangeError],
    ['expand negative', () => x.unsqueeze(0).expand(-5, 3, 4), Error],
    ['permute huge dim', () => x.permute(0, 2 ** 40), RangeError],
    ['transpose fraction', () => x.transpose(0.5, 1), TypeError],
    ['squeeze string', () => x.squeeze('a' as any), TypeError],
    ['unsqueeze huge', () => x.unsqueeze(1e12), RangeError],
    ['narrow huge', () => x.narrow(0, 0, 2 ** 52), RangeError],
    ['narrow negative length', () => x.narrow(0, 0, -1), RangeError],
    ['select huge', () => x.select(0, 2 ** 52), RangeError],
    ['flatten bad dim', () => x.flatten(5), RangeError],
    ['split huge', () => x.split(2 ** 52), null],
    ['split list with huge entries', () => x.split([2 ** 52, 2 ** 52]), Error],
    ['chunk huge', () => torch.zeros(0).chunk(2 ** 50), RangeError],
    ['chunk negative', () => x.chunk(-2), RangeError],
    ['cat non-array', () => torch.cat(x as any), TypeError],
    ['cat non-tensor', () => torch.cat([x, 3 as any]), TypeError],
    ['stack non-tensor', () => torch.stack([null as any]), TypeError],
    ['gather non-tensor', () => x.gather(0, [0] as any), TypeError],
    ['gather huge index', () => x.gather(0, i64([2 ** 52])), RangeError],
    ['indexSelect huge index', () => x.indexSelect(0, i64(-(2 ** 52))), RangeError],
    ['index huge int', () => x.index(2 ** 52), RangeError],
    ['index too many', () => x.index(0, 0, 0), RangeError],
    ['disposed tensor', () => { const d = ar(2); d.dispose(); return d.index(0); }, Error],
  ];
  it.each(cases)('%s', (_, f, kind) => {
    if (kind === null) expect(f).not.toThrow();
    else expect(f).toThrow(kind);
  });
});

describe('process shutdown', () => {
  it('exits cleanly while split/chunk pieces and autograd.grad results are still alive', () => {
    // Their JS owners are finalized after the addon's state is torn down at exit.
    const entry = path.join(__dirname, '..', 'dist', 'cjs', 'index.js');
    const script = `const torch = require(${JSON.stringify(entry)});
      const a = torch.randn(6, 4, { requiresGrad: true });
      globalThis.keep = [a.split(2), a.chunk(3, 1), torch.autograd.grad(a.mul(a).sum(), [a], { createGraph: true }),
        a.gradFn, a.mul(2).gradFn.nextFunctions];`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
