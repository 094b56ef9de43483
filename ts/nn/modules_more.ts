// Modules over functional_more.ts: Softplus, ELU, SmoothL1Loss, HuberLoss.
import { Tensor } from '../tensor';
import { Module } from './module';
import { Reduction } from './checks';
import * as F from './functional_more';
import { pyFloat } from './pyrepr';

export class Softplus extends Module {
  readonly beta: number;
  readonly threshold: number;
  constructor(beta = 1, threshold = 20) {
    super();
    this.beta = beta;
    this.threshold = threshold;
  }
  forward(input: Tensor): Tensor {
    return F.softplus(input, this.beta, this.threshold);
  }
  extraRepr(): string {
    return `beta=${this.beta}, threshold=${this.threshold}`;
  }
}

export class ELU extends Module {
  readonly alpha: number;
  constructor(alpha = 1.0) {
    super();
    this.alpha = alpha;
  }
  forward(input: Tensor): Tensor {
    return F.elu(input, this.alpha);
  }
  extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}`;
  }
}

export class SmoothL1Loss extends Module {
  readonly reduction: Reduction;
  readonly beta: number;
  constructor(opts: F.SmoothL1Options = {}) {
    super();
    this.reduction = opts.reduction ?? 'mean';
    this.beta = opts.beta ?? 1.0;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
}

export class HuberLoss extends Module {
  readonly reduction: Reduction;
  readonly delta: number;
  constructor(opts: F.HuberOptions = {}) {
    super();
    this.reduction = opts.reduction ?? 'mean';
    this.delta = opts.delta ?? 1.0;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.huberLoss(input, target, { reduction: this.reduction, delta: this.delta });
  }
}
