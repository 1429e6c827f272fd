/**
 * A token bucket: `rate` tokens per second, at most `burst` banked. `take()`
 * spends one token when there is one. Time is injectable for tests.
 */
export class TokenBucket {
  private tokens: number
  private last: number

  constructor (
    readonly rate: number,
    readonly burst: number,
    private readonly now: () => number = Date.now
  ) {
    this.tokens = burst
    this.last = now()
  }

  /** Spends one token; false (and nothing spent) when the bucket is empty. */
  take (): boolean {
    this.refill()
    if (this.tokens < 1) return false
    this.tokens -= 1
    return true
  }

  /** Tokens available now (fractional). */
  available (): number {
    this.refill()
    return this.tokens
  }

  private refill (): void {
    const t = this.now()
    const elapsed = Math.max(0, t - this.last) / 1000
    this.last = t
    this.tokens = Math.min(this.burst, this.tokens + elapsed * this.rate)
  }
}
