// The two builds (cmake-js for development, node-gyp for shipping) must compile the same
// sources: both read native/sources.txt, and every .cc under native/ must be listed there.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.join(__dirname, '..');

function listed(): string[] {
  return fs.readFileSync(path.join(root, 'native', 'sources.txt'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
}

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p) : p.endsWith('.cc') ? [path.relative(root, p).split(path.sep).join('/')] : [];
  });
}

describe('build files', () => {
  it('native/sources.txt lists every .cc under native/, once', () => {
    const l = listed();
    expect(new Set(l).size).toBe(l.length);
    expect([...l].sort()).toEqual(walk(path.join(root, 'native')).sort());
  });

  it('binding.gyp expands to exactly the sources CMakeLists.txt compiles', () => {
    const gyp = fs.readFileSync(path.join(root, 'binding.gyp'), 'utf8');
    const m = gyp.match(/<!@\(node -p \\"(.*)\\"\)/);
    expect(m).not.toBeNull();
    const expr = m![1].replace(/\\\\/g, '\\').replace(/\\'/g, "'");
    const out = execFileSync(process.execPath, ['-p', expr], { cwd: root, encoding: 'utf8' }).trim().split(/\s+/);
    expect(out).toEqual(listed());
    const cmake = fs.readFileSync(path.join(root, 'CMakeLists.txt'), 'utf8');
    expect(cmake).toMatch(/file\(STRINGS "\$\{CMAKE_SOURCE_DIR\}\/native\/sources.txt"/);
  });
});
