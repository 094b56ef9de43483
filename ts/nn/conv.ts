// nn.Conv2d: 2-D convolution over (N, C, H, W) inputs (see functional.conv2d for how).
import { Tensor } from '../tensor';
import { empty } from '../creation';
import { DType } from '../dtype';
import { expectInt } from '../errors';
import { Module } from './module';
import { Parameter } from './parameter';
import * as init from './init';
import * as F from './functional';

/** Options of {@link Conv2d}. */
export interface Conv2dOptions {
  /** The step of the kernel (default 1). */
  stride?: number | [number, number];
  /** Zero padding on each side, or 'valid' (none) / 'same' (output size = input size). */
  padding?: number | [number, number] | 'valid' | 'same';
  /** Spacing between kernel elements (default 1). */
  dilation?: number | [number, number];
  /** Split the channels into this many independent groups (default 1). */
  groups?: number;
  /** Whether to learn an additive bias (default true). */
  bias?: boolean;
  /** The dtype of the parameters (default float32). */
  dtype?: DType;
}

const pair = (v: number | [number, number]): [number, number] => (typeof v === 'number' ? [v, v] : [v[0], v[1]]);

/** 2-D convolution over (N, C, H, W) inputs (torch.nn.Conv2d): `new nn.Conv2d(inChannels, outChannels, kernelSize, opts?)`. */
export class Conv2d extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number] | 'valid' | 'same';
  readonly dilation: [number, number];
  readonly groups: number;
  /** (out_channels, in_channels / groups, kH, kW) */
  weight: Parameter;
  bias: Parameter | null;

  constructor(inChannels: number, outChannels: number, kernelSize: number | [number, number], opts: Conv2dOptions = {}) {
    super();
    this.inChannels = expectInt(inChannels, 'in_channels');
    this.outChannels = expectInt(outChannels, 'out_channels');
    this.kernelSize = pair(kernelSize);
    this.stride = pair(opts.stride ?? 1);
    const p = opts.padding ?? 0;
    this.padding = typeof p === 'string' ? p : pair(p);
    if (typeof p === 'string' && p !== 'valid' && p !== 'same')
      throw new Error(`Invalid padding string '${p}', should be one of {'valid', 'same'}`);
    this.dilation = pair(opts.dilation ?? 1);
    this.groups = opts.groups ?? 1;
    if (this.groups <= 0) throw new Error('groups must be a positive integer');
    if (inChannels % this.groups !== 0) throw new Error('in_channels must be divisible by groups');
    if (outChannels % this.groups !== 0) throw new Error('out_channels must be divisible by groups');
    const dtype = opts.dtype ?? 'float32';
    this.weight = new Parameter(empty([outChannels, inChannels / this.groups, ...this.kernelSize], { dtype }));
    this.bias = opts.bias === false ? null : new Parameter(empty([outChannels], { dtype }));
    this.resetParameters();
  }

  /** PyTorch's default, as for Linear: kaiming_uniform(a = √5), bias U(±1/√fan_in). */
  resetParameters(): void {
    init.kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const [fanIn] = init.calculateFanInAndFanOut(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      init.uniform_(this.bias, -bound, bound);
    }
  }

  forward(input: Tensor): Tensor {
    return F.conv2d(input, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
  }

  extraRepr(): string {
    const t = (v: [number, number]) => `(${v[0]}, ${v[1]})`;
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${t(this.kernelSize)}, stride=${t(this.stride)}`;
    if (typeof this.padding === 'string') s += `, padding=${this.padding}`;
    else if (this.padding[0] !== 0 || this.padding[1] !== 0) s += `, padding=${t(this.padding)}`;
    if (this.dilation[0] !== 1 || this.dilation[1] !== 1) s += `, dilation=${t(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (!this.bias) s += ', bias=False';
    return s;
  }
}
