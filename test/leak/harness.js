// Shared by the leak scripts: runs `step` N times, samples RSS and the native counters, and
// prints one JSON line for test/leak.test.ts to judge. Run with --expose-gc.
//
//   node --expose-gc test/leak/scenarios.js <scenario> [steps]
//
// Measures: RSS after warm-up (a quarter of the steps, at least 3,000: V8 grows its heap to
// a steady size over the first ~2,500 steps), the highest RSS after it,
// RSS at the end, the live native tensors at the end after a full GC (compared with the
// count before the loop), and the milliseconds per step.
'use strict';
const path = require('node:path');
const torch = require(path.join(__dirname, '..', '..', 'dist', 'cjs', 'index.js'));
const { N } = require(path.join(__dirname, '..', '..', 'dist', 'cjs', 'native.js'));

function fullGc() {
  for (let i = 0; i < 3; i++) global.gc();
}

function run(name, defaultSteps, setup) {
  const steps = Number(process.argv[3] || process.env.TG_LEAK_STEPS || defaultSteps);
  const warm = Math.min(steps - 1, Math.max(3000, Math.floor(steps / 4)));
  const step = setup();  // everything that lives across steps is made here
  fullGc();
  const before = N.memory();
  let rssWarm = 0, rssMax = 0, samples = [];
  const every = Math.max(1, Math.floor(steps / 50));
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < steps; i++) {
    step(i);
    if (i === warm) rssWarm = process.memoryUsage().rss;
    if (i > warm && i % every === 0) {
      const rss = process.memoryUsage().rss;
      rssMax = Math.max(rssMax, rss);
      samples.push(Math.round(rss / 2 ** 20));
    }
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const rssEnd = process.memoryUsage().rss;
  fullGc();
  const after = N.memory();
  const MB = (b) => Math.round((b / 2 ** 20) * 10) / 10;
  console.log(JSON.stringify({
    name, steps, warm, usPerStep: Math.round((ms * 1000) / steps),
    rssWarmMB: MB(rssWarm), rssMaxMB: MB(Math.max(rssMax, rssEnd)), rssEndMB: MB(rssEnd), samplesMB: samples,
    before: { tensors: before.tensors, impls: before.impls, bytes: before.bytes },
    after: { tensors: after.tensors, impls: after.impls, bytes: after.bytes },
  }));
}

module.exports = { torch, N, run };
