// Hand-written SVG bar charts: groups of bars, one colour per series, an
// optional dashed target line. No dependency, readable in any browser or
// in the repository's web view.

const WIDTH = 720;
const HEIGHT = 360;
const MARGIN = { top: 48, right: 24, bottom: 72, left: 72 };
const COLOURS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1'];

/** @param {string} text */
const escape = (text) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A round axis maximum above `value`. @param {number} value */
function niceMax(value) {
  if (!(value > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

/** 12345 → "12,345"; 0.5 → "0.5". @param {number} value */
const label = (value) => (Math.abs(value) >= 100 ? Math.round(value).toLocaleString('en')
  : Math.abs(value) > 0 && Math.abs(value) < 0.1 ? String(Number(value.toPrecision(1))) : String(Math.round(value * 10) / 10));

/**
 * @param {{ title: string, unit: string, groups: string[], series: Array<{ name: string, values: Array<number | null> }>,
 *   target?: { value: number, label: string }, log?: boolean }} chart
 *   log: a logarithmic value axis (powers of ten), for values that span orders of magnitude
 * @returns {string} an SVG document
 */
export function barChart({ title, unit, groups, series, target, log = false }) {
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const values = series.flatMap((s) => s.values.filter((v) => v !== null && Number.isFinite(v)));
  const positive = values.filter((v) => v > 0);
  // Log axis: from a power of ten below the smallest value (so its bar shows) to the one above the largest.
  const low = log ? 10 ** Math.floor(Math.log10(Math.min(...positive, target?.value ?? Infinity)) - 0.5) : 0;
  const max = log ? 10 ** Math.ceil(Math.log10(Math.max(...positive, target?.value ?? 0) * 1.01)) : niceMax(Math.max(...values, target?.value ?? 0) * 1.08);
  const share = (/** @type {number} */ v) => (log ? (Math.log10(Math.max(v, low)) - Math.log10(low)) / (Math.log10(max) - Math.log10(low)) : v / max);
  const y = (/** @type {number} */ v) => MARGIN.top + plotHeight - share(v) * plotHeight;
  const groupWidth = plotWidth / groups.length;
  const barWidth = Math.min(48, (groupWidth * 0.8) / series.length);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold">${escape(title)}</text>`,
  ];
  const ticks = log
    ? Array.from({ length: Math.round(Math.log10(max / low)) + 1 }, (_, k) => low * 10 ** k)
    : Array.from({ length: 6 }, (_, tick) => (max * tick) / 5);
  for (const v of ticks) {
    parts.push(`<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(v)}" y2="${y(v)}" stroke="#e5e5e5"/>`,
      `<text x="${MARGIN.left - 6}" y="${y(v) + 4}" text-anchor="end">${label(v)}</text>`);
  }
  parts.push(`<text transform="translate(16 ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">${escape(log ? `${unit} (log scale)` : unit)}</text>`);
  groups.forEach((group, g) => {
    const left = MARGIN.left + g * groupWidth + (groupWidth - barWidth * series.length) / 2;
    series.forEach((s, k) => {
      const v = s.values[g];
      if (v === null || !Number.isFinite(v)) return;
      const x = left + k * barWidth;
      parts.push(`<rect x="${x + 1}" y="${y(v)}" width="${barWidth - 2}" height="${y(log ? low : 0) - y(v)}" fill="${COLOURS[k % COLOURS.length]}"><title>${escape(`${group} ${s.name}: ${label(v)} ${unit}`)}</title></rect>`,
        `<text x="${x + barWidth / 2}" y="${y(v) - 4}" text-anchor="middle" font-size="10">${label(v)}</text>`);
    });
    parts.push(`<text x="${MARGIN.left + (g + 0.5) * groupWidth}" y="${HEIGHT - MARGIN.bottom + 18}" text-anchor="middle">${escape(group)}</text>`);
  });
  if (target) {
    parts.push(`<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(target.value)}" y2="${y(target.value)}" stroke="#c00" stroke-dasharray="6 4"/>`,
      `<text x="${WIDTH - MARGIN.right}" y="${y(target.value) - 5}" text-anchor="end" fill="#c00">${escape(target.label)}</text>`);
  }
  series.forEach((s, k) => {
    const x = MARGIN.left + k * Math.min(150, plotWidth / series.length);
    parts.push(`<rect x="${x}" y="${HEIGHT - 28}" width="12" height="12" fill="${COLOURS[k % COLOURS.length]}"/>`,
      `<text x="${x + 18}" y="${HEIGHT - 18}">${escape(s.name)}</text>`);
  });
  parts.push(`<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(log ? low : 0)}" y2="${y(log ? low : 0)}" stroke="#333"/>`, '</svg>');
  return `${parts.join('\n')}\n`;
}
