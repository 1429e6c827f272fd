import { packHlc, type HybridLogicalClock } from '../clock/hlc.js'
import { Beacon, WIRE_VERSION, beaconSigningBytes } from '../wire/codec.js'
import type { Signer } from '../identity/peer-key.js'
import type { Replica } from '../replica/replica.js'

const EMPTY = new Uint8Array(0)

/** A signed statement of what this peer holds of a document: its version vector. */
export function makeBeacon (replica: Replica, signer: Signer, clock: HybridLogicalClock): Beacon {
  const beacon: Beacon = {
    version: WIRE_VERSION,
    docId: replica.docId,
    signer: signer.publicKey as Uint8Array<ArrayBuffer>,
    hlc: packHlc(clock.now()),
    vv: replica.vv.toWire(),
    signature: EMPTY
  }
  beacon.signature = signer.sign(beaconSigningBytes(beacon)) as Uint8Array<ArrayBuffer>
  return beacon
}

/**
 * Sends a document's beacon periodically (a heartbeat that lets peers spot
 * what they miss) and soon after new data arrives (so authors learn their
 * edits got through), never more often than `minGapMs`.
 */
export class BeaconTimer {
  private periodic: ReturnType<typeof setTimeout> | undefined
  private soon: ReturnType<typeof setTimeout> | undefined
  private stopped = false

  constructor (
    private readonly send: () => void,
    private readonly intervalMs: number,
    private readonly minGapMs: number
  ) {
    this.schedulePeriodic()
  }

  private schedulePeriodic (): void {
    if (this.stopped) return
    // Jitter keeps the peers of one document from beaconing in lockstep.
    const delay = this.intervalMs * (0.75 + Math.random() * 0.5)
    this.periodic = setTimeout(() => { this.fire(); this.schedulePeriodic() }, delay)
  }

  /** Asks for a beacon within `minGapMs`; requests in between collapse into one. */
  nudge (): void {
    if (this.stopped || this.soon !== undefined) return
    this.soon = setTimeout(() => { this.soon = undefined; this.fire() }, this.minGapMs)
  }

  private fire (): void {
    if (!this.stopped) this.send()
  }

  stop (): void {
    this.stopped = true
    clearTimeout(this.periodic)
    clearTimeout(this.soon)
  }
}
