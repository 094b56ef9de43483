// Activation modules: thin wrappers over nn.functional.
import { Tensor } from '../tensor';
import { Module } from './module';
import * as F from './functional';

/** `max(x, 0)` element-wise (torch.nn.ReLU). */
export class ReLU extends Module {
  forward(input: Tensor): Tensor {
    return F.relu(input);
  }
}

/** `1 / (1 + exp(-x))` element-wise (torch.nn.Sigmoid). */
export class Sigmoid extends Module {
  forward(input: Tensor): Tensor {
    return F.sigmoid(input);
  }
}

/** Hyperbolic tangent element-wise (torch.nn.Tanh). */
export class Tanh extends Module {
  forward(input: Tensor): Tensor {
    return F.tanh(input);
  }
}

/** The Gaussian error linear unit, exact or `new GELU('tanh')` (torch.nn.GELU). */
export class GELU extends Module {
  readonly approximate: 'none' | 'tanh';
  constructor(opts: { approximate?: 'none' | 'tanh' } | 'none' | 'tanh' = {}) {
    super();
    this.approximate = typeof opts === 'string' ? opts : opts.approximate ?? 'none';
  }
  forward(input: Tensor): Tensor {
    return F.gelu(input, this.approximate);
  }
  extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

/** `x * sigmoid(x)` element-wise (torch.nn.SiLU). */
export class SiLU extends Module {
  forward(input: Tensor): Tensor {
    return F.silu(input);
  }
}

/** `x` where positive, `negativeSlope * x` elsewhere (torch.nn.LeakyReLU). */
export class LeakyReLU extends Module {
  readonly negativeSlope: number;
  constructor(negativeSlope = 0.01) {
    super();
    this.negativeSlope = negativeSlope;
  }
  forward(input: Tensor): Tensor {
    return F.leakyRelu(input, this.negativeSlope);
  }
  extraRepr(): string {
    return `negative_slope=${this.negativeSlope}`;
  }
}

/** Softmax along `dim` (torch.nn.Softmax). */
export class Softmax extends Module {
  readonly dim: number;
  constructor(dim: number) {
    super();
    this.dim = dim;
  }
  forward(input: Tensor): Tensor {
    return F.softmax(input, this.dim);
  }
  extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/** Log-softmax along `dim` (torch.nn.LogSoftmax). */
export class LogSoftmax extends Module {
  readonly dim: number;
  constructor(dim: number) {
    super();
    this.dim = dim;
  }
  forward(input: Tensor): Tensor {
    return F.logSoftmax(input, this.dim);
  }
  extraRepr(): string {
    return `dim=${this.dim}`;
  }
}
