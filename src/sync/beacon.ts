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

  /**
   * Asks for a beacon after `minGapMs` plus a random share of it; requests in between
   * collapse into one. The random part lets `suppress()` work: the first peer to
   * announce a vector spares the others from announcing the same one.
   */
  nudge (): void {
    if (this.stopped || this.soon !== undefined) return
    this.soon = setTimeout(() => { this.soon = undefined; this.fire() }, this.minGapMs * (1 + Math.random()))
  }

  /**
   * Another peer just announced at least what we would: drop our pending announcement
   * (the suppression of scalable reliable multicast: an author needs one confirmation,
   * not one per peer, and N peers beaconing each burst made beacons most of the gossip).
   */
  suppress (): void {
    clearTimeout(this.soon)
    this.soon = undefined
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
