// examples/saliency.mjs (issue 8): the gradient-saliency heat map of the MNIST model.
// Run with no saved weights so it trains its own model briefly; the test checks the picture
// it writes and what it reports, not a fixed image.
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.join(__dirname, '..');

describe('examples/saliency.mjs', () => {
  it('writes a digit and its saliency heat map for each requested digit', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-saliency-'));
    const stdout = execFileSync(
      process.execPath,
      [path.join(root, 'examples', 'saliency.mjs'), '--weights', path.join(out, 'none.safetensors'), '--steps', '200', '--digits', '3,7', '--out', out],
      { cwd: root, encoding: 'utf8' },
    );
    expect(stdout).toContain('trained here for 200 steps');
    const reported = [...stdout.matchAll(/digit (\d): predicted (\d), ([\d.]+)% of the saliency on the stroke/g)];
    expect(reported.map((m) => m[1])).toEqual(['3', '7']);
    // A briefly trained MLP still recognises these clean samples.
    expect(reported.filter((m) => m[1] === m[2]).length).toBeGreaterThanOrEqual(1);

    const svg = fs.readFileSync(path.join(out, 'saliency.svg'), 'utf8');
    // background + two 28x28 grids per digit
    expect(svg.match(/<rect /g)!.length).toBe(1 + 2 * 2 * 784);
    // The heat maps are not flat: the gradient differs from pixel to pixel.
    const heatColours = new Set([...svg.matchAll(/fill="(rgb\(255,[^"]*)"/g)].map((m) => m[1]));
    expect(heatColours.size).toBeGreaterThan(100);
    fs.rmSync(out, { recursive: true, force: true });
  }, 60_000);
});
