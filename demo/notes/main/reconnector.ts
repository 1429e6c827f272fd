import { logger } from '@libp2p/logger'
import type { Weft } from '../../../src/types.js'

const log = logger('weft:notes:reconnect')

export interface ReconnectorOptions {
  /** How often known peers that are not connected are looked at. Default 2 000 ms. */
  intervalMs?: number
  /** First wait after a failed dial; doubles on each failure. Default 1 000 ms. */
  minBackoffMs?: number
  /** Longest wait between dials to one peer. Default 30 000 ms. */
  maxBackoffMs?: number
}

/**
 * Keeps dialling the peers this device shares notes with, with a per-peer
 * exponential backoff, so that edits made apart merge as soon as a peer
 * reappears. libp2p does not redial peers by itself, and with two devices
 * there is no third peer to rediscover each other through.
 */
export class Reconnector {
  private timer: ReturnType<typeof setInterval> | undefined
  private readonly backoff = new Map<string, { waitMs: number, nextAt: number }>()
  private readonly dialing = new Set<string>()
  private readonly intervalMs: number
  private readonly minBackoffMs: number
  private readonly maxBackoffMs: number

  constructor (
    private readonly weft: Pick<Weft, 'peerId' | 'connectedPeers' | 'dial'>,
    private readonly knownPeers: () => Array<{ id: string, addresses: string[] }>,
    private readonly paused: () => boolean,
    options: ReconnectorOptions = {}
  ) {
    this.intervalMs = options.intervalMs ?? 2_000
    this.minBackoffMs = options.minBackoffMs ?? 1_000
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000
  }

  start (): void {
    this.timer ??= setInterval(() => { this.tick() }, this.intervalMs)
    this.tick()
  }

  stop (): void {
    clearInterval(this.timer)
    this.timer = undefined
  }

  /** Forgets every backoff and dials now (back online, a new peer in the book). */
  kick (): void {
    this.backoff.clear()
    if (this.timer !== undefined) this.tick()
  }

  private tick (): void {
    if (this.paused()) return
    const now = Date.now()
    for (const { id, addresses } of this.knownPeers()) {
      if (id === this.weft.peerId || this.dialing.has(id)) continue
      if ((this.backoff.get(id)?.nextAt ?? 0) > now) continue
      void this.dial(id, addresses)
    }
  }

  private async dial (id: string, addresses: string[]): Promise<void> {
    this.dialing.add(id)
    try {
      if (this.weft.connectedPeers().some(p => p.id === id)) {
        this.backoff.delete(id)
        return
      }
      const dialable = addresses.map(a => a.includes('/p2p/') ? a : `${a}/p2p/${id}`)
      if (!await this.weft.dial(dialable)) throw new Error('no address answered')
      this.backoff.delete(id)
      log('reconnected to %s', id)
    } catch (err: any) {
      const waitMs = Math.min(this.maxBackoffMs, (this.backoff.get(id)?.waitMs ?? this.minBackoffMs / 2) * 2)
      this.backoff.set(id, { waitMs, nextAt: Date.now() + waitMs })
      log('dial %s failed (%s), next try in %d ms', id, err?.message ?? err, waitMs)
    } finally {
      this.dialing.delete(id)
    }
  }
}
