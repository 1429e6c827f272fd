import pRetry from 'p-retry'
import { logger } from '@libp2p/logger'
import { Queue } from '@libp2p/utils'
import type { PeerId } from '@libp2p/interface'
import { CircuitBreaker } from '../util/circuit-breaker.js'
import type { PullProtocol, PullResult } from './pull.js'
import type { Replica } from '../replica/replica.js'

const log = logger('weft:sync:scheduler')

export interface PullHooks {
  started: (docId: string) => void
  finished: (docId: string, peer: string, result: PullResult | undefined) => void
}

/** A peer that answered but does not hold the document: nothing to retry. */
const isRefusal = (err: unknown): boolean => /refused sync/.test((err as Error)?.message ?? '')

/**
 * Decides when pulls run: at most one per (document, peer) at a time (a request
 * arriving meanwhile reruns it once afterwards), retries with exponential
 * backoff and jitter, and a per-peer circuit breaker so a dead or hostile peer
 * is not asked again and again.
 */
export class PullScheduler {
  private readonly running = new Map<string, { again: boolean, started: boolean }>()
  private readonly breaker = new CircuitBreaker({ failureThreshold: 3, openMs: 2_000, maxOpenMs: 120_000 })
  private readonly abort = new AbortController()
  // A peer that shares a thousand documents must not open a thousand streams at once.
  private readonly queue = new Queue<PullResult | undefined>({ concurrency: 8 })

  constructor (private readonly protocol: PullProtocol, private readonly hooks: PullHooks) {}

  request (replica: Replica, peer: PeerId, reason: string): void {
    if (this.abort.signal.aborted) return
    const peerKey = peer.toString()
    const key = `${replica.docId}/${peerKey}`
    const running = this.running.get(key)
    if (running !== undefined) {
      // A pull still waiting in the queue will ask for the latest state anyway; one already
      // under way may have missed what prompted this request, so it runs once more.
      if (running.started) running.again = true
      return
    }
    if (!this.breaker.allows(peerKey)) {
      log('not pulling %s from %s (%s): circuit open', replica.docId, peerKey, reason)
      return
    }
    const state = { again: false, started: false }
    this.running.set(key, state)
    this.hooks.started(replica.docId)
    log('pull %s from %s: %s', replica.docId, peerKey, reason)
    void this.queue.add(async () => {
      state.started = true
      return await this.run(replica, peer, peerKey)
    }).catch(() => undefined).then(result => {
      this.running.delete(key)
      this.hooks.finished(replica.docId, peerKey, result)
      if (state.again) this.request(replica, peer, 'requested again while running')
    })
  }

  private async run (replica: Replica, peer: PeerId, peerKey: string): Promise<PullResult | undefined> {
    try {
      const result = await pRetry(async () => await this.protocol.pull(peer, replica, this.abort.signal), {
        retries: 3,
        minTimeout: 200,
        maxTimeout: 3_000,
        randomize: true,
        signal: this.abort.signal,
        shouldRetry: ({ error }) => !isRefusal(error) && !this.abort.signal.aborted
      })
      this.breaker.success(peerKey)
      return result
    } catch (err: any) {
      if (!isRefusal(err)) this.breaker.failure(peerKey)
      if (!this.abort.signal.aborted) log('pull %s from %s failed: %s', replica.docId, peerKey, err?.message ?? err)
      return undefined
    }
  }

  isPulling (docId: string): boolean {
    for (const key of this.running.keys()) if (key.startsWith(docId + '/')) return true
    return false
  }

  stop (): void {
    this.abort.abort()
    this.queue.clear()
  }
}
