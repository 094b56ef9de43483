// A tiny SVG line-chart helper, no dependencies: panels side by side, each with axes,
// ticks, a title and one or more named series.
//
//   import { lineChart } from './lib/svg_chart.mjs';
//   fs.writeFileSync('chart.svg', lineChart([
//     { title: 'loss', xLabel: 'step', series: [{ name: 'train', points: [[0, 2.3], [1, 1.1]] }] },
//   ]));
//
// Panel options: title, xLabel, yLabel, xRange, yRange, xInteger (whole-number x ticks).
// Series options: name, points, color, width, dashed, markers.

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd'];

const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

/** About five round tick values covering [lo, hi]. */
function ticks(lo, hi, integer = false, count = 5) {
  if (!(hi > lo)) return [lo];
  const raw = Math.max((hi - lo) / count, integer ? 1 : 0);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw);
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(+v.toPrecision(12));
  return out;
}

const fmt = (v) => (Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(1) : String(+v.toPrecision(4)));

function panel(p, width, height) {
  const m = { left: 58, right: 16, top: 34, bottom: 44 };
  const w = width - m.left - m.right, h = height - m.top - m.bottom;
  const all = p.series.flatMap((s) => s.points);
  let [x0, x1] = p.xRange ?? [Math.min(...all.map((q) => q[0])), Math.max(...all.map((q) => q[0]))];
  let [y0, y1] = p.yRange ?? [Math.min(...all.map((q) => q[1])), Math.max(...all.map((q) => q[1]))];
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) { y0 -= 0.5; y1 += 0.5; }
  if (!p.yRange) { const pad = (y1 - y0) * 0.05; y0 -= pad; y1 += pad; }
  const sx = (x) => m.left + ((x - x0) / (x1 - x0)) * w;
  const sy = (y) => m.top + h - ((y - y0) / (y1 - y0)) * h;
  const parts = [`<rect x="${m.left}" y="${m.top}" width="${w}" height="${h}" fill="#fff" stroke="#999"/>`];
  for (const t of ticks(y0, y1)) {
    parts.push(`<line x1="${m.left}" x2="${m.left + w}" y1="${sy(t)}" y2="${sy(t)}" stroke="#eee"/>`);
    parts.push(`<text x="${m.left - 6}" y="${sy(t) + 4}" text-anchor="end">${fmt(t)}</text>`);
  }
  for (const t of ticks(x0, x1, p.xInteger)) {
    parts.push(`<line x1="${sx(t)}" x2="${sx(t)}" y1="${m.top + h}" y2="${m.top + h + 4}" stroke="#999"/>`);
    parts.push(`<text x="${sx(t)}" y="${m.top + h + 18}" text-anchor="middle">${fmt(t)}</text>`);
  }
  p.series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length];
    const d = s.points.map(([x, y], k) => `${k ? 'L' : 'M'}${sx(x).toFixed(2)},${sy(y).toFixed(2)}`).join('');
    parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="${s.width ?? 1.6}"${s.dashed ? ' stroke-dasharray="5,4"' : ''}/>`);
    if (s.markers) for (const [x, y] of s.points) parts.push(`<circle cx="${sx(x)}" cy="${sy(y)}" r="3" fill="${color}"/>`);
  });
  // The legend, on a light box in the top right corner.
  parts.push(`<rect x="${m.left + w - 146}" y="${m.top + 4}" width="140" height="${p.series.length * 16 + 6}" fill="#fff" fill-opacity="0.85" stroke="#ddd"/>`);
  p.series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length];
    parts.push(`<rect x="${m.left + w - 138}" y="${m.top + 13 + i * 16}" width="12" height="3" fill="${color}"/>`);
    parts.push(`<text x="${m.left + w - 120}" y="${m.top + 18 + i * 16}">${esc(s.name)}</text>`);
  });
  parts.push(`<text x="${m.left + w / 2}" y="20" text-anchor="middle" font-weight="bold" font-size="14">${esc(p.title ?? '')}</text>`);
  if (p.xLabel) parts.push(`<text x="${m.left + w / 2}" y="${height - 8}" text-anchor="middle">${esc(p.xLabel)}</text>`);
  if (p.yLabel) parts.push(`<text transform="translate(14,${m.top + h / 2}) rotate(-90)" text-anchor="middle">${esc(p.yLabel)}</text>`);
  return parts.join('\n');
}

/** An SVG document with the panels side by side. */
export function lineChart(panels, { width = 480, height = 320 } = {}) {
  const list = Array.isArray(panels) ? panels : [panels];
  const body = list.map((p, i) => `<g transform="translate(${i * width},0)">\n${panel(p, width, height)}\n</g>`).join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width * list.length}" height="${height}" font-family="sans-serif" font-size="11">\n<rect width="100%" height="100%" fill="#fafafa"/>\n${body}\n</svg>\n`;
}
