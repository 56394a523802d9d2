// Percentiles and summaries of latency samples (milliseconds).

/**
 * The p-th percentile (nearest rank) of sorted values.
 *
 * @param {Float64Array | number[]} sorted
 * @param {number} p  0..100
 */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/**
 * @param {number[]} samples
 * @returns {{ count: number, mean: number, p50: number, p95: number, p99: number, max: number }}
 */
export function summarize(samples) {
  const sorted = Float64Array.from(samples).sort();
  const mean = sorted.reduce((sum, v) => sum + v, 0) / Math.max(sorted.length, 1);
  return {
    count: sorted.length,
    mean: round(mean),
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.length ? sorted[sorted.length - 1] : NaN),
  };
}

/** @param {number} value @param {number} [digits] */
export function round(value, digits = 2) {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Resolves after `ms`. @param {number} ms */
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
