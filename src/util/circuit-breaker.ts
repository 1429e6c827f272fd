import { backoffDelay } from './backoff.js'

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. Default 5. */
  failureThreshold?: number
  /** First open period; doubles (with jitter) each time it opens again. Default 5 s. */
  openMs?: number
  /** Longest open period. Default 5 min. */
  maxOpenMs?: number
}

/**
 * Per-key circuit breaker: after repeated failures a peer is left alone for a
 * while instead of being hammered, then given one trial (half-open); a success
 * closes the circuit again.
 */
export class CircuitBreaker {
  private readonly state = new Map<string, { failures: number, opened: number, openUntil: number }>()
  private readonly failureThreshold: number
  private readonly openMs: number
  private readonly maxOpenMs: number

  constructor (options: CircuitBreakerOptions = {}) {
    this.failureThreshold = options.failureThreshold ?? 5
    this.openMs = options.openMs ?? 5_000
    this.maxOpenMs = options.maxOpenMs ?? 300_000
  }

  allows (key: string, now = Date.now()): boolean {
    const s = this.state.get(key)
    return s === undefined || now >= s.openUntil
  }

  success (key: string): void {
    this.state.delete(key)
  }

  failure (key: string, now = Date.now()): void {
    const s = this.state.get(key) ?? { failures: 0, opened: 0, openUntil: 0 }
    s.failures++
    if (s.failures >= this.failureThreshold) {
      s.openUntil = now + backoffDelay(s.opened++, this.openMs, this.maxOpenMs)
      s.failures = 0
    }
    this.state.set(key, s)
  }
}
