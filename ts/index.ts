// tensorgrad: PyTorch's autograd for Node.js. The package's public surface.
export { Tensor, GradFn } from './tensor';
export type { TensorLike, Scalar, IndexItem, BackwardOptions } from './tensor';
export * from './dtype';
export * from './creation';
export * from './functional';
export { noGrad, enableGrad, setGradEnabled, isGradEnabled } from './grad_mode';
export { tidy } from './scope';
export * as autograd from './autograd';
import { N } from './native';

/**
 * Live native tensors (JS handles not yet disposed or collected), the storages behind them
 * (views share one) and their bytes, on this thread. Tensors already garbage-collected are
 * freed first, so after a GC the counts are exact.
 */
export function memory(): { tensors: number; bytes: number; storages: number } {
  const m = N.memory();
  return { tensors: m.tensors, bytes: m.bytes, storages: m.storages };
}

export function setNumThreads(n: number): void {
  N.setNumThreads(n);
}
export function getNumThreads(): number {
  return N.getNumThreads();
}
export * as func from './func';
export { profile } from './profile';
export type { Profile, ProfiledOp } from './profile';
export { isAnomalyEnabled } from './anomaly';

// Training: modules and losses, optimizers, and safetensors files.
export * as nn from './nn';
export * as optim from './optim';
export { save, load } from './io/safetensors';
export * as safetensors from './io/safetensors';
