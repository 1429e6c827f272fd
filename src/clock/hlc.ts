/**
 * Hybrid logical clock (Kulkarni et al., 2014).
 *
 * A stamp is (wall ms, logical counter). `now()` never goes backwards even when
 * the wall clock steps back, and `receive()` folds in a remote stamp so that
 * anything stamped after seeing a message orders after it. Remote stamps further
 * ahead of our physical clock than `maxDriftMs` are refused: one peer with a
 * clock set to 2099 must not drag every replica's clock with it.
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
  /** How far ahead of our physical clock a remote stamp may be. Default 60 s. */
  maxDriftMs?: number
}

export class ClockDriftError extends Error {
  override name = 'ClockDriftError'
  constructor (readonly remote: HlcStamp, readonly physical: number, readonly maxDriftMs: number) {
    super(`remote clock is ${remote.wall - physical} ms ahead of ours (max drift ${maxDriftMs} ms)`)
  }
}

const MAX_LOGICAL = 0xffff
const MAX_WALL = 2 ** 48 - 1

export class HybridLogicalClock {
  private last: HlcStamp = { wall: 0, logical: 0 }
  private readonly physicalNow: () => number
  readonly maxDriftMs: number

  constructor (options: HybridLogicalClockOptions = {}) {
    this.physicalNow = options.physicalNow ?? Date.now
    this.maxDriftMs = options.maxDriftMs ?? 60_000
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
   * event. Throws `ClockDriftError` (and leaves the clock untouched) when the
   * remote is too far ahead.
   */
  receive (remote: HlcStamp): HlcStamp {
    const physical = this.physicalNow()
    if (remote.wall - physical > this.maxDriftMs) {
      throw new ClockDriftError(remote, physical, this.maxDriftMs)
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

  /** True when `remote` would be refused by `receive`, without touching the clock. */
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
