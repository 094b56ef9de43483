// Elementwise kernels on transposed operands (native/kernels/loop.h, run_tiled): from 64 x 64
// up, when an operand steps faster along the second-innermost dim, the last two dims go in
// 32 x 32 tiles and transposed operands are gathered into (or, for a transposed output,
// scattered from) a row-major buffer. Every result is checked element by element against
// plain JS arithmetic on the contiguous operands' values.
import { describe, expect, it } from 'vitest';
import { torch } from './helpers';

type Tensor = torch.Tensor;
const T2 = (m: number[][]) => m[0].map((_, j) => m.map((r) => r[j]));

describe('elementwise ops on transposed operands (tiled loop)', () => {
  torch.manualSeed(3);
  const R = 70, C = 101; // not multiples of the tile
  const x = torch.randn(R, C), y = torch.randn(C, R), z = torch.randn(R, C);
  const xv = x.tolist() as number[][], yv = y.tolist() as number[][], zv = z.tolist() as number[][];
  const f32 = Math.fround;

  it('a.T + b, a.T + b.T, a + b.T (float32)', () => {
    const yT = T2(yv);
    expect(y.T.add(x).tolist()).toEqual(yT.map((r, i) => r.map((v, j) => f32(v + xv[i][j]))));
    expect(y.T.add(y.T).tolist()).toEqual(yT.map((r) => r.map((v) => f32(v + v))));
    expect(x.sub(y.T, { alpha: 2 } as any).tolist()).toEqual(xv.map((r, i) => r.map((v, j) => f32(v - f32(2 * yT[i][j])))));
  });

  it('unary ops, contiguous() and comparisons (bool output) on a transposed view', () => {
    const yT = T2(yv);
    expect(y.T.contiguous().tolist()).toEqual(yT);
    expect(y.T.relu().tolist()).toEqual(yT.map((r) => r.map((v) => (v > 0 ? v : 0))));
    expect(y.T.neg().tolist()).toEqual(yT.map((r) => r.map((v) => -v)));
    const e = y.T.exp().tolist() as number[][];
    e.forEach((r, i) => r.forEach((v, j) => expect(Math.abs(v - Math.exp(yT[i][j]))).toBeLessThanOrEqual(2e-7 * Math.exp(yT[i][j]))));
    expect(y.T.gt(x).tolist()).toEqual(yT.map((r, i) => r.map((v, j) => v > xv[i][j])));
  });

  it('float64 and int32 operands', () => {
    const yd = y.to('float64'), xd = x.to('float64');
    const ydv = yd.tolist() as number[][], xdv = xd.tolist() as number[][];
    expect(yd.T.mul(xd).tolist()).toEqual(T2(ydv).map((r, i) => r.map((v, j) => v * xdv[i][j])));
    const yi = y.mul(100).to('int32'), xi = x.mul(100).to('int32');
    const yiv = T2(yi.tolist() as number[][]), xiv = xi.tolist() as number[][];
    expect(yi.T.add(xi).tolist()).toEqual(yiv.map((r, i) => r.map((v, j) => v + xiv[i][j])));
  });

  it('writes through a transposed output (in-place add_ on a .T view)', () => {
    const c = z.clone();
    c.T.add_(y); // c.T is [C, R]: the output operand is the transposed one
    expect(c.tolist()).toEqual(zv.map((r, i) => r.map((v, j) => f32(v + yv[j][i]))));
    const d = z.clone();
    d.T.mul_(d.T); // output and input alias, both transposed
    expect(d.tolist()).toEqual(zv.map((r) => r.map((v) => f32(v * v))));
  });

  it('broadcast operands and batched transposes (3-D permute)', () => {
    const col = torch.randn(R, 1);
    const colv = col.tolist() as number[][];
    const yT = T2(yv);
    expect(y.T.add(col).tolist()).toEqual(yT.map((r, i) => r.map((v) => f32(v + colv[i][0]))));
    const b = torch.randn(3, 66, 67);
    const bv = b.tolist() as number[][][];
    const p = b.permute(0, 2, 1).add(1) as Tensor; // [3, 67, 66]
    expect(p.tolist()).toEqual(bv.map((m) => T2(m).map((r) => r.map((v) => f32(v + 1)))));
    const w = torch.where(y.T.gt(0), y.T, x);
    expect(w.tolist()).toEqual(yT.map((r, i) => r.map((v, j) => (v > 0 ? v : xv[i][j]))));
  });
});
