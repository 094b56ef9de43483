// Max and average pooling over (N, C, H, W) inputs (F.maxPool2d, F.avgPool2d and their
// modules). Both gather every window with the same im2col as conv2d (one column per output
// position, one row per kernel tap), then reduce over the taps; autograd routes max's
// gradient to the winning tap and spreads avg's evenly. ceil_mode is not supported.
import { Tensor } from '../tensor';
import { typeName } from '../errors';
import { Module } from './module';
import { Im2Col } from './im2col';
import { pad } from './functional';
import { ones } from '../creation';

type Pair = number | [number, number];
const pair = (v: Pair): [number, number] => (typeof v === 'number' ? [v, v] : [v[0], v[1]]);

export interface PoolOptions {
  /** Default: the kernel size. */
  stride?: Pair | null;
  padding?: Pair;
}
export interface MaxPoolOptions extends PoolOptions {
  dilation?: Pair;
}
export interface AvgPoolOptions extends PoolOptions {
  /** Count padded zeros in each window's divisor (PyTorch's default, true). */
  countIncludePad?: boolean;
}

// (N, C, H, W) or (C, H, W) → columns (kh * kw, N * C * Ho * Wo) and the output shape.
function windows(fn: string, input: Tensor, k: [number, number], s: [number, number], p: [number, number], d: [number, number], fill: number) {
  if (!(input instanceof Tensor)) throw new TypeError(`${fn}(): argument 'input' must be Tensor, not ${typeName(input)}`);
  const batched = input.dim() === 4;
  if ((!batched && input.dim() !== 3) || input.numel() === 0) throw new Error('non-empty 3D or 4D (batch mode) tensor expected for input');
  for (let i = 0; i < 2; i++)
    if (p[i] > k[i] / 2) throw new Error(`pad should be at most half of kernel size, but got pad=${p[i]} and kernel_size=${k[i]}`);
  const x = batched ? input : input.unsqueeze(0);
  const [n, c, h, w] = x.shape;
  const ho = Math.floor((h + 2 * p[0] - d[0] * (k[0] - 1) - 1) / s[0]) + 1;
  const wo = Math.floor((w + 2 * p[1] - d[1] * (k[1] - 1) - 1) / s[1]) + 1;
  if (ho <= 0 || wo <= 0) throw new Error(`Given input size: (${c}x${h}x${w}). Calculated output size: (${c}x${ho}x${wo}). Output size is too small`);
  const padded = p[0] || p[1] ? pad(x, [p[1], p[1], p[0], p[0]], 'constant', fill) : x;
  const cols = Im2Col.apply(padded.reshape(n * c, 1, h + 2 * p[0], w + 2 * p[1]), { kh: k[0], kw: k[1], sh: s[0], sw: s[1], dh: d[0], dw: d[1], ho, wo }) as Tensor;
  return { cols, out: batched ? [n, c, ho, wo] : [c, ho, wo] };
}

/** Max over each kernel window (F.max_pool2d); padding counts as -inf. */
export function maxPool2d(input: Tensor, kernelSize: Pair, opts: MaxPoolOptions = {}): Tensor {
  const k = pair(kernelSize);
  const { cols, out } = windows('max_pool2d', input, k, pair(opts.stride ?? k), pair(opts.padding ?? 0), pair(opts.dilation ?? 1), -Infinity);
  // max(0) routes each window's gradient to one winning tap (the first, on ties), as
  // PyTorch's max_pool2d does; amax would split it between equal values.
  return cols.max(0).values.reshape(out);
}

/** Mean over each kernel window (F.avg_pool2d); padding counts as zeros. */
export function avgPool2d(input: Tensor, kernelSize: Pair, opts: AvgPoolOptions = {}): Tensor {
  const k = pair(kernelSize), p = pair(opts.padding ?? 0), s = pair(opts.stride ?? k);
  const { cols, out } = windows('avg_pool2d', input, k, s, p, [1, 1], 0);
  if (opts.countIncludePad === false && (p[0] || p[1])) {
    // Divide each window's sum by the number of real (unpadded) inputs in it: the same
    // windows over a padded plane of ones count them.
    const [h, w] = input.shape.slice(-2);
    const counts = windows('avg_pool2d', ones([1, 1, h, w], { dtype: input.dtype }), k, s, p, [1, 1], 0).cols.sum(0);
    return cols.sum(0).view(-1, counts.numel()).div(counts).reshape(out);
  }
  return cols.mean(0).reshape(out);
}

const reprPair = (v: Pair) => (typeof v === 'number' ? String(v) : `(${v[0]}, ${v[1]})`);

/** nn.MaxPool2d: F.maxPool2d with fixed options. */
export class MaxPool2d extends Module {
  readonly kernelSize: Pair;
  readonly stride: Pair;
  readonly padding: Pair;
  readonly dilation: Pair;
  constructor(kernelSize: Pair, opts: MaxPoolOptions = {}) {
    super();
    this.kernelSize = kernelSize;
    this.stride = opts.stride ?? kernelSize;
    this.padding = opts.padding ?? 0;
    this.dilation = opts.dilation ?? 1;
  }
  forward(input: Tensor): Tensor {
    return maxPool2d(input, this.kernelSize, { stride: this.stride, padding: this.padding, dilation: this.dilation });
  }
  extraRepr(): string {
    return `kernel_size=${reprPair(this.kernelSize)}, stride=${reprPair(this.stride)}, padding=${reprPair(this.padding)}, dilation=${reprPair(this.dilation)}, ceil_mode=False`;
  }
}

/** nn.AvgPool2d: F.avgPool2d with fixed options. */
export class AvgPool2d extends Module {
  readonly kernelSize: Pair;
  readonly stride: Pair;
  readonly padding: Pair;
  readonly countIncludePad: boolean;
  constructor(kernelSize: Pair, opts: AvgPoolOptions = {}) {
    super();
    this.kernelSize = kernelSize;
    this.stride = opts.stride ?? kernelSize;
    this.padding = opts.padding ?? 0;
    this.countIncludePad = opts.countIncludePad ?? true;
  }
  forward(input: Tensor): Tensor {
    return avgPool2d(input, this.kernelSize, { stride: this.stride, padding: this.padding, countIncludePad: this.countIncludePad });
  }
  extraRepr(): string {
    return `kernel_size=${reprPair(this.kernelSize)}, stride=${reprPair(this.stride)}, padding=${reprPair(this.padding)}`;
  }
}
