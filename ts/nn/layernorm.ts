// nn.LayerNorm: normalises over the trailing normalized_shape dims, with a learned
// elementwise scale (ones) and shift (zeros).
import { Tensor } from '../tensor';
import { ones, zeros } from '../creation';
import { DType } from '../dtype';
import { Module } from './module';
import { Parameter } from './parameter';
import * as F from './functional';
import { pyFloat } from './pyrepr';

/** Options of {@link LayerNorm}. */
export interface LayerNormOptions {
  /** Added to the variance for stability (default 1e-5). */
  eps?: number;
  /** Whether to learn a scale (weight) and shift (bias) (default true). */
  elementwiseAffine?: boolean;
  /** The dtype of the parameters (default float32). */
  dtype?: DType;
}

/** Normalises over the trailing `normalizedShape` dims, then scales and shifts (torch.nn.LayerNorm). */
export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(normalizedShape: number | number[], opts: LayerNormOptions = {}) {
    super();
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    this.eps = opts.eps ?? 1e-5;
    this.elementwiseAffine = opts.elementwiseAffine ?? true;
    const dtype = opts.dtype ?? 'float32';
    this.weight = this.elementwiseAffine ? new Parameter(ones(this.normalizedShape, { dtype })) : null;
    this.bias = this.elementwiseAffine ? new Parameter(zeros(this.normalizedShape, { dtype })) : null;
  }

  forward(input: Tensor): Tensor {
    return F.layerNorm(input, this.normalizedShape, this.weight, this.bias, this.eps);
  }

  extraRepr(): string {
    return `(${this.normalizedShape.join(', ')}${this.normalizedShape.length === 1 ? ',' : ''}), eps=${pyFloat(this.eps)}, elementwise_affine=${this.elementwiseAffine ? 'True' : 'False'}`;
  }
}
