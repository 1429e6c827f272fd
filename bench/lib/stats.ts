/** Order statistics over latency samples (milliseconds). */

export interface Summary {
  count: number
  min: number
  mean: number
  p50: number
  p95: number
  p99: number
  max: number
}

/** Arithmetic mean (NaN for an empty array). */
export function mean (xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length
}

/** Nearest-rank percentile of an ascending-sorted array (q in [0, 1]). */
export function percentile (sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.ceil(q * sorted.length)
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]
}

/** Lost samples (Infinity) stay in the percentiles, so a system that drops edits cannot look fast. */
export function summarize (samples: number[]): Summary {
  const sorted = samples.filter(x => !Number.isNaN(x)).sort((a, b) => a - b)
  const sum = sorted.reduce((a, b) => a + b, 0)
  return {
    count: sorted.length,
    min: sorted[0] ?? Number.NaN,
    mean: sorted.length > 0 ? sum / sorted.length : Number.NaN,
    p50: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    p99: percentile(sorted, 0.99),
    max: sorted[sorted.length - 1] ?? Number.NaN
  }
}

/** A down-sampled empirical CDF: at most `points` [value, fraction] pairs, for charts. */
export function cdf (samples: number[], points = 100): Array<[number, number]> {
  const sorted = samples.filter(Number.isFinite).sort((a, b) => a - b)
  if (sorted.length === 0) return []
  const out: Array<[number, number]> = []
  const step = Math.max(1, Math.floor(sorted.length / points))
  for (let i = 0; i < sorted.length; i += step) out.push([sorted[i], (i + 1) / sorted.length])
  const last = sorted.length - 1
  if (out[out.length - 1][1] !== 1) out.push([sorted[last], 1])
  return out
}

export function round (x: number, digits = 3): number {
  if (!Number.isFinite(x)) return x
  const f = 10 ** digits
  return Math.round(x * f) / f
}
