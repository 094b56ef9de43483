// im2col, the core of conv2d and F.unfold, as one autograd Function.
//
// Forward copies every kernel tap (a strided view of the input) into one column matrix of
// shape (C * kH * kW, N * Ho * Wo); a convolution is then a single matmul with the weight
// viewed as (O, C * kH * kW). Backward (col2im) adds each tap's gradient back into the
// input positions it was read from, in place, into one zero tensor. Written as a Function
// rather than as kH * kW recorded slices, it makes one gradient buffer instead of one per
// tap.
import { Function, FunctionCtx } from '../function';
import { Tensor } from '../tensor';
import { empty, zeros } from '../creation';

export interface ColGeometry {
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  /** output height and width */
  ho: number;
  wo: number;
}

// Tap (i, j) of an input laid out channel first, (C, N, H, W): a (C, N, Ho, Wo) view.
function tap(xc: Tensor, i: number, j: number, g: ColGeometry): Tensor {
  const h0 = i * g.dh, w0 = j * g.dw;
  return xc.index(':', ':', [h0, h0 + g.sh * (g.ho - 1) + 1, g.sh], [w0, w0 + g.sw * (g.wo - 1) + 1, g.sw]);
}

export class Im2Col extends Function {
  /** x: (N, C, H, W), already padded. Returns (C * kh * kw, N * ho * wo), rows ordered (c, i, j). */
  static forward(ctx: FunctionCtx, x: Tensor, g: ColGeometry): Tensor {
    const [n, c] = x.shape;
    const k = g.kh * g.kw;
    ctx.geometry = g;
    ctx.inputShape = x.shape;
    const cols = empty([c, k, n, g.ho, g.wo], { dtype: x.dtype });
    const xc = x.transpose(0, 1);
    for (let i = 0; i < g.kh; i++) for (let j = 0; j < g.kw; j++) cols.select(1, i * g.kw + j).copy_(tap(xc, i, j, g));
    return cols.view(c * k, n * g.ho * g.wo);
  }

  static backward(ctx: FunctionCtx, grad: Tensor | null): (Tensor | null)[] {
    const g = ctx.geometry as ColGeometry;
    const shape = ctx.inputShape as number[];
    const [n, c] = shape;
    const gx = zeros(shape, { dtype: grad!.dtype });
    const gxc = gx.transpose(0, 1);
    const g5 = grad!.reshape(c, g.kh * g.kw, n, g.ho, g.wo);
    for (let i = 0; i < g.kh; i++) for (let j = 0; j < g.kw; j++) tap(gxc, i, j, g).add_(g5.select(1, i * g.kw + j));
    return [gx, null];
  }
}
