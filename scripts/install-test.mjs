// The real install test: pack the package, install the tarball into an empty project with
// no compiler on PATH, and run a training step there through both `require` and `import`.
//
// The tarball carries a prebuilt binary for this platform: prebuilds/<platform>-<arch>/
// made by `npm run prebuild` (prebuildify) — or, when that folder is absent, a copy of the
// binary that `npm install` just built with node-gyp (the same N-API build), so CI does not
// compile everything twice.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const target = `${process.platform}-${process.arch}`;
const prebuildDir = path.join(root, 'prebuilds', target);
const log = (m) => console.log(`install-test: ${m}`);
// npm next to this node; TG_NPM_CLI names another (a Node from the node-* packages has none).
const npmCliPath = () =>
  process.env.TG_NPM_CLI || path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');

let madePrebuild = false;
if (!fs.existsSync(prebuildDir) || fs.readdirSync(prebuildDir).length === 0) {
  const built = path.join(root, 'build', 'Release', 'tensorgrad.node');
  if (!fs.existsSync(built)) throw new Error(`no prebuild in ${prebuildDir} and no ${built}: run npm install or npm run prebuild first`);
  fs.mkdirSync(prebuildDir, { recursive: true });
  fs.copyFileSync(built, path.join(prebuildDir, 'tensorgrad.napi.node'));
  madePrebuild = true;
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tensorgrad-install-'));
try {
  const packOut = execFileSync('npm', ['pack', '--pack-destination', work, '--silent'], { cwd: root, encoding: 'utf8' });
  const tarball = path.join(work, packOut.trim().split('\n').pop());
  log(`node ${process.version}, npm from ${npmCliPath()}`);
  log(`packed ${path.basename(tarball)} (${(fs.statSync(tarball).size / 1024).toFixed(0)} KiB)`);

  // Types resolve for import and require under every module mode (node10, node16, bundler).
  // @arethetypeswrong/cli is a devDependency and works offline; skipped where it is absent.
  const attw = path.join(root, 'node_modules', '@arethetypeswrong', 'cli', 'dist', 'index.js');
  if (fs.existsSync(attw)) {
    const out = execFileSync(process.execPath, [attw, tarball, '--format', 'ascii'], { cwd: root, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
    if (!/No problems found/.test(out)) throw new Error(`@arethetypeswrong/cli:\n${out}`);
    log('types resolve for import and require (@arethetypeswrong/cli: no problems found)');
  }

  // A PATH with node and npm only: no cc, c++, g++, make or python.
  const bin = path.join(work, 'bin');
  fs.mkdirSync(bin);
  fs.symlinkSync(process.execPath, path.join(bin, 'node'));
  const npmCli = npmCliPath();
  fs.writeFileSync(path.join(bin, 'npm'), `#!/bin/sh\nexec "${process.execPath}" "${npmCli}" "$@"\n`, { mode: 0o755 });
  for (const tool of ['sh', 'env']) {
    const p = ['/bin/' + tool, '/usr/bin/' + tool].find((x) => fs.existsSync(x));
    if (p) fs.symlinkSync(p, path.join(bin, tool));
  }
  const env = { ...process.env, PATH: bin, CC: 'false', CXX: 'false', npm_config_build_from_source: '' };
  for (const tool of ['gcc', 'g++', 'cc', 'c++', 'make', 'python3']) {
    try {
      execFileSync('/bin/sh', ['-c', `command -v ${tool}`], { env, stdio: 'pipe' });
      throw new Error(`${tool} is still on PATH`);
    } catch (e) {
      if (String(e.message).includes('still on PATH')) throw e;
    }
  }

  const app = path.join(work, 'app');
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
  execFileSync(path.join(bin, 'npm'), ['install', '--no-audit', '--no-fund', tarball], { cwd: app, env, stdio: 'inherit' });
  log('installed without a compiler');

  const step = `
    const x = torch.randn(64, 4);
    const y = x.sum(1, true);
    const w = torch.zeros([4, 1], { requiresGrad: true });
    let first = 0, last = 0;
    for (let i = 0; i < 200; i++) {
      const loss = x.matmul(w).sub(y).pow(2).mean();
      if (i === 0) first = loss.item();
      last = loss.item();
      loss.backward();
      torch.noGrad(() => w.sub_(w.grad.mul(0.1)));
      w.grad.zero_();
    }
    if (!(last < first / 100)) throw new Error('loss did not fall: ' + first + ' -> ' + last);
    console.log('trained: loss ' + first.toFixed(4) + ' -> ' + last.toExponential(2));
  `;
  fs.writeFileSync(path.join(app, 'cjs.cjs'), `const torch = require('tensorgrad');\n${step}`);
  fs.writeFileSync(path.join(app, 'esm.mjs'), `import * as torch from 'tensorgrad';\nimport def from 'tensorgrad';\nif (def.Tensor !== torch.Tensor) throw new Error('default and named exports differ');\n${step}`);
  for (const f of ['cjs.cjs', 'esm.mjs']) {
    const out = execFileSync(path.join(bin, 'node'), [f], { cwd: app, env, encoding: 'utf8' });
    log(`${f}: ${out.trim()}`);
  }

  // A TypeScript user's view: the installed package type-checks from an ES module and from a
  // CommonJS module under module: nodenext (what attw analyses, here compiled for real).
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  if (fs.existsSync(tsc)) {
    const use = `
      const x = torch.tensor([1, 2, 3], { requiresGrad: true });
      const y: torch.Tensor = x.pow(2).sum();
      y.backward();
      const g: torch.Tensor | null = x.grad;
      const lin = new torch.nn.Linear(3, 1);
      const opt = new torch.optim.SGD(lin.parameters(), { lr: 0.1 });
      opt.step();
      const n: number = lin.forward(x).numel() + (g ? g.numel() : 0);
      export { n };
    `;
    fs.writeFileSync(path.join(app, 'typed.mts'), `import * as torch from 'tensorgrad';\nimport def from 'tensorgrad';\nconst same: typeof torch.Tensor = def.Tensor;\nexport { same };\n${use}`);
    fs.writeFileSync(path.join(app, 'typed.cts'), `import torch = require('tensorgrad');\n${use}`);
    // A consumer's plain ES2022 setup: our .d.ts files must bring the esnext.disposable lib
    // they need themselves (Symbol.dispose, Disposable), and must check without skipLibCheck.
    const compilerOptions = { noEmit: true, strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', lib: ['es2022'], types: [], skipLibCheck: false };
    fs.writeFileSync(path.join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['typed.mts', 'typed.cts'] }));
    execFileSync(process.execPath, [tsc, '-p', app], { cwd: app, env, stdio: 'inherit' });
    log('typed.mts and typed.cts type-check against the installed package');
  }
  log('ok');
} finally {
  fs.rmSync(work, { recursive: true, force: true });
  if (madePrebuild) fs.rmSync(path.join(root, 'prebuilds'), { recursive: true, force: true });
}
