// nn.Linear (y = x Wᵀ + b) and nn.Identity.
import { Tensor } from '../tensor';
import { empty } from '../creation';
import { DType } from '../dtype';
import { expectInt } from '../errors';
import { Module } from './module';
import { Parameter } from './parameter';
import * as init from './init';
import * as F from './functional';

/** Options of {@link Linear}. */
export interface LinearOptions {
  /** Whether to learn an additive bias (default true). */
  bias?: boolean;
  /** The dtype of the parameters (default float32). */
  dtype?: DType;
}

/** `y = x Wᵀ + b` (torch.nn.Linear): `new nn.Linear(inFeatures, outFeatures, { bias? })`, initialised as PyTorch does (Kaiming uniform). */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** (out_features, in_features) */
  weight: Parameter;
  /** (out_features), or null when made with bias: false */
  bias: Parameter | null;

  constructor(inFeatures: number, outFeatures: number, opts: LinearOptions = {}) {
    super();
    this.inFeatures = expectInt(inFeatures, 'in_features');
    this.outFeatures = expectInt(outFeatures, 'out_features');
    const dtype = opts.dtype ?? 'float32';
    this.weight = new Parameter(empty([outFeatures, inFeatures], { dtype }));
    this.bias = opts.bias === false ? null : new Parameter(empty([outFeatures], { dtype }));
    this.resetParameters();
  }

  /** PyTorch's default: kaiming_uniform(a = √5) for the weight, U(±1/√fan_in) for the bias. */
  resetParameters(): void {
    init.kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const fanIn = this.inFeatures;
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      init.uniform_(this.bias, -bound, bound);
    }
  }

  forward(input: Tensor): Tensor {
    return F.linear(input, this.weight, this.bias);
  }

  extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${this.bias ? 'True' : 'False'}`;
  }
}

/** Returns its input. */
export class Identity extends Module {
  forward(input: Tensor): Tensor {
    return input;
  }
}
