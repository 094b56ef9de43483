// The shipped binary depends on nothing but the C and C++ runtimes already on every system.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.join(__dirname, '..');
// The binary built here, and any prebuilt one for this platform (prebuildify's output).
const prebuildDir = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`);
const binaries = [path.join(root, 'build', 'Release', 'tensorgrad.node')]
  .concat(fs.existsSync(prebuildDir) ? fs.readdirSync(prebuildDir).filter((f) => f.endsWith('.node')).map((f) => path.join(prebuildDir, f)) : [])
  .filter((f) => fs.existsSync(f));
// glibc's runtime, or musl's (one libc.musl-<arch>.so.1 is both libc and loader; Alpine).
const ALLOWED = /^(libstdc\+\+\.so\.6|libm\.so\.6|libgcc_s\.so\.1|libc\.so\.6|libpthread\.so\.0|libdl\.so\.2|ld-linux-[\w-]+\.so\.\d|linux-vdso\.so\.1|libc\.musl-[\w-]+\.so\.1)$/;

function hasReadelf(): boolean {
  try {
    execFileSync('readelf', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('native binary', () => {
  it.runIf(process.platform === 'linux' && hasReadelf() && binaries.length > 0)('links only system libraries', () => {
    for (const binary of binaries) {
      const out = execFileSync('readelf', ['-d', binary], { encoding: 'utf8' });
      const needed = [...out.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
      expect(needed.length).toBeGreaterThan(0);
      for (const lib of needed) expect(lib, `${path.basename(binary)} needs ${lib}`).toMatch(ALLOWED);
    }
  });
});
