// Anomaly detection: NaN in backward names the node and shows the forward call's JS stack;
// a node that fails (the in-place version error) gets the same trace, as PyTorch prints it.
import { afterEach, describe, expect, it } from 'vitest';
import { torch } from './helpers';
import { N } from '../dist/cjs/native.js';

afterEach(() => torch.autograd.setDetectAnomaly(false));

function errorOf(fn: () => void): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('setDetectAnomaly / detectAnomaly', () => {
  it('is off by default; detectAnomaly restores the previous mode, also on throw', () => {
    expect(torch.autograd.isAnomalyEnabled()).toBe(false);
    expect(torch.autograd.detectAnomaly(() => torch.autograd.isAnomalyEnabled())).toBe(true);
    expect(torch.autograd.isAnomalyEnabled()).toBe(false);
    expect(() => torch.autograd.detectAnomaly(() => { throw new Error('boom'); })).toThrow('boom');
    expect(torch.isAnomalyEnabled()).toBe(false);
    torch.autograd.setDetectAnomaly(true);
    expect(torch.autograd.isAnomalyEnabled()).toBe(true);
    expect(() => torch.autograd.setDetectAnomaly(1 as any)).toThrow(TypeError);
  });

  it('NaN in a backward output names the node and shows the forward trace', () => {
    const x = torch.tensor([-1, 4], { requiresGrad: true });
    const e = errorOf(() =>
      torch.autograd.detectAnomaly(() => {
        const y = x.sqrt(); // the forward call the trace must point at
        y.sum().backward();
      }),
    );
    expect(e.message.startsWith("Function 'SqrtBackward0' returned nan values in its 0th output.")).toBe(true);
    expect(e.message).toContain('Error detected in SqrtBackward0. Traceback of forward call that caused the error:');
    expect(e.message).toContain('anomaly.test.ts');
    // The stack starts at the user's frame, not in tensorgrad's own files.
    const trace = e.message.split('caused the error:\n')[1];
    expect(trace.split('\n')[0]).toContain('anomaly.test.ts');
    expect(trace).not.toMatch(/dist[\\/]cjs[\\/]tensor\.js/);
  });

  it('without anomaly mode, the same backward gives NaN gradients silently', () => {
    const x = torch.tensor([-1, 4], { requiresGrad: true });
    x.sqrt().sum().backward();
    expect(Number.isNaN(x.grad!.tolist()[0])).toBe(true);
  });

  it('an in-place version error gets the trace of the op whose backward failed', () => {
    const a = torch.tensor([1, 2], { requiresGrad: true });
    const e = errorOf(() =>
      torch.autograd.detectAnomaly(() => {
        const b = a.mul(2);
        const c = b.sin();
        b.add_(1);
        c.sum().backward();
      }),
    );
    expect(e.message).toContain(
      'one of the variables needed for gradient computation has been modified by an inplace operation: ' +
        '[torch.FloatTensor [2]], which is output 0 of AddBackward0, is at version 1; expected version 0 instead. ' +
        'Hint: the backtrace further above shows the operation that failed to compute its gradient. ' +
        'The variable in question was changed in there or anywhere later. Good luck!',
    );
    expect(e.message).toContain('Error detected in SinBackward0. Traceback of forward call that caused the error:');
    expect(e.message).toMatch(/anomaly\.test\.ts:\d+/);
  });

  it('normal mode keeps the plain hint and no trace', () => {
    const a = torch.tensor([1, 2], { requiresGrad: true });
    const b = a.mul(2);
    const c = b.sin();
    b.add_(1);
    const e = errorOf(() => c.sum().backward());
    expect(e.message).toContain('Hint: enable anomaly detection');
    expect(e.message).not.toContain('Traceback of forward call');
  });

  it('traces ops with several results and custom Functions; the first trace of a node wins', () => {
    const x = torch.tensor([1, -1, 2, -2], { requiresGrad: true });
    class Root extends torch.autograd.Function {
      static forward(ctx: any, t: any) {
        return t.mul(1);
      }
      static backward(_ctx: any, g: any) {
        return g.mul(NaN);
      }
    }
    const e = errorOf(() =>
      torch.autograd.detectAnomaly(() => {
        const [p] = x.split(2);
        Root.apply(p).sum().backward();
      }),
    );
    expect(e.message).toContain("Function 'RootBackward' returned nan values in its 0th output.");
    expect(e.message).toMatch(/anomaly\.test\.ts:\d+/);
    const e2 = errorOf(() =>
      torch.autograd.detectAnomaly(() => {
        const [p] = x.split(2);
        p.sqrt().sum().backward();
      }),
    );
    expect(e2.message).toContain("Function 'SqrtBackward0' returned nan values");
    const e3 = errorOf(() =>
      torch.autograd.detectAnomaly(() => {
        const q = x.sqrt();
        const [p] = q.split(2);
        p.sum().backward();
      }),
    );
    expect(e3.message).toContain('Error detected in SqrtBackward0');
  });

  it('a node recorded by a createGraph backward carries the forward trace that induced it', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const e = errorOf(() =>
      torch.autograd.detectAnomaly(() => {
        const y = x.mul(x).sum(); // the forward call behind the first derivative's graph
        const [g] = torch.autograd.grad(y, x, { createGraph: true });
        torch.autograd.grad(g, x, { gradOutputs: torch.tensor([NaN, 1]) });
      }),
    );
    expect(e.message).toMatch(/^Function '\w+Backward0' returned nan values in its 0th output\./);
    expect(e.message).toContain('Traceback of forward call that induced the previous calculation:');
    expect(e.message).toMatch(/anomaly\.test\.ts:\d+/);
  });

  it('ops outside anomaly mode pay nothing: the native entry points are unwrapped again', () => {
    const before = { ...N };
    torch.autograd.setDetectAnomaly(true);
    expect(N.mul).not.toBe(before.mul);
    torch.autograd.setDetectAnomaly(false);
    for (const k of Object.keys(before)) expect(N[k]).toBe(before[k]);
    const x = torch.tensor([-1], { requiresGrad: true });
    x.sqrt().sum().backward(); // no error without anomaly mode
  });
});
