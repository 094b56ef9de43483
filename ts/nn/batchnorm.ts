// nn.BatchNorm1d / BatchNorm2d and F.batchNorm: normalise each channel (dim 1) by the
// batch's statistics while training, updating running estimates; by the running estimates
// in eval mode. As PyTorch: the batch variance used to normalise is biased, the one folded
// into running_var unbiased; momentum null means a cumulative average.
import { Tensor } from '../tensor';
import { ones, zeros, tensor } from '../creation';
import { noGrad } from '../grad_mode';
import { DType } from '../dtype';
import { typeName } from '../errors';
import { Module } from './module';
import { Parameter } from './parameter';
import { pyFloat } from './pyrepr';

export interface BatchNormFunctionalOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  training?: boolean;
  momentum?: number;
  eps?: number;
}

/** Shape [1, C, 1, ...] that broadcasts a per-channel vector against input. */
function channelShape(input: Tensor): number[] {
  return input.shape.map((d, i) => (i === 1 ? d : 1));
}

/**
 * Batch normalisation over dim 1 (F.batch_norm). runningMean / runningVar may be null; when
 * training they are updated in place with `momentum`.
 */
export function batchNorm(input: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, opts: BatchNormFunctionalOptions = {}): Tensor {
  if (!(input instanceof Tensor)) throw new TypeError(`batch_norm(): argument 'input' must be Tensor, not ${typeName(input)}`);
  const { weight = null, bias = null, training = false, momentum = 0.1, eps = 1e-5 } = opts;
  if (input.dim() < 2) throw new Error(`batch_norm(): expected input with at least 2 dims, got ${input.dim()}`);
  const C = input.shape[1];
  const dims = input.shape.map((_, i) => i).filter((i) => i !== 1);
  const cs = channelShape(input);
  let mean: Tensor, variance: Tensor;
  if (training) {
    const count = input.numel() / C;
    if (count <= 1) throw new Error(`Expected more than 1 value per channel when training, got input size torch.Size([${input.shape.join(', ')}])`);
    mean = input.mean(dims);
    variance = input.sub(mean.view(cs)).square().mean(dims); // biased
    if (runningMean || runningVar) {
      noGrad(() => {
        if (runningMean) runningMean.mul_(1 - momentum).add_(mean.detach(), { alpha: momentum });
        if (runningVar) runningVar.mul_(1 - momentum).add_(variance.detach().mul(count / (count - 1)), { alpha: momentum });
      });
    }
  } else {
    if (!runningMean || !runningVar) throw new Error('running_mean and running_var must be defined in evaluation mode');
    mean = runningMean;
    variance = runningVar;
  }
  if (mean.shape[0] !== C) throw new Error(`running_mean should contain ${C} elements not ${mean.shape[0]}`);
  let y = input.sub(mean.view(cs)).mul(variance.add(eps).rsqrt().view(cs));
  if (weight) y = y.mul(weight.view(cs));
  if (bias) y = y.add(bias.view(cs));
  return y;
}

export interface BatchNormOptions {
  eps?: number;
  /** null: a cumulative moving average (1 / batches seen). */
  momentum?: number | null;
  affine?: boolean;
  trackRunningStats?: boolean;
  dtype?: DType;
}

abstract class BatchNormBase extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  weight: Parameter | null;
  bias: Parameter | null;
  // The buffers live under PyTorch's names (running_mean, ...) so that stateDict() keys
  // match; these getters are the camelCase spellings.
  get runningMean(): Tensor | null {
    return (this as any).running_mean;
  }
  get runningVar(): Tensor | null {
    return (this as any).running_var;
  }
  get numBatchesTracked(): Tensor | null {
    return (this as any).num_batches_tracked;
  }

  constructor(numFeatures: number, opts: BatchNormOptions = {}) {
    super();
    this.numFeatures = numFeatures;
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
    this.affine = opts.affine ?? true;
    this.trackRunningStats = opts.trackRunningStats ?? true;
    const dtype = opts.dtype ?? 'float32';
    this.weight = this.affine ? new Parameter(ones([numFeatures], { dtype })) : null;
    this.bias = this.affine ? new Parameter(zeros([numFeatures], { dtype })) : null;
    if (this.trackRunningStats) {
      // PyTorch's buffer names, so state dict keys match: running_mean, running_var, num_batches_tracked.
      this.registerBuffer('running_mean', zeros([numFeatures], { dtype }));
      this.registerBuffer('running_var', ones([numFeatures], { dtype }));
      this.registerBuffer('num_batches_tracked', tensor(0, { dtype: 'int64' }));
    } else {
      this.registerBuffer('running_mean', null);
      this.registerBuffer('running_var', null);
      this.registerBuffer('num_batches_tracked', null);
    }
  }

  protected abstract checkInputDim(input: Tensor): void;

  /** Resets the running estimates to mean 0, variance 1, no batches seen. */
  resetRunningStats(): void {
    const self = this as any;
    if (!this.trackRunningStats) return;
    noGrad(() => {
      self.running_mean.zero_();
      self.running_var.fill_(1);
      self.num_batches_tracked.zero_();
    });
  }

  forward(input: Tensor): Tensor {
    this.checkInputDim(input);
    const self = this as any;
    let factor = this.momentum ?? 0;
    if (this.training && this.trackRunningStats && self.num_batches_tracked) {
      noGrad(() => self.num_batches_tracked.add_(1));
      if (this.momentum === null) factor = 1 / (self.num_batches_tracked.item() as number);
    }
    // Batch statistics while training (or when no running estimates are kept).
    const useBatch = this.training || !this.trackRunningStats;
    const track = !this.training || this.trackRunningStats;
    return batchNorm(input, track ? self.running_mean : null, track ? self.running_var : null, {
      weight: this.weight, bias: this.bias, training: useBatch, momentum: factor, eps: this.eps,
    });
  }

  extraRepr(): string {
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${this.momentum === null ? 'None' : pyFloat(this.momentum)}, affine=${this.affine ? 'True' : 'False'}, track_running_stats=${this.trackRunningStats ? 'True' : 'False'}`;
  }
}

/** Batch normalisation of (N, C) or (N, C, L) inputs. */
export class BatchNorm1d extends BatchNormBase {
  protected checkInputDim(input: Tensor): void {
    if (input.dim() !== 2 && input.dim() !== 3) throw new Error(`expected 2D or 3D input (got ${input.dim()}D input)`);
  }
}

/** Batch normalisation of (N, C, H, W) inputs. */
export class BatchNorm2d extends BatchNormBase {
  protected checkInputDim(input: Tensor): void {
    if (input.dim() !== 4) throw new Error(`expected 4D input (got ${input.dim()}D input)`);
  }
}
