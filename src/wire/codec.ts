import {
  Beacon, Checkpoint, DeliveryAck, Envelope, GossipFrame, HeadsDigest, HeadsReply, SyncRequest, SyncResponse
} from './messages.js'
import type { Uint8ArrayList } from 'uint8arraylist'
import { sha256 } from '@noble/hashes/sha2.js'
// Installed before any decode: groups are skipped without recursion.
import './group-guard.js'

export {
  AckEntry, Beacon, Checkpoint, DeliveryAck, Envelope, GossipFrame, HeadsDigest, HeadsEntry, HeadsReply,
  SyncRequest, SyncResponse,
  VersionEntry
} from './messages.js'

/** Bumped only for changes an old peer must refuse. */
export const WIRE_VERSION = 1
/**
 * Envelopes are sealed at version 2: signed over a hash of the payload, so that a checkpoint's
 * heads travel as headers alone (see messages.proto). Version-1 envelopes (older stores and
 * peers) still verify; peers older than version 2 refuse these as `bad-version`.
 */
export const ENVELOPE_VERSION = 2
/** The envelope versions this peer verifies. */
export const ENVELOPE_VERSIONS: readonly number[] = [WIRE_VERSION, ENVELOPE_VERSION]
export const AUTHOR_KEY_BYTES = 32
/** Most authors one version vector may name on the wire. */
export const MAX_VECTOR_ENTRIES = 10_000

/** Why a message was dropped: the label of the `weft_dropped_total` counter. */
export type DropReason =
  | 'oversized' | 'malformed' | 'bad-version' | 'wrong-document' | 'bad-author'
  | 'bad-signature' | 'bad-update' | 'rate-limited' | 'unknown-document'
  | 'sync-failed' | 'unproven-head' | 'checkpoint-omission' | 'false-confirmation' | 'unauthorized' | 'equivocation'
  | 'no-key'
  | 'acl-pending' | 'not-a-member' | 'checkpoint-not-newer'
  | 'stream-failed'

export class WireError extends Error {
  override name = 'WireError'
  constructor (readonly reason: DropReason, message: string) {
    super(message)
  }
}

/**
 * Errors of `lpStream` (@libp2p/utils) for a frame longer than the protocol allows. Each protocol's
 * limit stays under the stream's read buffer (4 MiB), whose overflow would read as a broken stream.
 */
const LENGTH_ERRORS = new Set(['InvalidDataLengthError', 'InvalidDataLengthLengthError', 'InvalidMessageLengthError'])

/**
 * Why a request stream was dropped. A `WireError` says what was wrong with the bytes; a length
 * prefix over the limit is oversized; anything else (the stream ended, was reset or stalled before
 * a whole message arrived) is `fallback`, which no peer guard counts: links break under honest peers too.
 */
export function dropReasonOf (err: unknown, fallback: DropReason = 'stream-failed'): DropReason {
  if (err instanceof WireError) return err.reason
  if (LENGTH_ERRORS.has((err as Error)?.name)) return 'oversized'
  return fallback
}

const EMPTY = new Uint8Array(0)
const vectorLimits = { vv: MAX_VECTOR_ENTRIES }

function decodeWith<T> (what: string, bytes: Uint8Array | Uint8ArrayList, maxBytes: number, decode: () => T): T {
  if (bytes.byteLength > maxBytes) {
    throw new WireError('oversized', `${what} of ${bytes.byteLength} bytes exceeds ${maxBytes}`)
  }
  try {
    return decode()
  } catch (err: any) {
    throw new WireError('malformed', `${what} does not decode: ${err?.message ?? err}`)
  }
}

export function decodeFrame (bytes: Uint8Array, maxBytes: number): GossipFrame {
  const frame = decodeWith('gossip frame', bytes, maxBytes,
    () => GossipFrame.decode(bytes, { limits: { beacon: vectorLimits } }))
  const carried = [frame.envelope, frame.beacon, frame.control].filter(f => f != null).length
  if (carried !== 1) {
    throw new WireError('malformed', 'gossip frame must carry exactly one of envelope, beacon, control')
  }
  return frame
}

export function decodeEnvelope (bytes: Uint8Array, maxBytes: number): Envelope {
  return decodeWith('envelope', bytes, maxBytes, () => Envelope.decode(bytes))
}

export function decodeSyncRequest (bytes: Uint8Array | Uint8ArrayList, maxBytes: number): SyncRequest {
  return decodeWith('sync request', bytes, maxBytes, () => SyncRequest.decode(bytes, { limits: vectorLimits }))
}

export function decodeSyncResponse (bytes: Uint8Array | Uint8ArrayList, maxBytes: number): SyncResponse {
  return decodeWith('sync response', bytes, maxBytes, () => SyncResponse.decode(bytes, {
    limits: {
      ...vectorLimits,
      heads: MAX_VECTOR_ENTRIES,
      control: MAX_VECTOR_ENTRIES,
      checkpoint: vectorLimits
    }
  }))
}

/** Most documents one heads reply may list. */
export const MAX_HEADS_ENTRIES = 100_000

export function decodeHeadsDigest (bytes: Uint8Array | Uint8ArrayList, maxBytes: number): HeadsDigest {
  return decodeWith('heads digest', bytes, maxBytes, () => HeadsDigest.decode(bytes))
}

export function decodeHeadsReply (bytes: Uint8Array | Uint8ArrayList, maxBytes: number): HeadsReply {
  return decodeWith('heads reply', bytes, maxBytes,
    () => HeadsReply.decode(bytes, { limits: { entries: MAX_HEADS_ENTRIES } }))
}

/** Most documents one delivery ack may name (a batch covers what one author sent in one ack delay). */
export const MAX_ACK_ENTRIES = 100_000

export function decodeDeliveryAck (bytes: Uint8Array | Uint8ArrayList, maxBytes: number): DeliveryAck {
  return decodeWith('delivery ack', bytes, maxBytes,
    () => DeliveryAck.decode(bytes, { limits: { entries: MAX_ACK_ENTRIES } }))
}

export function decodeCheckpoint (bytes: Uint8Array, maxBytes: number): Checkpoint {
  return decodeWith('checkpoint', bytes, maxBytes, () => Checkpoint.decode(bytes, { limits: vectorLimits }))
}

// Each signed message is signed over its own encoding with the signature field empty:
// protons writes fields in field-number order, so the bytes are canonical.
export function envelopeSigningBytes (e: Envelope): Uint8Array {
  if (e.version !== ENVELOPE_VERSION) return Envelope.encode({ ...e, signature: EMPTY })
  const payloadHash = isHeadProof(e) ? e.payloadHash : sha256(e.payload)
  return Envelope.encode({ ...e, payload: EMPTY, payloadHash, signature: EMPTY })
}

/** A version-2 envelope's header without its payload: still its author's signature, ~170 bytes. */
export function isHeadProof (e: Envelope): boolean {
  return e.payloadHash.byteLength > 0
}

/** The head proof of a full envelope; a version-1 envelope cannot drop its payload, so it stays whole. */
export function headProofOf (e: Envelope): Envelope {
  if (e.version !== ENVELOPE_VERSION || isHeadProof(e)) return e
  return { ...e, payload: EMPTY, payloadHash: sha256(e.payload) }
}

export function checkpointSigningBytes (c: Checkpoint): Uint8Array {
  return Checkpoint.encode({ ...c, signature: EMPTY })
}

export function beaconSigningBytes (b: Beacon): Uint8Array {
  return Beacon.encode({ ...b, signature: EMPTY })
}

/** Structural checks shared by every signed message, before the (costlier) signature check. */
export function checkHeader (
  what: string, m: { version: number, docId: string }, key: Uint8Array, expectedDocId: string,
  known: readonly number[] = [WIRE_VERSION]
): void {
  if (!known.includes(m.version)) {
    throw new WireError('bad-version', `${what} has wire version ${m.version}, expected ${known.join(' or ')}`)
  }
  if (m.docId !== expectedDocId) {
    throw new WireError('wrong-document', `${what} is for document ${m.docId.slice(0, 40)}, not ${expectedDocId}`)
  }
  if (key.byteLength !== AUTHOR_KEY_BYTES) {
    throw new WireError('bad-author', `${what} key is ${key.byteLength} bytes, expected ${AUTHOR_KEY_BYTES}`)
  }
}
