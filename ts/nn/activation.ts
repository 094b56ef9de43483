// Activation modules: thin wrappers over nn.functional.
import { Tensor } from '../tensor';
import { Module } from './module';
import * as F from './functional';

export class ReLU extends Module {
  forward(input: Tensor): Tensor {
    return F.relu(input);
  }
}

export class Sigmoid extends Module {
  forward(input: Tensor): Tensor {
    return F.sigmoid(input);
  }
}

export class Tanh extends Module {
  forward(input: Tensor): Tensor {
    return F.tanh(input);
  }
}

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

export class SiLU extends Module {
  forward(input: Tensor): Tensor {
    return F.silu(input);
  }
}

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
