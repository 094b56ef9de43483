// Anomaly detection: torch.autograd.setDetectAnomaly(true) and detectAnomaly(fn).
//
// While it is on, every native entry point that hands back a tensor is wrapped so that the
// JS stack of the call is stored on the tensor's grad_fn (N.setNodeTrace); the engine then
// checks each node's output gradients for NaN and appends that stack to any error raised
// while the node runs (native/autograd/engine.cc). While it is off nothing is wrapped, so
// normal mode pays nothing.
import { N } from './native';
import { Tensor } from './tensor';

// Native functions that never make a graph node worth tracing.
const SKIP = new Set(['setNodeTrace', 'setDetectAnomaly', 'isAnomalyEnabled', 'takeError', 'errorSentinel', 'grad', 'gradFn', 'nodeVariable']);
// Native functions returning arrays of numbers that are not tensor slots.
const NOT_SLOTS = new Set(['shape', 'strides', 'nodeNext', 'nodeMeta', 'memory', 'toFloat64', 'tolist']);

let saved: Record<string, any> | null = null;

// The JS stack of the op call, without the frames inside tensorgrad itself, formatted as
// PyTorch formats its forward traceback (one indented frame a line).
function userStack(): string {
  const raw = new Error().stack ?? '';
  const frames = raw.split('\n').slice(1).map((l) => l.trim());
  const own = __dirname;
  const user = frames.filter((f) => !f.includes(own + '/') && !f.includes(own + '\\'));
  return (user.length ? user : frames).map((f) => '  ' + f).join('\n');
}

function traceResult(r: unknown): void {
  if (typeof r === 'number') {
    if (r >= 0) N.setNodeTrace(r, userStack());
  } else if (Array.isArray(r)) {
    let stack: string | null = null;
    for (const id of r) if (typeof id === 'number' && id >= 0) N.setNodeTrace(id, (stack ??= userStack()));
  }
}

function wrap(key: string, f: (...a: unknown[]) => unknown): (...a: unknown[]) => unknown {
  return function (this: unknown, ...args: unknown[]): unknown {
    const r = f.apply(undefined, args);
    // Single results: the op wrote its output into args[0] (a fresh Tensor). Several results
    // come back as pending tensor slots from an op whose first argument is a tensor id.
    if (args[0] instanceof Tensor && typeof r === 'number') traceResult(r);
    // A custom Function's node is attached to its outputs (args[3]) or to new tensors (r).
    else if (key === 'customFunction') {
      traceResult(r);
      traceResult(args[3]);
    }
    else if (Array.isArray(r) && typeof args[0] === 'number' && !NOT_SLOTS.has(key)) traceResult(r);
    return r;
  };
}

/** Turns anomaly detection on or off (PyTorch's torch.autograd.set_detect_anomaly). */
export function setDetectAnomaly(mode: boolean): void {
  if (typeof mode !== 'boolean') throw new TypeError(`setDetectAnomaly expects a boolean, got ${typeof mode}`);
  N.setDetectAnomaly(mode);
  if (mode && !saved) {
    saved = {};
    for (const key of Object.keys(N)) {
      if (SKIP.has(key) || typeof N[key] !== 'function') continue;
      saved[key] = N[key];
      N[key] = wrap(key, N[key]);
    }
  } else if (!mode && saved) {
    for (const key of Object.keys(saved)) N[key] = saved[key];
    saved = null;
  }
}

/** Whether anomaly detection is on (torch.is_anomaly_enabled). */
export function isAnomalyEnabled(): boolean {
  return N.isAnomalyEnabled();
}

/**
 * Runs fn with anomaly detection on and restores the previous mode after it (also when fn
 * throws), as `with torch.autograd.detect_anomaly():` does. Returns fn's result.
 */
export function detectAnomaly<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw new TypeError('detectAnomaly expects a function');
  const prev = isAnomalyEnabled();
  setDetectAnomaly(true);
  try {
    return fn();
  } finally {
    setDetectAnomaly(prev);
  }
}
