// nn.functional: the stateless forms of the layers and losses (torch.nn.functional).
//
// Everything here is a composite of tensor ops, so autograd differentiates it without
// entries of its own in the derivative table. Where PyTorch's formula is chosen for
// numerical reasons (log-sum-exp in cross entropy, the max trick in BCE with logits),
// the same formula is used here so values and gradients agree at the edges too.
import { N } from '../native';
import { Tensor, where } from '../tensor';
import { arange, full } from '../creation';
import { cat } from '../functional';
import { ColGeometry, Im2Col } from './im2col';
import { typeName } from '../errors';
import { Reduction, tensorArg, checkReduction, reduce } from './checks';

export type { Reduction } from './checks';

// ------------------------------------------------------------------ activations

export const relu = (input: Tensor): Tensor => tensorArg(input, 'relu', 'input').relu();
export const sigmoid = (input: Tensor): Tensor => tensorArg(input, 'sigmoid', 'input').sigmoid();
export const tanh = (input: Tensor): Tensor => tensorArg(input, 'tanh', 'input').tanh();

/** gelu(x, 'none' | 'tanh') or gelu(x, { approximate }). */
export function gelu(input: Tensor, approximate: 'none' | 'tanh' | { approximate?: 'none' | 'tanh' } = 'none'): Tensor {
  const a = typeof approximate === 'object' ? approximate.approximate ?? 'none' : approximate;
  if (a !== 'none' && a !== 'tanh') throw new Error(`approximate argument must be either none or tanh.`);
  return tensorArg(input, 'gelu', 'input').gelu(a);
}

/** x * sigmoid(x). */
export function silu(input: Tensor): Tensor {
  const x = tensorArg(input, 'silu', 'input');
  return x.mul(x.sigmoid());
}

/** x where x > 0, negativeSlope * x elsewhere (the gradient at 0 is negativeSlope, as PyTorch's). */
export function leakyRelu(input: Tensor, negativeSlope = 0.01): Tensor {
  const x = tensorArg(input, 'leaky_relu', 'input');
  return where(x.gt(0), x, x.mul(negativeSlope));
}

export const softmax = (input: Tensor, dim: number): Tensor => tensorArg(input, 'softmax', 'input').softmax(dim);
export const logSoftmax = (input: Tensor, dim: number): Tensor => tensorArg(input, 'log_softmax', 'input').logSoftmax(dim);

// ------------------------------------------------------------------ dropout

/**
 * Zeroes each element with probability p and scales the rest by 1 / (1 - p) during
 * training; the identity otherwise.
 */
export function dropout(input: Tensor, p = 0.5, training = true): Tensor {
  const x = tensorArg(input, 'dropout', 'input');
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new Error(`dropout probability has to be between 0 and 1, but got ${p}`);
  if (!training || p === 0) return x;
  if (p === 1) return x.mul(0);
  // As ATen's dropout: a 0/1 mask drawn with bernoulli_(1 - p), divided by 1 - p, times the
  // input (so the same seed drops the same elements and scales by the same float).
  const mask = new Tensor();
  mask._id = N.bernoulliMask(mask, x.shape, 1 - p, x.dtype);
  return x.mul(mask.div_(1 - p));
}

// ------------------------------------------------------------------ linear layers

/** input @ weight.T + bias, for input of shape (*, in_features). */
export function linear(input: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  const x = tensorArg(input, 'linear', 'input');
  const w = tensorArg(weight, 'linear', 'weight');
  const y = x.matmul(w.t());
  return bias ? y.add(bias) : y;
}

/** Rows of weight picked by the integer indices in input; shape input.shape + [embedding_dim]. */
export function embedding(input: Tensor, weight: Tensor, paddingIdx: number | null = null): Tensor {
  const idx = tensorArg(input, 'embedding', 'input');
  const w = tensorArg(weight, 'embedding', 'weight');
  if (idx.dtype !== 'int64' && idx.dtype !== 'int32') {
    const name = { float32: 'FloatTensor', float64: 'DoubleTensor', bool: 'BoolTensor' }[idx.dtype as string] ?? idx.dtype;
    throw new Error(`Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got torch.${name} instead (while checking arguments for embedding)`);
  }
  const flatIdx = idx.reshape(-1);
  let out = w.indexSelect(0, flatIdx);
  if (paddingIdx !== null && paddingIdx !== undefined) {
    const pad = paddingIdx < 0 ? paddingIdx + w.shape[0] : paddingIdx;
    // The padding row gets no gradient: its rows pass through detached.
    out = where(flatIdx.ne(pad).unsqueeze(1), out, out.detach());
  }
  return out.reshape([...idx.shape, w.shape[1]]);
}

// ------------------------------------------------------------------ normalisation

/** Normalises over the trailing dims given by normalizedShape, then applies weight and bias. */
export function layerNorm(input: Tensor, normalizedShape: number | number[], weight?: Tensor | null, bias?: Tensor | null, eps = 1e-5): Tensor {
  const x = tensorArg(input, 'layer_norm', 'input');
  const ns = typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape;
  const k = ns.length;
  const shape = x.shape;
  const tail = shape.slice(shape.length - k);
  if (k === 0 || shape.length < k || tail.some((d, i) => d !== ns[i])) {
    throw new Error(`Given normalized_shape=[${ns.join(', ')}], expected input with shape [*, ${ns.join(', ')}], but got input of size[${shape.join(', ')}]`);
  }
  const dims: number[] = [];
  for (let i = 0; i < k; i++) dims.push(shape.length - k + i);
  const centered = x.sub(x.mean(dims, true));
  const variance = centered.square().mean(dims, true);  // biased, as PyTorch's layer_norm
  let y = centered.mul(variance.add(eps).rsqrt());
  if (weight) y = y.mul(weight);
  if (bias) y = y.add(bias);
  return y;
}

// ------------------------------------------------------------------ padding and convolution

/**
 * Constant padding (F.pad): pad lists [before, after] pairs from the last dim backwards,
 * e.g. [left, right, top, bottom]. Negative amounts crop.
 */
export function pad(input: Tensor, padding: number[], mode: 'constant' = 'constant', value = 0): Tensor {
  let x = tensorArg(input, 'pad', 'input');
  if (mode !== 'constant') throw new Error(`Padding mode "${mode}" is not supported; only "constant" is`);
  if (!Array.isArray(padding) || padding.length % 2 !== 0) throw new Error('Padding length must be divisible by 2');
  if (padding.length / 2 > x.ndim) throw new Error('Padding length should be less than or equal to two times the input dimension');
  for (let i = 0; i < padding.length / 2; i++) {
    const dim = x.ndim - 1 - i;
    let before = padding[2 * i], after = padding[2 * i + 1];
    if (before < 0) {
      x = x.narrow(dim, -before, x.shape[dim] + before);
      before = 0;
    }
    if (after < 0) {
      x = x.narrow(dim, 0, x.shape[dim] + after);
      after = 0;
    }
    if (before === 0 && after === 0) continue;
    const parts: Tensor[] = [];
    const side = (n: number) => {
      const s = x.shape.slice();
      s[dim] = n;
      return full(s, value, { dtype: x.dtype });
    };
    if (before > 0) parts.push(side(before));
    parts.push(x);
    if (after > 0) parts.push(side(after));
    x = cat(parts, dim);
  }
  return x;
}

export interface Conv2dOptions {
  stride?: number | [number, number];
  padding?: number | [number, number] | 'valid' | 'same';
  dilation?: number | [number, number];
  groups?: number;
}

function pair(v: number | number[], what: string): [number, number] {
  const p = typeof v === 'number' ? [v, v] : v;
  if (!Array.isArray(p) || p.length !== 2 || !p.every((x) => Number.isInteger(x)))
    throw new TypeError(`conv2d(): argument '${what}' must be an int or a pair of ints`);
  return [p[0], p[1]];
}

/**
 * 2-D convolution (cross-correlation, as PyTorch's) of input (N, C, H, W) or (C, H, W) with
 * weight (O, C / groups, kH, kW).
 *
 * Computed as im2col (one autograd Function, see im2col.ts) and one matmul per group: correct
 * first and reasonably fast for small kernels, not a tuned convolution.
 */
export function conv2d(input: Tensor, weight: Tensor, bias?: Tensor | null, stride: number | [number, number] | Conv2dOptions = 1,
  padding: Conv2dOptions['padding'] = 0, dilation: number | [number, number] = 1, groups = 1): Tensor {
  if (typeof stride === 'object' && !Array.isArray(stride)) {
    const o = stride;
    stride = o.stride ?? 1;
    padding = o.padding ?? 0;
    dilation = o.dilation ?? 1;
    groups = o.groups ?? 1;
  }
  let x = tensorArg(input, 'conv2d', 'input');
  const w = tensorArg(weight, 'conv2d', 'weight');
  if (x.ndim !== 3 && x.ndim !== 4)
    throw new Error(`Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [${x.shape.join(', ')}]`);
  if (w.ndim !== 4) throw new Error(`weight should have at least three dimensions`);
  const unbatched = x.ndim === 3;
  if (unbatched) x = x.unsqueeze(0);
  const [sh, sw] = pair(stride as number | [number, number], 'stride');
  const [dh, dw] = pair(dilation, 'dilation');
  if (sh <= 0 || sw <= 0) throw new Error('non-positive stride is not supported');
  if (!Number.isInteger(groups) || groups <= 0) throw new Error('non-positive groups is not supported');
  const [O, Cg, kh, kw] = w.shape;
  const [Nb, C, H, W] = x.shape;
  if (C !== Cg * groups)
    throw new Error(`Given groups=${groups}, weight of size [${w.shape.join(', ')}], expected input[${x.shape.join(', ')}] to have ${Cg * groups} channels, but got ${C} channels instead`);
  if (O % groups !== 0) throw new Error('out_channels must be divisible by groups');

  let ph: number, pw: number;
  if (padding === 'valid') [ph, pw] = [0, 0];
  else if (padding === 'same') {
    if (sh !== 1 || sw !== 1) throw new Error("padding='same' is not supported for strided convolutions");
    // PyTorch pads the extra odd pixel on the far side.
    const th = dh * (kh - 1), tw = dw * (kw - 1);
    x = pad(x, [tw >> 1, tw - (tw >> 1), th >> 1, th - (th >> 1)]);
    [ph, pw] = [0, 0];
  } else [ph, pw] = pair(padding as number | [number, number], 'padding');
  if (ph < 0 || pw < 0) throw new Error('negative padding is not supported');
  if (ph > 0 || pw > 0) x = pad(x, [pw, pw, ph, ph]);

  const Hp = x.shape[2], Wp = x.shape[3];
  const ekh = dh * (kh - 1) + 1, ekw = dw * (kw - 1) + 1;
  if (Hp < ekh || Wp < ekw)
    throw new Error(`Calculated padded input size per channel: (${Hp} x ${Wp}). Kernel size: (${ekh} x ${ekw}). Kernel size can't be greater than actual input size`);
  const Ho = Math.floor((Hp - ekh) / sh) + 1;
  const Wo = Math.floor((Wp - ekw) / sw) + 1;

  // One column matrix per group (see im2col.ts), then one matmul.
  const geometry: ColGeometry = { kh, kw, sh, sw, dh, dw, ho: Ho, wo: Wo };
  const convGroup = (xg: Tensor, wg: Tensor): Tensor => {
    const cg = xg.shape[1], og = wg.shape[0];
    const cols = Im2Col.apply(xg, geometry);  // (cg * kh * kw, N * Ho * Wo)
    return wg.reshape(og, cg * kh * kw).matmul(cols).reshape(og, Nb, Ho, Wo).transpose(0, 1);  // (N, og, Ho, Wo)
  };
  let y: Tensor;
  if (groups === 1) y = convGroup(x, w);
  else {
    const og = O / groups;
    const parts: Tensor[] = [];
    for (let g = 0; g < groups; g++) parts.push(convGroup(x.narrow(1, g * Cg, Cg), w.narrow(0, g * og, og)));
    y = cat(parts, 1);
  }
  y = bias ? y.add(bias.reshape(1, O, 1, 1)) : y.contiguous();
  return unbatched ? y.squeeze(0) : y;
}

/**
 * Extracts sliding blocks (F.unfold): (N, C, H, W) -> (N, C * kH * kW, L), L the number of
 * block positions, ordered as PyTorch's.
 */
export function unfold(input: Tensor, kernelSize: number | [number, number], opts: { dilation?: number | [number, number]; padding?: number | [number, number]; stride?: number | [number, number] } = {}): Tensor {
  let x = tensorArg(input, 'unfold', 'input');
  if (x.ndim !== 4) throw new Error(`Input Error: Only 4D input Tensors are supported (got ${x.ndim}D)`);
  const [kh, kw] = pair(kernelSize, 'kernel_size');
  const [dh, dw] = pair(opts.dilation ?? 1, 'dilation');
  const [ph, pw] = pair(opts.padding ?? 0, 'padding');
  const [sh, sw] = pair(opts.stride ?? 1, 'stride');
  if (ph > 0 || pw > 0) x = pad(x, [pw, pw, ph, ph]);
  const [n, c, h, w] = x.shape;
  const ho = Math.floor((h - dh * (kh - 1) - 1) / sh) + 1, wo = Math.floor((w - dw * (kw - 1) - 1) / sw) + 1;
  if (ho <= 0 || wo <= 0) throw new Error(`Given input with spatial size (${h - 2 * ph}, ${w - 2 * pw}), kernel_size=(${kh}, ${kw}), dilation=(${dh}, ${dw}), padding=(${ph}, ${pw}), calculated shape of the array of sliding blocks as (${ho}, ${wo}), but its components must be at least one.`);
  const cols = Im2Col.apply(x, { kh, kw, sh, sw, dh, dw, ho, wo });
  return cols.reshape(c * kh * kw, n, ho * wo).permute(1, 0, 2);
}

// ------------------------------------------------------------------ losses

export type { LossOptions } from './checks';
import type { LossOptions } from './checks';

export function mseLoss(input: Tensor, target: Tensor, opts: LossOptions = {}): Tensor {
  const x = tensorArg(input, 'mse_loss', 'input');
  const t = tensorArg(target, 'mse_loss', 'target');
  return reduce(x.sub(t).square(), checkReduction(opts.reduction ?? 'mean'));
}

export function l1Loss(input: Tensor, target: Tensor, opts: LossOptions = {}): Tensor {
  const x = tensorArg(input, 'l1_loss', 'input');
  const t = tensorArg(target, 'l1_loss', 'target');
  return reduce(x.sub(t).abs(), checkReduction(opts.reduction ?? 'mean'));
}

export interface NLLOptions extends LossOptions {
  weight?: Tensor | null;
  ignoreIndex?: number;
}

export interface CrossEntropyOptions extends NLLOptions {
  labelSmoothing?: number;
}

const TORCH_TYPE: Record<string, string> = { float32: 'Float', float64: 'Double', int32: 'Int', int64: 'Long', bool: 'Bool' };

// Checks class-index targets against the input: dtype, batch shape and range.
function checkClassTargets(input: Tensor, target: Tensor, classDim: number, C: number, ignoreIndex: number): void {
  if (target.dtype !== 'int64') throw new Error(`expected scalar type Long but found ${TORCH_TYPE[target.dtype]}`);
  const want = input.shape.filter((_, i) => i !== classDim);
  const got = target.shape;
  if (input.ndim === 1 ? got.length !== 0 : got[0] !== want[0])
    throw new Error(`Expected input batch_size (${want[0] ?? 1}) to match target batch_size (${got.length ? got[0] : 1}).`);
  if (got.length !== want.length || got.some((d, i) => d !== want[i]))
    throw new Error(`Expected target size [${want.join(', ')}], got [${got.join(', ')}]`);
  const values = target.toTypedArray() as BigInt64Array;
  for (let i = 0; i < values.length; i++) {
    const v = Number(values[i]);
    if (v !== ignoreIndex && (v < 0 || v >= C)) throw new Error(`Target ${v} is out of bounds.`);
  }
}

// A shape that puts a length-C vector on the class dim of an input of rank nd.
function classShape(C: number, classDim: number, nd: number): number[] {
  const s = [C];
  for (let i = classDim + 1; i < nd; i++) s.push(1);
  return s;
}

/**
 * The negative log likelihood of class-index targets given log-probabilities, with
 * PyTorch's label smoothing. Targets are picked with a one-hot mask (target == class), so
 * an ignored target simply matches no class; 'mean' divides by the total weight of the
 * targets that count, as PyTorch's nll_loss does.
 */
function nllCore(logp: Tensor, target: Tensor, classDim: number, opts: CrossEntropyOptions): Tensor {
  const reduction = checkReduction(opts.reduction ?? 'mean');
  const ignoreIndex = opts.ignoreIndex ?? -100;
  const eps = opts.labelSmoothing ?? 0;
  const C = logp.shape[classDim];
  checkClassTargets(logp, target, classDim, C, ignoreIndex);
  const valid = target.ne(ignoreIndex);
  const cls = arange(C).reshape(classShape(C, classDim, logp.ndim));
  const onehot = where(valid, target, -1).unsqueeze(classDim).eq(cls);
  const weight = opts.weight ?? null;
  if (weight && (weight.ndim !== 1 || weight.shape[0] !== C))
    throw new Error(`weight tensor should be defined either for all ${C} classes or no classes but got weight tensor of shape: [${weight.shape.join(', ')}]`);
  const wview = weight ? weight.reshape(classShape(C, classDim, logp.ndim)) : null;
  const w = wview ? onehot.mul(wview) : onehot.to(logp.dtype);  // weight of each target, 0 where ignored
  const nll = logp.mul(w).sum(classDim).neg();
  const nllReduced = reduction === 'none' ? nll : reduction === 'sum' ? nll.sum() : nll.sum().div(w.sum());
  if (eps <= 0) return nllReduced;
  let smooth = (wview ? logp.mul(wview) : logp).sum(classDim).neg().mul(valid);
  if (reduction === 'sum') smooth = smooth.sum();
  else if (reduction === 'mean') smooth = smooth.sum().div(wview ? w.sum() : valid.sum());
  return nllReduced.mul(1 - eps).add(smooth.mul(eps / C));
}

/** Negative log likelihood of class indices, given log-probabilities of shape (N, C, ...) or (C). */
export function nllLoss(input: Tensor, target: Tensor, opts: NLLOptions = {}): Tensor {
  const x = tensorArg(input, 'nll_loss', 'input');
  const t = tensorArg(target, 'nll_loss', 'target');
  return nllCore(x, t, x.ndim === 1 ? 0 : 1, { ...opts, labelSmoothing: 0 });
}

/**
 * Cross entropy between logits (N, C, ...) or (C) and either class indices (int64, shape
 * (N, ...)) or class probabilities (the input's shape). Options: weight, ignoreIndex
 * (-100), reduction ('mean'), labelSmoothing (0).
 */
export function crossEntropy(input: Tensor, target: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  const x = tensorArg(input, 'cross_entropy', 'input');
  const t = tensorArg(target, 'cross_entropy', 'target');
  const eps = opts.labelSmoothing ?? 0;
  if (typeof eps !== 'number' || !(eps >= 0 && eps <= 1)) throw new Error(`label_smoothing must be between 0.0 and 1.0. Got: ${eps}`);
  const classDim = x.ndim === 1 ? 0 : 1;
  if (x.ndim === 0) throw new Error('Expected input to have at least 1 dimension, got 0');
  const logp = x.logSoftmax(classDim);
  if (!t.isFloatingPoint()) return nllCore(logp, t, classDim, opts);

  // Class probabilities.
  const reduction = checkReduction(opts.reduction ?? 'mean');
  if (t.shape.length !== x.shape.length || t.shape.some((d, i) => d !== x.shape[i]))
    throw new Error(`Expected target size [${x.shape.join(', ')}], got [${t.shape.join(', ')}]`);
  const C = x.shape[classDim];
  const probs = eps > 0 ? t.mul(1 - eps).add(eps / C) : t;
  let prod = logp.mul(probs);
  if (opts.weight) prod = prod.mul(opts.weight.reshape(classShape(C, classDim, x.ndim)));
  const loss = prod.sum(classDim).neg();
  if (reduction === 'none') return loss;
  if (reduction === 'sum') return loss.sum();
  return loss.sum().div(x.numel() / C);
}

export interface BCEOptions extends LossOptions {
  weight?: Tensor | null;
}
export interface BCEWithLogitsOptions extends BCEOptions {
  posWeight?: Tensor | null;
}

function checkSameSize(input: Tensor, target: Tensor): void {
  const a = input.shape, b = target.shape;
  if (a.length !== b.length || a.some((d, i) => d !== b[i]))
    throw new Error(`Target size (torch.Size([${b.join(', ')}])) must be the same as input size (torch.Size([${a.join(', ')}]))`);
}

/**
 * Binary cross entropy on logits, with PyTorch's formula:
 * (1 - t) x + m + log(exp(-m) + exp(-x - m)), m = max(-x, 0); with posWeight the log term is
 * scaled by 1 + (posWeight - 1) t.
 */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, opts: BCEWithLogitsOptions = {}): Tensor {
  const x = tensorArg(input, 'binary_cross_entropy_with_logits', 'input');
  const t = tensorArg(target, 'binary_cross_entropy_with_logits', 'target');
  const reduction = checkReduction(opts.reduction ?? 'mean');
  checkSameSize(x, t);
  const m = x.neg().clamp(0);
  const logTerm = m.neg().exp().add(x.neg().sub(m).exp()).log().add(m);
  let loss: Tensor;
  if (opts.posWeight) {
    const logWeight = opts.posWeight.sub(1).mul(t).add(1);
    loss = t.rsub(1).mul(x).add(logWeight.mul(logTerm));
  } else {
    loss = t.rsub(1).mul(x).add(logTerm);
  }
  if (opts.weight) loss = loss.mul(opts.weight);
  return reduce(loss, reduction);
}

/** Binary cross entropy on probabilities; each log is clamped at -100, as PyTorch does. */
export function binaryCrossEntropy(input: Tensor, target: Tensor, opts: BCEOptions = {}): Tensor {
  const x = tensorArg(input, 'binary_cross_entropy', 'input');
  const t = tensorArg(target, 'binary_cross_entropy', 'target');
  const reduction = checkReduction(opts.reduction ?? 'mean');
  checkSameSize(x, t);
  let loss = t.mul(x.log().clamp(-100)).add(t.rsub(1).mul(x.rsub(1).log().clamp(-100))).neg();
  if (opts.weight) loss = loss.mul(opts.weight);
  return reduce(loss, reduction);
}

/** One-hot int64 encoding of class indices; numClasses = -1 infers max + 1. */
export function oneHot(input: Tensor, numClasses = -1): Tensor {
  const idx = tensorArg(input, 'one_hot', 'input');
  if (idx.dtype !== 'int64') throw new Error('one_hot is only applicable to index tensor.');
  const values = idx.toTypedArray() as BigInt64Array;
  let max = -1;
  for (let i = 0; i < values.length; i++) {
    const v = Number(values[i]);
    if (v < 0) throw new Error('Class values must be non-negative.');
    if (v > max) max = v;
  }
  const C = numClasses === -1 ? max + 1 : numClasses;
  if (max >= C) throw new Error('Class values must be smaller than num_classes.');
  return idx.unsqueeze(-1).eq(arange(C)).to('int64');
}

export * from './functional_more';
export { batchNorm } from './batchnorm';
export type { BatchNormFunctionalOptions } from './batchnorm';
export { maxPool2d, avgPool2d } from './pooling';
export type { PoolOptions, MaxPoolOptions, AvgPoolOptions } from './pooling';
