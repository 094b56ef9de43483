// nn.init: PyTorch's initialisers (torch/nn/init.py). Each fills a tensor in place under
// noGrad and returns it. The formulas, defaults and random streams are PyTorch's: after the
// same manualSeed, a model's initial weights are PyTorch's, value for value.
import { Tensor } from '../tensor';
import { noGrad } from '../grad_mode';
import { typeName } from '../errors';

type Mode = 'fan_in' | 'fan_out';
type Nonlinearity =
  | 'linear' | 'conv1d' | 'conv2d' | 'conv3d' | 'conv_transpose1d' | 'conv_transpose2d' | 'conv_transpose3d'
  | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu';

function target(t: unknown, fn: string): Tensor {
  if (!(t instanceof Tensor)) throw new TypeError(`${fn}(): argument 'tensor' must be Tensor, not ${typeName(t)}`);
  return t;
}


/** The recommended gain for a nonlinearity (PyTorch's calculate_gain). */
export function calculateGain(nonlinearity: Nonlinearity | string, param?: number | null): number {
  const linear = ['linear', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d'];
  if (linear.includes(nonlinearity) || nonlinearity === 'sigmoid') return 1;
  if (nonlinearity === 'tanh') return 5.0 / 3;
  if (nonlinearity === 'relu') return Math.sqrt(2.0);
  if (nonlinearity === 'leaky_relu') {
    let slope: number;
    if (param === undefined || param === null) slope = 0.01;
    else if (typeof param === 'number') slope = param;
    else throw new TypeError(`negative_slope ${String(param)} not a valid number`);
    return Math.sqrt(2.0 / (1 + slope ** 2));
  }
  if (nonlinearity === 'selu') return 3.0 / 4;
  throw new Error(`Unsupported nonlinearity ${nonlinearity}`);
}

/** [fanIn, fanOut] of a weight: size(1) and size(0) times the receptive field. */
export function calculateFanInAndFanOut(t: Tensor): [number, number] {
  const shape = t.shape;
  if (shape.length < 2) throw new Error('Fan in and fan out can not be computed for tensor with fewer than 2 dimensions');
  let receptive = 1;
  for (let i = 2; i < shape.length; i++) receptive *= shape[i];
  return [shape[1] * receptive, shape[0] * receptive];
}

function correctFan(t: Tensor, mode: string): number {
  if (mode !== 'fan_in' && mode !== 'fan_out') throw new Error(`Mode ${mode} not supported, please use one of ['fan_in', 'fan_out']`);
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  return mode === 'fan_in' ? fanIn : fanOut;
}

export function uniform_(tensor: Tensor, a = 0, b = 1): Tensor {
  const t = target(tensor, 'uniform_');
  return noGrad(() => t.uniform_(a, b));
}

export function normal_(tensor: Tensor, mean = 0, std = 1): Tensor {
  const t = target(tensor, 'normal_');
  return noGrad(() => t.normal_(mean, std));
}

export function constant_(tensor: Tensor, val: number): Tensor {
  const t = target(tensor, 'constant_');
  noGrad(() => t.fill_(val));
  return t;
}
export function zeros_(tensor: Tensor): Tensor {
  return constant_(tensor, 0);
}
export function ones_(tensor: Tensor): Tensor {
  return constant_(tensor, 1);
}

/** xavierUniform_(t, gain = 1): U(-a, a) with a = gain * sqrt(6 / (fanIn + fanOut)). */
export function xavierUniform_(tensor: Tensor, gain = 1): Tensor {
  const t = target(tensor, 'xavier_uniform_');
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  const std = gain * Math.sqrt(2.0 / (fanIn + fanOut));
  const a = Math.sqrt(3.0) * std;
  return uniform_(t, -a, a);
}

/** xavierNormal_(t, gain = 1): N(0, std²) with std = gain * sqrt(2 / (fanIn + fanOut)). */
export function xavierNormal_(tensor: Tensor, gain = 1): Tensor {
  const t = target(tensor, 'xavier_normal_');
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  return normal_(t, 0, gain * Math.sqrt(2.0 / (fanIn + fanOut)));
}

export interface KaimingOptions {
  a?: number;
  mode?: Mode;
  nonlinearity?: Nonlinearity;
}

// kaiming*_(t, a?, mode?, nonlinearity?) positionally as in PyTorch, or kaiming*_(t, { a, mode, nonlinearity }).
function kaimingArgs(a: number | KaimingOptions | undefined, mode?: Mode, nonlinearity?: Nonlinearity): Required<KaimingOptions> {
  if (typeof a === 'object' && a !== null) return { a: a.a ?? 0, mode: a.mode ?? 'fan_in', nonlinearity: a.nonlinearity ?? 'leaky_relu' };
  return { a: a ?? 0, mode: mode ?? 'fan_in', nonlinearity: nonlinearity ?? 'leaky_relu' };
}

/** He initialisation, uniform: U(-b, b) with b = gain * sqrt(3 / fan). Linear uses a = sqrt(5). */
export function kaimingUniform_(tensor: Tensor, a?: number | KaimingOptions, mode?: Mode, nonlinearity?: Nonlinearity): Tensor {
  const t = target(tensor, 'kaiming_uniform_');
  const o = kaimingArgs(a, mode, nonlinearity);
  if (t.numel() === 0) return t;
  const fan = correctFan(t, o.mode);
  const std = calculateGain(o.nonlinearity, o.a) / Math.sqrt(fan);
  const bound = Math.sqrt(3.0) * std;
  return uniform_(t, -bound, bound);
}

/** He initialisation, normal: N(0, std²) with std = gain / sqrt(fan). */
export function kaimingNormal_(tensor: Tensor, a?: number | KaimingOptions, mode?: Mode, nonlinearity?: Nonlinearity): Tensor {
  const t = target(tensor, 'kaiming_normal_');
  const o = kaimingArgs(a, mode, nonlinearity);
  if (t.numel() === 0) return t;
  const fan = correctFan(t, o.mode);
  return normal_(t, 0, calculateGain(o.nonlinearity, o.a) / Math.sqrt(fan));
}
