// tensorgrad: PyTorch's autograd for Node.js. The package's public surface.
export { Tensor, GradFn } from './tensor';
import './tensor_extra';  // more Tensor methods (rounding, sorting, flip, scatter, ...)
export type { SortOptions } from './tensor_extra';
export type { TensorLike, Scalar, IndexItem, BackwardOptions } from './tensor';
export * from './dtype';
export * from './creation';
export * from './functional';
export { noGrad, enableGrad, setGradEnabled, isGradEnabled } from './grad_mode';
export { tidy } from './scope';
export { Generator, getRngState, setRngState } from './generator';
export type { RandomOptions } from './creation';
/** torch.utils: data loading (Dataset, TensorDataset, DataLoader, randomSplit). */
export * as utils from './utils/index';
/** torch.autograd: grad, backward, gradcheck, custom Functions, graph drawing and anomaly detection. */
export * as autograd from './autograd';
import { N } from './native';

/**
 * Live native tensors and the bytes they hold, on this thread. Collected tensors are freed
 * inside the GC that collects them, so after a GC the counts are exact.
 */
export function memory(): {
  /** Tensors alive (not disposed or collected). */
  tensors: number;
  /** Bytes of tensor storage alive. */
  bytes: number;
  /** Storages alive (views share one). */
  storages: number;
  /** Bytes of freed large blocks kept for reuse (see emptyCache). */
  cached: number;
} {
  const m = N.memory();
  return { tensors: m.tensors, bytes: m.bytes, storages: m.storages, cached: m.cached };
}

/** Returns the cached large blocks (see memory().cached) to the system, as torch.cuda.empty_cache does. */
export function emptyCache(): void {
  N.emptyCache();
}

/** Sets the size of the native thread pool; 1 runs every kernel on the calling thread. */
export function setNumThreads(n: number): void {
  N.setNumThreads(n);
}
/** The size of the native thread pool (default: the number of cores). */
export function getNumThreads(): number {
  return N.getNumThreads();
}
/** torch.func: functional transforms (grad, vjp, jvp, ...). */
export * as func from './func';
export { profile } from './profile';
export type { Profile, ProfiledOp } from './profile';
export { isAnomalyEnabled } from './anomaly';

// Training: modules and losses, optimizers, and safetensors files.
/** torch.nn: modules, losses, initialisers and the functional forms, with PyTorch's parameter names. */
export * as nn from './nn';
/** torch.optim: SGD, Adam, AdamW and learning-rate schedulers. */
export * as optim from './optim';
export { save, load } from './io/safetensors';
/** Reading and writing the safetensors format (what save and load use). */
export * as safetensors from './io/safetensors';
