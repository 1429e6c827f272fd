import { logger } from '@libp2p/logger'
import { backoffDelay } from '../util/backoff.js'

const log = logger('weft:keep-connected')

export interface KeepConnectedComponents {
  connectionCount: () => number
  /** Dials the addresses; resolves true when a connection stands. */
  dial: (addresses: string[]) => Promise<boolean>
}

/**
 * Re-dials the bootstrap peers whenever this peer is left with no connection at all, or never got one.
 * @libp2p/bootstrap dials once, at start: a peer whose only link dropped (a sleeping
 * laptop, a restarted daemon, a ping timeout under load) would otherwise stay alone
 * until something else found it. Retries back off from 1 s to a minute, with jitter.
 */
export class KeepConnected {
  private timer: ReturnType<typeof setTimeout> | undefined
  private attempt = 0
  private running = false

  constructor (private readonly c: KeepConnectedComponents, private readonly addresses: string[]) {}

  start (): void {
    this.running = this.addresses.length > 0
    // A first dial that fails (a busy bootstrap peer timing out the handshake) leaves a peer that
    // never had a connection, so no connection event would ever call us: look once after start.
    this.connectionsChanged()
  }

  stop (): void {
    this.running = false
    clearTimeout(this.timer)
    this.timer = undefined
  }

  /** Connections changed: if none is left, start dialling the bootstrap peers. */
  connectionsChanged (): void {
    if (!this.running) return
    if (this.c.connectionCount() > 0) {
      this.attempt = 0
      clearTimeout(this.timer)
      this.timer = undefined
      return
    }
    this.timer ??= setTimeout(() => { void this.redial() }, backoffDelay(this.attempt, 1_000, 60_000))
  }

  private async redial (): Promise<void> {
    this.timer = undefined
    if (!this.running || this.c.connectionCount() > 0) return
    this.attempt++
    log('no connection left: dialling %d bootstrap address(es), attempt %d', this.addresses.length, this.attempt)
    const ok = await this.c.dial(this.addresses).catch(() => false)
    if (!ok) this.connectionsChanged()
  }
}
