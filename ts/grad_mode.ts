/// <reference lib="esnext.disposable" preserve="true" />
// Grad mode: noGrad / enableGrad / setGradEnabled / isGradEnabled.
import { N } from './native';

/** Whether operations are recorded for autograd right now (PyTorch's is_grad_enabled). */
export function isGradEnabled(): boolean {
  return N.isGradEnabled();
}

/**
 * Turns recording on or off for the rest of this thread. Also returns a guard that restores
 * the previous mode when disposed (`using _ = torch.setGradEnabled(false)`), as PyTorch's
 * set_grad_enabled also works as a context manager.
 */
export function setGradEnabled(flag: boolean): GradModeGuard {
  if (typeof flag !== 'boolean') throw new TypeError(`setGradEnabled expects a boolean, but got ${typeof flag}`);
  return withMode(flag);
}

/** A guard that restores the previous mode when disposed (`using _ = torch.noGrad()`). */
export interface GradModeGuard extends Disposable {
  /** Restores the mode that was in force before the guard was made (idempotent). */
  restore(): void;
}

function withMode(on: boolean): GradModeGuard;
function withMode<T>(on: boolean, fn?: () => T): T | GradModeGuard;
function withMode<T>(on: boolean, fn?: () => T): T | GradModeGuard {
  const prev = N.isGradEnabled();
  N.setGradEnabled(on);
  if (fn === undefined) {
    let done = false;
    const restore = () => {
      if (!done) {
        done = true;
        N.setGradEnabled(prev);
      }
    };
    return { restore, [Symbol.dispose]: restore } as GradModeGuard;
  }
  try {
    return fn();
  } finally {
    N.setGradEnabled(prev);
  }
}

/** Runs fn without recording the graph, or returns a guard when called without fn. */
export function noGrad<T>(fn: () => T): T;
export function noGrad(): GradModeGuard;
export function noGrad<T>(fn?: () => T): T | GradModeGuard {
  return withMode(false, fn);
}

/** Runs fn with recording on (inside noGrad), or returns a guard when called without fn. */
export function enableGrad<T>(fn: () => T): T;
export function enableGrad(): GradModeGuard;
export function enableGrad<T>(fn?: () => T): T | GradModeGuard {
  return withMode(true, fn);
}
