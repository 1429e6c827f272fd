/**
 * Exponential backoff with full jitter (AWS architecture blog, "Exponential
 * Backoff And Jitter"): spreading retries at random over the whole window keeps
 * many peers that failed together from retrying together.
 */
export function backoffDelay (attempt: number, baseMs: number, maxMs: number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30))
  return Math.round(ceiling / 2 + Math.random() * ceiling / 2)
}
