// Loads the native addon: a prebuilt binary from prebuilds/ when one matches this platform,
// otherwise the one built from source into build/Release (node-gyp-build decides).
import * as fs from 'node:fs';
import * as path from 'node:path';

// The package root: the nearest folder above this file holding our package.json.
function packageRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const pj = path.join(dir, 'package.json');
    if (fs.existsSync(pj)) {
      try {
        if (JSON.parse(fs.readFileSync(pj, 'utf8')).name === 'tensorgrad') return dir;
      } catch {
        // keep looking
      }
    }
    dir = path.dirname(dir);
  }
  return path.join(__dirname, '..', '..');
}

function load(): any {
  const root = packageRoot();
  // TG_ADDON_PATH loads a specific build instead (e.g. build-asan/Release/tensorgrad.node for
  // `npm run test:asan`, see scripts/test-asan.sh).
  const override = process.env.TG_ADDON_PATH;
  if (override) return require(path.resolve(override));
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const gypBuild = require('node-gyp-build');
    return gypBuild(root);
  } catch (err) {
    const e = err as Error;
    const target = `${process.platform}-${process.arch}`;
    throw new Error(
      `tensorgrad: could not load the native addon for ${target} (Node ${process.versions.node}, ` +
        `N-API ${process.versions.napi}).\n` +
        `  Looked for: ${path.join(root, 'prebuilds', target)}/*.node and ${path.join(root, 'build', 'Release', 'tensorgrad.node')}\n` +
        `  Cause: ${e.message}\n` +
        `  Remedies: reinstall with \`npm install tensorgrad\` so the prebuilt binary for ${target} is fetched; ` +
        `or build from source with a C++17 compiler, Python 3 and make present (\`npm rebuild tensorgrad\`).`,
    );
  }
}

/**
 * The addon, each function wrapped once: a native call never throws (an exception left
 * pending across Node's rethrow can meet an in-GC finalizer and abort the process — see
 * fail_with in native/binding/handles.h); it returns a sentinel instead, and we throw here.
 * Internal: the TS facade validates arguments before calling it.
 */
function wrapAll(raw: any): any {
  const sentinel = raw.errorSentinel;
  const takeError = raw.takeError;
  const out: any = {};
  for (const key of Object.keys(raw)) {
    const f = raw[key];
    if (typeof f !== 'function' || key === 'takeError') {
      out[key] = f;
      continue;
    }
    out[key] = function (): any {
      // eslint-disable-next-line prefer-rest-params
      const r = f.apply(undefined, arguments as unknown as unknown[]);
      if (r === sentinel) throw takeError();
      return r;
    };
  }
  return out;
}

export const N: any = wrapAll(load());

