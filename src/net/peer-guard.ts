/**
 * Cuts off peers that keep sending what no honest weft peer sends.
 *
 * gossipsub's scoring graylists a peer after a few rejected frames, but a graylisted peer stays
 * connected: every RPC it sends is still read off the wire and decoded before gossipsub ignores
 * it, its sync and heads streams are still served, and the penalty decays within seconds, so a
 * flood is heard again and again. The guard counts offences (frames a validator rejected, sync or
 * heads requests that could not be decoded) per peer; past a threshold within a window it closes
 * the peer's connections and refuses it, inbound and outbound, for a while.
 *
 * Only what an honest peer never produces counts: duplicates, unknown documents, rate limits,
 * timeouts and envelopes waiting for a key are not offences. A peer id is free to make, so a ban
 * slows an attacker (each new id must connect again and be caught again, at libp2p's inbound rate
 * limit per host) rather than stopping it for good.
 */
import { logger } from '@libp2p/logger'
import type { ConnectionGater, PeerId } from '@libp2p/interface'

const log = logger('weft:guard')

export interface PeerGuardOptions {
  /** Offences within `windowMs` that get a peer banned. */
  threshold: number
  windowMs: number
  banMs: number
  /** Called once per ban (the engine closes the peer's connections and counts it). */
  onBan: (peer: string, reasons: Record<string, number>) => void
  now?: () => number
}

/**
 * Refusals that count against a peer: bytes no honest weft peer writes or forwards. Not counted:
 * a newer wire version, an unknown document, a rate limit, a stalled stream, and every verdict that
 * depends on what the receiver knows (access rules, keys, what it holds): an honest relay that had
 * not yet seen a revocation forwards a write this peer rejects as unauthorized.
 */
const OFFENCES = new Set(['malformed', 'oversized', 'bad-signature', 'wrong-document', 'bad-author'])
export const isOffence = (reason: string): boolean => OFFENCES.has(reason)

/** Offences seen before the guard forgets stale ones (an attacker can make many peer ids). */
const SWEEP_AT = 1024

type GuardHook = 'denyDialPeer' | 'denyInboundEncryptedConnection' | 'denyOutboundEncryptedConnection'

interface Tally { since: number, count: number, reasons: Record<string, number> }

export class PeerGuard {
  private readonly offences = new Map<string, Tally>()
  private readonly bans = new Map<string, number>()
  private readonly now: () => number

  constructor (private readonly options: PeerGuardOptions) {
    this.now = options.now ?? Date.now
  }

  /** Records an offence by `peer`; true when it got the peer banned. */
  offence (peer: string, reason: string): boolean {
    if (this.banned(peer)) return false
    const now = this.now()
    let r = this.offences.get(peer)
    if (r === undefined || now - r.since > this.options.windowMs) {
      if (this.offences.size >= SWEEP_AT) this.sweep()
      r = { since: now, count: 0, reasons: {} }
      this.offences.set(peer, r)
    }
    r.count++
    r.reasons[reason] = (r.reasons[reason] ?? 0) + 1
    if (r.count < this.options.threshold) return false
    this.offences.delete(peer)
    this.bans.set(peer, now + this.options.banMs)
    log('banned %s for %d s: %o', peer, Math.round(this.options.banMs / 1000), r.reasons)
    this.options.onBan(peer, r.reasons)
    return true
  }

  banned (peer: string): boolean {
    const until = this.bans.get(peer)
    if (until === undefined) return false
    if (this.now() < until) return true
    this.bans.delete(peer)
    return false
  }

  /** Peers banned now. */
  get bannedCount (): number {
    for (const peer of [...this.bans.keys()]) this.banned(peer)
    return this.bans.size
  }

  /** Forgets offences older than the window (called now and then, so quiet peers cost nothing). */
  sweep (): void {
    const now = this.now()
    for (const [peer, r] of this.offences) if (now - r.since > this.options.windowMs) this.offences.delete(peer)
    for (const peer of [...this.bans.keys()]) this.banned(peer)
  }

  /** The libp2p connection gater hooks that keep banned peers out (merged with the user's own gater). */
  gater (): Pick<ConnectionGater, GuardHook> {
    const deny = async (peer: PeerId): Promise<boolean> => this.banned(peer.toString())
    return {
      denyDialPeer: deny,
      denyInboundEncryptedConnection: deny,
      denyOutboundEncryptedConnection: deny
    }
  }
}
