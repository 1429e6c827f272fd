import { logger } from '@libp2p/logger'
import type { Libp2p, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { CircuitBreaker } from '../util/circuit-breaker.js'
import { METRIC, type Metrics } from '../metrics/metrics.js'

const log = logger('weft:dialer')

/**
 * Dials peers that discovery turned up (DHT providers, mDNS, beacons). libp2p
 * does not dial those by itself; this does, once at a time per peer, and backs
 * off from peers that keep failing.
 */
export class Dialer {
  private readonly breaker = new CircuitBreaker({ failureThreshold: 1, openMs: 1_000, maxOpenMs: 60_000 })
  private readonly inFlight = new Map<string, Promise<boolean>>()

  constructor (
    private readonly libp2p: Libp2p,
    private readonly metrics: Metrics,
    private readonly timeoutMs = 10_000
  ) {}

  isConnected (peer: PeerId): boolean {
    return this.libp2p.getConnections(peer).length > 0
  }

  async dial (peer: PeerId, addresses: Multiaddr[] = []): Promise<boolean> {
    if (peer.equals(this.libp2p.peerId)) return false
    if (this.isConnected(peer)) return true
    const key = peer.toString()
    const running = this.inFlight.get(key)
    if (running !== undefined) return await running
    if (!this.breaker.allows(key)) return false
    const attempt = this.attempt(peer, key, addresses).finally(() => this.inFlight.delete(key))
    this.inFlight.set(key, attempt)
    return await attempt
  }

  private async attempt (peer: PeerId, key: string, addresses: Multiaddr[]): Promise<boolean> {
    try {
      if (addresses.length > 0) await this.libp2p.peerStore.merge(peer, { multiaddrs: addresses })
      await this.libp2p.dial(peer, { signal: AbortSignal.timeout(this.timeoutMs) })
      this.breaker.success(key)
      this.metrics.inc(METRIC.dials, 'ok')
      return true
    } catch (err: any) {
      this.breaker.failure(key)
      this.metrics.inc(METRIC.dials, 'failed')
      log('dial %p failed: %s', peer, err?.message ?? err)
      return false
    }
  }
}
