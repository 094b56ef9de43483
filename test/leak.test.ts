// Leak tests. Each scenario of test/leak/scenarios.js runs in its own Node process (so a
// crash fails the test and RSS belongs to it alone) and must end with:
//   - the process exiting cleanly;
//   - RSS after warm-up growing by at most RSS_SLACK_MB to its peak;
//   - after a full GC, no more live native tensors (slots or TensorImpls) than before the loop.
//
// Steps: the two training scenarios run the 100,000 steps the issue asks for (~120 us of
// CPU per step: ~12 s each on an idle 2-core machine, run side by side); the slower autograd
// scenarios run fewer, which is enough: RSS reaches its plateau within a few thousand steps
// (V8 sizing its heap, one cycle of the external-memory GC trigger) and is flat after it,
// while a leak of a single tensor per step shows as thousands of extra live tensors in the
// exact count. TG_LEAK_STEPS=N runs every scenario N steps.
//
// Native memory is freed by in-GC finalizers (native/binding/handles.h). What bounds it in a
// loop that never disposes is V8's external-memory trigger: the bytes each op reports
// (napi_adjust_external_memory) start a GC once they grow 64 MiB past what the last GC
// left, so the native live set swings between what is really alive and that plus ~64 MiB.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const SCRIPT = path.join(__dirname, 'leak', 'scenarios.js');
const RSS_SLACK_MB = 24;
// create-graph-leaf keeps a whole double-differentiable graph per step as garbage until V8's
// next GC, which V8 paces by the storage bytes we report, not by the tensor and node objects
// around them (those are uncounted). Its RSS rises 19-31 MB after warm-up and then stays flat
// (measured over 8,000 steps, 2026-11-27); the exact live-tensor counts below are what catch
// a leak there.
const RSS_SLACK_MB_FOR: Record<string, number> = { 'create-graph-leaf': 40 };
// Under AddressSanitizer (npm run test:asan) freed memory sits in ASan's quarantine, so RSS
// says nothing about leaks; the exact live-tensor counts still do.
const UNDER_ASAN = /libasan/.test(process.env.LD_PRELOAD ?? '');

interface Report {
  name: string;
  steps: number;
  usPerStep: number;
  rssWarmMB: number;
  rssMaxMB: number;
  rssEndMB: number;
  before: { tensors: number; impls: number; bytes: number };
  after: { tensors: number; impls: number; bytes: number };
}

// At most two children at once: this machine has two cores.
let running = 0;
const waiting: (() => void)[] = [];
async function slot<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= 2) await new Promise<void>((r) => waiting.push(r));
  running++;
  try {
    return await fn();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

function runScenario(name: string, steps: number): Promise<{ code: number | null; signal: string | null; out: string; err: string }> {
  const n = process.env.TG_LEAK_STEPS ? Number(process.env.TG_LEAK_STEPS) : steps;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--expose-gc', SCRIPT, name, String(n)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code, signal) => resolve({ code, signal, out, err }));
  });
}

const scenarios: [string, number, string][] = [
  ['train', 100000, 'MLP training, no dispose anywhere'],
  ['train-tidy', 100000, 'MLP training, each step inside tidy()'],
  ['forward-only', 20000, 'graphs built and dropped without backward'],
  ['retain-graph', 6000, 'three backward passes per graph with retainGraph'],
  ['create-graph-leaf', 8000, 'backward(createGraph) into a fresh leaf whose .grad is never cleared'],
  ['create-graph-penalty', 5000, 'gradient penalty: autograd.grad(createGraph) then double backward'],
];

describe.concurrent('leaks (child processes)', () => {
  for (const [name, steps, what] of scenarios) {
    it(`${name}: ${what}`, { timeout: 240_000 }, async () => {
      const r = await slot(() => runScenario(name, steps));
      expect(r.signal, r.err).toBeNull();
      expect(r.code, r.err).toBe(0);
      const rep: Report = JSON.parse(r.out.trim().split('\n').pop()!);
      // Printed so that CI logs carry the figures.
      console.log(`${rep.name}: ${rep.steps} steps, ${rep.usPerStep} us/step, RSS warm ${rep.rssWarmMB} MB, ` +
        `peak ${rep.rssMaxMB} MB, end ${rep.rssEndMB} MB; live tensors ${rep.before.tensors} -> ${rep.after.tensors}`);
      expect(rep.after.tensors).toBeLessThanOrEqual(rep.before.tensors + 2);
      expect(rep.after.impls).toBeLessThanOrEqual(rep.before.impls + 2);
      expect(rep.after.bytes).toBeLessThanOrEqual(rep.before.bytes + 4096);
      if (!UNDER_ASAN) expect(rep.rssMaxMB - rep.rssWarmMB).toBeLessThanOrEqual(RSS_SLACK_MB_FOR[name] ?? RSS_SLACK_MB);
    });
  }
});
