/// <reference lib="esnext.disposable" preserve="true" />
// Tensor hooks' handles, and the warning PyTorch gives when reading a non-leaf's .grad.
import { N } from './native';

/** Returned by registerHook(): remove() unregisters the hook (also `using h = ...`). */
export class RemovableHandle {
  /** The hook's id in the native tensor (internal). */
  id = -1;
  /** Set by remove(): the hook stays inert even where the native side still holds it. */
  removed = false;
  // Weak, so that a handle kept around does not keep its tensor (and graph) alive.
  private readonly target: WeakRef<{ _id: number }>;

  constructor(tensor: { _id: number }) {
    this.target = new WeakRef(tensor);
  }

  /** Unregisters the hook; calling it again does nothing. */
  remove(): void {
    if (this.removed) return;
    this.removed = true;
    const t = this.target.deref();
    if (t && t._id >= 0) N.removeHook(t._id, this.id);
  }

  [Symbol.dispose](): void {
    this.remove();
  }
}

let warnedNonLeafGrad = false;

/** PyTorch's UserWarning for reading .grad of a non-leaf that does not retain it (once). */
export function warnNonLeafGrad(): void {
  if (warnedNonLeafGrad) return;
  warnedNonLeafGrad = true;
  process.emitWarning(
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute won't be " +
      'populated during autograd.backward(). If you indeed want the .grad field to be populated for a non-leaf ' +
      'Tensor, use .retainGrad() on the non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure ' +
      'you access the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 for more informations.',
    'UserWarning',
  );
}
