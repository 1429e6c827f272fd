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
