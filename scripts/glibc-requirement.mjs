// The oldest glibc / libstdc++ a Linux binary can load on: the highest symbol versions it
// needs (readelf -V), checked against a ceiling.
//
//   node scripts/glibc-requirement.mjs [--max-glibc 2.31] [--max-glibcxx 3.4.28] file.node...
//
// release.yml builds the glibc prebuilds on Debian 11 (glibc 2.31, GCC 10) and runs this on
// them, so that they load on Debian 11, Ubuntu 20.04, RHEL 9 and anything newer. A binary
// built on a newer toolchain needs newer versions and would fail to load there.
import { execFileSync } from 'node:child_process';

const args = process.argv.slice(2);
const limits = {};
const files = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--max-glibc') limits.GLIBC = args[++i];
  else if (args[i] === '--max-glibcxx') limits.GLIBCXX = args[++i];
  else files.push(args[i]);
}
if (files.length === 0) {
  console.error('usage: node scripts/glibc-requirement.mjs [--max-glibc X.Y] [--max-glibcxx 3.4.N] file.node...');
  process.exit(2);
}

const cmp = (a, b) => {
  const x = a.split('.').map(Number), y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
};

/** The highest GLIBC_ and GLIBCXX_ versions `file` needs ({} for a musl binary). */
export function requirement(file) {
  const out = execFileSync('readelf', ['-V', '-W', file], { encoding: 'utf8' });
  const need = {};
  for (const [, lib, v] of out.matchAll(/Name: (GLIBC|GLIBCXX)_([\d.]+)/g)) {
    if (!need[lib] || cmp(v, need[lib]) > 0) need[lib] = v;
  }
  return need;
}

let ok = true;
for (const file of files) {
  const need = requirement(file);
  const parts = Object.entries(need).map(([lib, v]) => {
    const over = limits[lib] && cmp(v, limits[lib]) > 0;
    if (over) ok = false;
    return `${lib}_${v}${over ? ` (above ${limits[lib]})` : ''}`;
  });
  console.log(`${file}: needs ${parts.join(', ') || 'no versioned glibc symbols'}`);
}
process.exit(ok ? 0 : 1);
