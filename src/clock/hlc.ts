/**
 * Hybrid logical clock (Kulkarni et al., 2014).
 *
 * A stamp is (wall ms, logical counter). `now()` never goes backwards even when
 * the wall clock steps back, and `receive()` folds in a remote stamp so that
 * anything stamped after seeing a message orders after it.
 *
 * Skew rule: Yjs merges without clocks, so a stamp is never a reason to refuse a
 * payload. A remote stamp further ahead of our physical clock than `maxDriftMs`
 * is clamped: the clock advances to at most `physical + maxDriftMs`, so one peer
 * with a clock set to 2099 cannot drag every replica's clock with it, and the
 * skew is reported (`onSkew`). Fresh stamps (beacons, acks, sync requests and replies) that far behind are
 * reported too: that is how a peer whose own clock runs ahead learns about it.
 */

export interface HlcStamp {
  /** Milliseconds since the epoch (48 bits are kept on the wire). */
  readonly wall: number
  /** Orders stamps within one millisecond (16 bits on the wire). */
  readonly logical: number
}

export interface HybridLogicalClockOptions {
  /** Physical clock source, injectable for tests. Default `Date.now`. */
  physicalNow?: () => number
  /** How far ahead of our physical clock a remote stamp may move this clock. Default 60 s. */
  maxDriftMs?: number
  /** Called for every remote stamp more than `maxDriftMs` away from our physical clock. */
  onSkew?: (event: ClockSkewEvent) => void
}

/** A remote clock more than `maxDriftMs` away from ours. */
export interface ClockSkewEvent {
  /**
   * 'ahead': a remote stamp is in our future (that peer's clock is fast, or ours is slow); the
   * payload is accepted but our clock only advances to `maxDriftMs` ahead of our physical time.
   * 'behind': a fresh remote stamp (a beacon) is in our past (that peer is slow, or we are fast).
   */
  direction: 'ahead' | 'behind'
  /** Remote wall time minus our physical time, in ms (negative when behind). */
  offsetMs: number
  maxDriftMs: number
}

const MAX_LOGICAL = 0xffff
const MAX_WALL = 2 ** 48 - 1

export class HybridLogicalClock {
  private last: HlcStamp = { wall: 0, logical: 0 }
  private readonly physicalNow: () => number
  private readonly onSkew: (event: ClockSkewEvent) => void
  readonly maxDriftMs: number

  constructor (options: HybridLogicalClockOptions = {}) {
    this.physicalNow = options.physicalNow ?? Date.now
    this.maxDriftMs = options.maxDriftMs ?? 60_000
    this.onSkew = options.onSkew ?? (() => {})
  }

  /** A fresh stamp for a local event, strictly greater than every stamp seen so far. */
  now (): HlcStamp {
    const physical = this.physicalNow()
    this.last = physical > this.last.wall
      ? { wall: physical, logical: 0 }
      : bump(this.last.wall, this.last.logical + 1)
    return this.last
  }

  /**
   * Folds a remote stamp into the clock and returns the stamp of the receive
   * event. A remote stamp more than `maxDriftMs` ahead is clamped to
   * `physical + maxDriftMs` (and reported): the clock stays monotonic and never
   * runs further than `maxDriftMs` ahead of our physical clock because of a peer.
   */
  receive (remote: HlcStamp): HlcStamp {
    const physical = this.physicalNow()
    const limit = physical + this.maxDriftMs
    if (remote.wall > limit) {
      this.onSkew({ direction: 'ahead', offsetMs: remote.wall - physical, maxDriftMs: this.maxDriftMs })
      remote = { wall: limit, logical: 0 }
    }
    const wall = Math.max(physical, this.last.wall, remote.wall)
    let logical: number
    if (wall === this.last.wall && wall === remote.wall) logical = Math.max(this.last.logical, remote.logical) + 1
    else if (wall === this.last.wall) logical = this.last.logical + 1
    else if (wall === remote.wall) logical = remote.logical + 1
    else logical = 0
    this.last = bump(wall, logical)
    return this.last
  }

  /**
   * Checks a stamp that was made just now by its sender (a beacon): one more than
   * `maxDriftMs` behind our physical clock means one of the two clocks is off.
   */
  observeFresh (remote: HlcStamp): void {
    const offsetMs = remote.wall - this.physicalNow()
    if (offsetMs < -this.maxDriftMs) this.onSkew({ direction: 'behind', offsetMs, maxDriftMs: this.maxDriftMs })
  }

  /** True when `receive` would clamp `remote`, without touching the clock. */
  isTooFarAhead (remote: HlcStamp): boolean {
    return remote.wall - this.physicalNow() > this.maxDriftMs
  }

  /** The last stamp issued or received. */
  peek (): HlcStamp {
    return this.last
  }
}

/** Counter overflow carries into the wall component, which keeps stamps unique and ordered. */
function bump (wall: number, logical: number): HlcStamp {
  return logical > MAX_LOGICAL ? { wall: wall + 1, logical: 0 } : { wall, logical }
}

export function compareHlc (a: HlcStamp, b: HlcStamp): number {
  return a.wall !== b.wall ? a.wall - b.wall : a.logical - b.logical
}

/** 48-bit wall ms and 16-bit counter in one uint64, so stamps compare as integers. */
export function packHlc (stamp: HlcStamp): bigint {
  if (!Number.isInteger(stamp.wall) || stamp.wall < 0 || stamp.wall > MAX_WALL) {
    throw new RangeError(`HLC wall out of range: ${stamp.wall}`)
  }
  if (!Number.isInteger(stamp.logical) || stamp.logical < 0 || stamp.logical > MAX_LOGICAL) {
    throw new RangeError(`HLC counter out of range: ${stamp.logical}`)
  }
  return (BigInt(stamp.wall) << 16n) | BigInt(stamp.logical)
}

export function unpackHlc (packed: bigint): HlcStamp {
  if (packed < 0n || packed >= 1n << 64n) throw new RangeError('HLC stamp out of range')
  return { wall: Number(packed >> 16n), logical: Number(packed & 0xffffn) }
}
