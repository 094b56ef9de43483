// The docs cover the whole API contract (docs/API.md): every name it lists is exported with a
// TSDoc comment (what typedoc's reference is generated from: `npm run docs`), and the README's
// PyTorch → tensorgrad tables mention every one of them.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.join(__dirname, '..');
const read = (f: string) => fs.readFileSync(path.join(root, f), 'utf8');

// Identifiers inside the README's code spans and code blocks.
function codeWords(markdown: string): Set<string> {
  const words = new Set<string>();
  const add = (code: string) => {
    for (const [w] of code.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)) words.add(w);
  };
  const rest = markdown.replace(/```[a-z]*\n([\s\S]*?)```/g, (_, code: string) => {
    add(code);
    return '';
  });
  rest.replace(/`([^`\n]+)`/g, (_, code: string) => {
    add(code);
    return '';
  });
  return words;
}

describe('documentation covers docs/API.md', () => {
  it('finds the API names', async () => {
    const { apiNames } = await import('../scripts/api-names.mjs');
    const names: string[] = apiNames(read('docs/API.md'));
    // A sample from each section, so that a broken extractor cannot pass vacuously.
    for (const n of ['zerosLike', 'requiresGrad_', 'logSoftmax', 'indexSelect', 'registerHook', 'gradcheck', 'setNumThreads', 'tidy', 'BCEWithLogitsLoss', 'AdamW', 'save']) {
      expect(names).toContain(n);
    }
    expect(names.length).toBeGreaterThan(150);
  });

  it('the README mentions every API name in code', async () => {
    const { apiNames } = await import('../scripts/api-names.mjs');
    const readme = codeWords(read('README.md'));
    const missing = (apiNames(read('docs/API.md')) as string[]).filter((n) => !readme.has(n));
    expect(missing).toEqual([]);
  });

  it('every API name is exported with a TSDoc comment', async () => {
    const { undocumentedApiNames } = await import('../scripts/doc-coverage.mjs');
    const { missing, undocumented } = undocumentedApiNames();
    expect({ missing, undocumented }).toEqual({ missing: [], undocumented: [] });
  }, 60_000);

  it('typedoc generates the reference from ts/index.ts into docs/api (not committed)', () => {
    const config = JSON.parse(read('typedoc.json'));
    expect(config.entryPoints).toEqual(['ts/index.ts']);
    expect(config.out).toBe('docs/api');
    expect(read('.gitignore')).toMatch(/^docs\/api\/$/m);
    expect(JSON.parse(read('package.json')).scripts.docs).toBe('typedoc');
  });

  it("the README's quick start runs and trains", () => {
    const table = read('README.md').split('## Quick start, side by side with PyTorch')[1].split('</table>')[0];
    const ts = table.match(/```ts\n([\s\S]*?)```/);
    expect(ts).not.toBeNull();
    const esm = path.join(root, 'dist', 'esm', 'index.js');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tensorgrad-readme-'));
    try {
      const file = path.join(dir, 'quickstart.mjs');
      fs.writeFileSync(file, ts![1].replace("from 'tensorgrad'", `from ${JSON.stringify(esm)}`));
      const out = execFileSync(process.execPath, [file], { encoding: 'utf8' });
      const losses = [...out.matchAll(/^\d+ ([\d.e-]+)$/gm)].map((m) => Number(m[1]));
      expect(losses.length).toBe(4);
      expect(losses[3]).toBeLessThan(losses[0] / 10);
      expect(out).toMatch(/tensor\(\[\[0\.\d+\]\], grad_fn=<\w+Backward0>\)/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
