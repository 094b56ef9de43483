// Packs tensorgrad, installs the tarball into an empty project with no compiler on PATH, and
// trains there through require and import (scripts/install-test.mjs).
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

describe('npm install from the packed tarball', () => {
  it('installs without a compiler and trains through require and import', () => {
    const out = execFileSync(process.execPath, [path.join(__dirname, '..', 'scripts', 'install-test.mjs')], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(out).toMatch(/installed without a compiler/);
    expect(out).toMatch(/cjs\.cjs: trained/);
    expect(out).toMatch(/esm\.mjs: trained/);
    // Types: attw on the tarball (when the devDependency is installed) and a real nodenext consumer.
    expect(out).toMatch(/types resolve for import and require/);
    expect(out).toMatch(/typed\.mts and typed\.cts type-check/);
  }, 300_000);
});
