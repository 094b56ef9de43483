// The shipped binary depends on nothing but the C and C++ runtimes already on every system.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const binary = path.join(__dirname, '..', 'build', 'Release', 'tensorgrad.node');
const ALLOWED = /^(libstdc\+\+\.so\.6|libm\.so\.6|libgcc_s\.so\.1|libc\.so\.6|libpthread\.so\.0|libdl\.so\.2|ld-linux-[\w-]+\.so\.\d|linux-vdso\.so\.1)$/;

function hasReadelf(): boolean {
  try {
    execFileSync('readelf', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('native binary', () => {
  it.runIf(process.platform === 'linux' && hasReadelf() && fs.existsSync(binary))('links only system libraries', () => {
    const out = execFileSync('readelf', ['-d', binary], { encoding: 'utf8' });
    const needed = [...out.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
    expect(needed.length).toBeGreaterThan(0);
    for (const lib of needed) expect(lib).toMatch(ALLOWED);
  });
});
