import * as Y from 'yjs'
import { unpackHlc, type HlcStamp, type HybridLogicalClock } from '../clock/hlc.js'
import {
  ENVELOPE_VERSION, ENVELOPE_VERSIONS, WireError, checkHeader, envelopeSigningBytes, isHeadProof,
  checkpointSigningBytes, beaconSigningBytes,
  type Beacon, type Checkpoint, type Envelope
} from '../wire/codec.js'
import type { Ed25519 } from '../platform/platform.js'
import { isPrivateDocId } from '../trust/keys.js'

export interface Verifier {
  ed25519: Ed25519
  clock: HybridLogicalClock
}

/** A packed clock stamp from the wire; `malformed` when out of range. */
export function stampOf (what: string, packed: bigint): HlcStamp {
  let stamp: HlcStamp
  try {
    stamp = unpackHlc(packed)
  } catch {
    throw new WireError('malformed', `${what} has an out-of-range clock stamp`)
  }
  // No drift check here: Yjs merges without clocks, so a skewed stamp is no reason to refuse
  // a payload (a slow peer would refuse everyone). HybridLogicalClock.receive clamps and reports it.
  return stamp
}

/**
 * Throws `bad-update` for anything Yjs could not integrate whole (also used on decrypted private
 * payloads). Returns where the update's structs end, per client, from the same decoding.
 */
export function checkUpdate (what: string, update: Uint8Array): Map<number, number> {
  // A payload Yjs cannot parse would throw half-way through applyUpdate and leave the doc
  // partly integrated: parse it first, and keep it off the doc if it does not parse.
  let decoded: {
    structs: Array<Y.Item | { id: Y.ID, length: number }>
    ds: { clients: Map<number, Array<{ clock: number, len: number }>> }
  }
  try {
    decoded = Y.decodeUpdate(update) as unknown as typeof decoded
  } catch (err: any) {
    throw new WireError('bad-update', `${what} payload is not a Yjs update: ${err?.message ?? err}`)
  }
  // decodeUpdate also reads what applyUpdate cannot integrate: structs or delete ranges of
  // length 0 or ending past 2^53 (where clock + length rounds back to clock), and items whose
  // origin or parent is a later struct of their own client (Yjs looks those up as present).
  // Yjs never writes such updates; applied, they throw from inside its struct store after
  // part of the update went in (found by fuzz/), so they are refused here.
  const usable = (clock: number, length: number): boolean => length > 0 && Number.isSafeInteger(clock + length)
  const ends = new Map<number, number>()
  for (const s of decoded.structs) {
    if (!usable(s.id.clock, s.length)) {
      throw new WireError('bad-update', `${what} payload holds an empty or out-of-range struct`)
    }
    const end = s.id.clock + s.length
    if (end > (ends.get(s.id.client) ?? 0)) ends.set(s.id.client, end)
    if (s instanceof Y.Item) {
      for (const ref of [s.origin, s.rightOrigin, s.parent instanceof Y.ID ? s.parent : null]) {
        if (ref != null && ref.client === s.id.client && ref.clock >= s.id.clock) {
          throw new WireError('bad-update', `${what} payload holds an item referring to a later struct of its client`)
        }
      }
    }
  }
  for (const ranges of decoded.ds.clients.values()) {
    for (const r of ranges) {
      if (!usable(r.clock, r.len)) throw new WireError('bad-update', `${what} payload deletes an empty or bad range`)
    }
  }
  return ends
}

/** The Yjs state vector at the end of an update's structs (empty when it only deletes). */
export function structEnds (update: Uint8Array): Uint8Array<ArrayBuffer> {
  const { to } = Y.parseUpdateMeta(update)
  return (to.size === 0 ? new Uint8Array(0) : Y.encodeStateVector(to)) as Uint8Array<ArrayBuffer>
}

/** An envelope's `ends` as a map (empty: its payload only deletes). Throws on bytes that do not decode. */
export function decodeEnds (ends: Uint8Array): Map<number, number> {
  return ends.byteLength === 0 ? new Map() : Y.decodeStateVector(ends)
}

/**
 * True when a version-2 envelope's signed `ends` are where its (plaintext) payload's structs end
 * (`actual`: what `checkUpdate` returned for it, so the payload is decoded once).
 * A head proof's `ends` are all a checkpoint is held to: an author whose ends understated its
 * payload could have a checkpoint omit that content unseen, so its envelope counts as bad.
 */
export function endsMatch (envelope: Envelope, actual: ReadonlyMap<number, number>): boolean {
  if (envelope.version !== ENVELOPE_VERSION) return true
  let claimed: Map<number, number>
  try {
    claimed = decodeEnds(envelope.ends)
  } catch {
    return false
  }
  return claimed.size === actual.size && [...actual].every(([client, end]) => claimed.get(client) === end)
}

/** Every check an envelope must pass before it touches a replica. Throws `WireError` with the reason. */
export function validateEnvelope (envelope: Envelope, docId: string, v: Verifier): HlcStamp {
  // A proof's signature covers a hash, not the payload beside it: taken as content, any payload would pass.
  if (isHeadProof(envelope)) throw new WireError('malformed', 'a head proof where an envelope belongs')
  const stamp = validateSignedHeader(envelope, docId, v)
  // A private document's payload is ciphertext: the replica checks it the same way after decrypting.
  if (!isPrivateDocId(docId)) {
    if (!endsMatch(envelope, checkUpdate('envelope', envelope.payload))) {
      throw new WireError('bad-update', 'envelope\'s struct ends do not match its payload')
    }
  }
  return stamp
}

/**
 * A checkpoint's head: its author's full envelope, or (version 2) the header alone. Either one
 * proves what the author signed at that seq; only a full envelope carries content.
 */
export function validateHead (head: Envelope, docId: string, v: Verifier): HlcStamp {
  if (!isHeadProof(head)) return validateEnvelope(head, docId, v)
  if (head.version !== ENVELOPE_VERSION || head.payload.byteLength > 0 || head.payloadHash.byteLength !== 32) {
    throw new WireError('malformed', 'a head proof must be version 2, with a 32-byte hash and no payload')
  }
  try {
    decodeEnds(head.ends)
  } catch {
    throw new WireError('malformed', 'a head proof\'s struct ends do not decode')
  }
  return validateSignedHeader(head, docId, v)
}

function validateSignedHeader (envelope: Envelope, docId: string, v: Verifier): HlcStamp {
  checkHeader('envelope', envelope, envelope.author, docId, ENVELOPE_VERSIONS)
  if (!Number.isSafeInteger(envelope.seq) || envelope.seq < 1) {
    throw new WireError('malformed', `envelope seq ${envelope.seq} is not a positive integer`)
  }
  const stamp = stampOf('envelope', envelope.hlc)
  if (!v.ed25519.verify(envelope.author, envelopeSigningBytes(envelope), envelope.signature)) {
    throw new WireError('bad-signature', 'envelope signature does not verify')
  }
  return stamp
}

export function validateCheckpoint (checkpoint: Checkpoint, docId: string, v: Verifier): HlcStamp {
  checkHeader('checkpoint', checkpoint, checkpoint.signer, docId)
  const stamp = stampOf('checkpoint', checkpoint.hlc)
  if (!v.ed25519.verify(checkpoint.signer, checkpointSigningBytes(checkpoint), checkpoint.signature)) {
    throw new WireError('bad-signature', 'checkpoint signature does not verify')
  }
  if (!isPrivateDocId(docId)) checkUpdate('checkpoint', checkpoint.update)
  return stamp
}

export function validateBeacon (beacon: Beacon, docId: string, v: Verifier): HlcStamp {
  checkHeader('beacon', beacon, beacon.signer, docId)
  const stamp = stampOf('beacon', beacon.hlc)
  if (!v.ed25519.verify(beacon.signer, beaconSigningBytes(beacon), beacon.signature)) {
    throw new WireError('bad-signature', 'beacon signature does not verify')
  }
  // A beacon is stamped when sent: far behind means one of the two clocks is off (maybe ours).
  v.clock.observeFresh(stamp)
  return stamp
}
