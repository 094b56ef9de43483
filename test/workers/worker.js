// Worker-thread side of test/workers.test.ts. What it does depends on workerData.mode.
'use strict';
const path = require('node:path');
const { parentPort, workerData } = require('node:worker_threads');
const torch = require(path.join(__dirname, '..', '..', 'dist', 'cjs', 'index.js'));
const { N } = require(path.join(__dirname, '..', '..', 'dist', 'cjs', 'native.js'));
require('node:v8').setFlagsFromString('--expose-gc');
const gc = require('node:vm').runInNewContext('gc');

const modes = {
  // Trains a small MLP on its own data; reports the loss before and after.
  train({ seed, steps }) {
    torch.manualSeed(seed);
    const w1 = torch.randn(8, 16).mul(0.3).detach().requiresGrad_();
    const w2 = torch.randn(16, 1).mul(0.3).detach().requiresGrad_();
    const x = torch.randn(32, 8), y = x.sum(1, true).mul(0.5);
    const loss = () => {
      const err = x.matmul(w1).relu().matmul(w2).sub(y);
      return err.mul(err).mean();
    };
    const first = loss().item();
    for (let i = 0; i < steps; i++) {
      loss().backward();
      torch.noGrad(() => {
        for (const p of [w1, w2]) {
          p.sub_(p.grad.mul(0.05));
          p.grad = null;
        }
      });
    }
    const last = loss().item();
    gc();
    parentPort.postMessage({ first, last, live: torch.memory().tensors });
  },
  // Big matrix products forever (parallel regions of the shared thread pool), until
  // terminated; says when the first one is done.
  busy({ n }) {
    const a = torch.ones(n, n), b = torch.ones(n, n);
    let told = false;
    for (;;) {
      const c = a.matmul(b);
      if (!told) {
        parentPort.postMessage({ started: true, corner: c.select(0, 0).select(0, 0).item() });
        told = true;
      }
    }
  },
  // `rounds` big products, checked, then reports.
  products({ n, rounds }) {
    const a = torch.ones(n, n), b = torch.full([n, n], 2, { dtype: 'float32' });
    let bad = 0;
    for (let i = 0; i < rounds; i++) {
      const c = a.matmul(b);
      if (c.sum().item() !== 2 * n * n * n) bad++;
    }
    parentPort.postMessage({ bad });
  },
  // Holds `count` tensors of `mb` MiB (touched) and waits to be terminated.
  hog({ count, mb }) {
    const keep = [];
    for (let i = 0; i < count; i++) keep.push(torch.full([(mb << 20) / 4], 1, { dtype: 'float32' }));
    parentPort.postMessage({ ready: true, bytes: torch.memory().bytes });
    setInterval(() => keep.length, 1000);
  },
  // Uses what another thread sent: a structured-cloned Tensor and a raw slot id.
  foreign() {
    parentPort.once('message', ({ cloned, id }) => {
      const out = {};
      const attempt = (name, f) => {
        try {
          f();
          out[name] = 'returned';
        } catch (e) {
          out[name] = e instanceof Error ? e.constructor.name : 'non-Error';
        }
      };
      attempt('add(clone)', () => torch.add(cloned, 1));
      attempt('tensor method on clone', () => torch.Tensor.prototype.add.call(cloned, 1));
      attempt('raw id', () => N.shape(id));
      attempt('raw id op', () => N.add(new torch.Tensor(), id, 0, 1, 2, 1));
      parentPort.postMessage(out);
    });
    parentPort.postMessage({ waiting: true });
  },
  // Throws from inside tidy with tensors alive.
  crash() {
    torch.tidy(() => {
      torch.ones(1000);
      throw new Error('worker failed on purpose');
    });
  },
};

modes[workerData.mode](workerData);
