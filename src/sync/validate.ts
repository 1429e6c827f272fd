import * as Y from 'yjs'
import { unpackHlc, type HlcStamp, type HybridLogicalClock } from '../clock/hlc.js'
import {
  WireError, checkHeader, envelopeSigningBytes, checkpointSigningBytes, beaconSigningBytes,
  type Beacon, type Checkpoint, type Envelope
} from '../wire/codec.js'
import type { Ed25519 } from '../platform/platform.js'
import { isPrivateDocId } from '../trust/keys.js'

export interface Verifier {
  ed25519: Ed25519
  clock: HybridLogicalClock
}

function stampOf (what: string, packed: bigint, clock: HybridLogicalClock): HlcStamp {
  let stamp: HlcStamp
  try {
    stamp = unpackHlc(packed)
  } catch {
    throw new WireError('malformed', `${what} has an out-of-range clock stamp`)
  }
  if (clock.isTooFarAhead(stamp)) throw new WireError('clock-drift', `${what} is stamped ${stamp.wall - Date.now()} ms in the future`)
  return stamp
}

function checkUpdate (what: string, update: Uint8Array): void {
  // A payload Yjs cannot parse would throw half-way through applyUpdate and leave the doc
  // partly integrated: parse it first, and keep it off the doc if it does not parse.
  try {
    Y.decodeUpdate(update)
  } catch (err: any) {
    throw new WireError('bad-update', `${what} payload is not a Yjs update: ${err?.message ?? err}`)
  }
}

/** Every check an envelope must pass before it touches a replica. Throws `WireError` with the reason. */
export function validateEnvelope (envelope: Envelope, docId: string, v: Verifier): HlcStamp {
  checkHeader('envelope', envelope, envelope.author, docId)
  if (!Number.isSafeInteger(envelope.seq) || envelope.seq < 1) throw new WireError('malformed', `envelope seq ${envelope.seq} is not a positive integer`)
  const stamp = stampOf('envelope', envelope.hlc, v.clock)
  if (!v.ed25519.verify(envelope.author, envelopeSigningBytes(envelope), envelope.signature)) throw new WireError('bad-signature', 'envelope signature does not verify')
  // A private document's payload is ciphertext: the replica parses it after decrypting.
  if (!isPrivateDocId(docId)) checkUpdate('envelope', envelope.payload)
  return stamp
}

export function validateCheckpoint (checkpoint: Checkpoint, docId: string, v: Verifier): HlcStamp {
  checkHeader('checkpoint', checkpoint, checkpoint.signer, docId)
  const stamp = stampOf('checkpoint', checkpoint.hlc, v.clock)
  if (!v.ed25519.verify(checkpoint.signer, checkpointSigningBytes(checkpoint), checkpoint.signature)) throw new WireError('bad-signature', 'checkpoint signature does not verify')
  if (!isPrivateDocId(docId)) checkUpdate('checkpoint', checkpoint.update)
  return stamp
}

export function validateBeacon (beacon: Beacon, docId: string, v: Verifier): HlcStamp {
  checkHeader('beacon', beacon, beacon.signer, docId)
  const stamp = stampOf('beacon', beacon.hlc, v.clock)
  if (!v.ed25519.verify(beacon.signer, beaconSigningBytes(beacon), beacon.signature)) throw new WireError('bad-signature', 'beacon signature does not verify')
  return stamp
}
